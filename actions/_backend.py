"""pyautogui, loaded on first use, behind a layer that remembers what it holds down.

Why lazily: importing pyautogui opens the display at once.  On Windows the QApplication must
exist first (DPI awareness is per process and the first caller wins), and under Xvfb
python-xlib wants an Xauthority file even when the server needs none.

Why the bookkeeping: a key or button left down after an error or a Stop keeps acting on
the user's desktop (every later click becomes a shift-click).  ``Input`` records each
press and ``release_all`` lets go of all of it, plus anything the X server reports held.

The fail-safe: pyautogui raises ``FailSafeException`` when the pointer sits in a screen
corner -- its documented emergency stop, which a user performs by flinging the mouse into a
corner.  We turn that into ``Stopped`` (the user's stop gesture, exit code 3, everything
released) rather than ``ExecutionFailed`` (which the model would see and retry, fighting
the user).  A corner the *model* aimed at is not a stop: while an action targets a corner,
or starts where our previous action left the pointer (or is the first action, when a
pointer parked in a corner is no gesture), the fail-safe is suspended.
"""

from __future__ import annotations

import atexit
import os
import struct
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from types import ModuleType
from typing import Any

from deskhand.core.errors import ExecutionFailed, SetupError, Stopped
from deskhand.core.geometry import ScreenPoint

__all__ = ["Input", "load_pyautogui", "release_left_held"]

_module: ModuleType | None = None


def _ensure_xauthority() -> None:
    """Give python-xlib an Xauthority file to read when the session has none (Xvfb).

    The file holds one entry for a host that does not exist: python-xlib prints a warning
    to stdout for an *empty* file, and finding no matching entry it connects without
    credentials, as it would have with no file at all.
    """
    current = os.environ.get("XAUTHORITY")
    if current and Path(current).is_file():
        return
    if not current and (Path.home() / ".Xauthority").is_file():
        return
    host = b"deskhand-no-such-host"
    entry = struct.pack(">HH", 256, len(host)) + host + struct.pack(">HHH", 0, 0, 0)  # FamilyLocal
    fd, path = tempfile.mkstemp(prefix="deskhand-xauth-")
    with os.fdopen(fd, "wb") as file:
        file.write(entry)
    os.environ["XAUTHORITY"] = path
    atexit.register(_remove, path)


def _remove(path: str) -> None:
    with suppress(OSError):
        os.unlink(path)


def load_pyautogui() -> ModuleType:
    """Import and configure pyautogui once: no implicit pauses, fail-safe on."""
    global _module
    if _module is None:
        if sys.platform.startswith("linux"):
            _ensure_xauthority()
        try:
            import pyautogui
        except Exception as exc:  # it raises bare Exception / KeyError / Xlib errors
            raise SetupError(
                f"Tried to open the keyboard and mouse through pyautogui, but it failed ({exc}). "
                "Run Deskhand inside a graphical X11, Windows or macOS session."
            ) from exc
        pyautogui.PAUSE = 0
        pyautogui.FAILSAFE = True
        _module = pyautogui
    return _module


class Input:
    """Pointer and keyboard through pyautogui, remembering every key and button held."""

    def __init__(self) -> None:
        self._keys: list[str] = []  # pyautogui key names, in press order
        self._buttons: list[str] = []
        self._left_at: tuple[int, int] | None = None

    @property
    def gui(self) -> Any:  # the pyautogui module; Any because it ships no stubs
        return load_pyautogui()

    # -- the fail-safe -------------------------------------------------------------------

    @contextmanager
    def guarded(self, landings: Sequence[ScreenPoint] = ()) -> Iterator[None]:
        """Run one action with the fail-safe interpreted as described in the module doc."""
        gui = self.gui
        corners = {tuple(p) for p in gui.FAILSAFE_POINTS}
        here = tuple(gui.position())
        if here in corners and self._left_at is not None and here != self._left_at:
            raise Stopped(
                "Stopped: the pointer was pushed into a screen corner, which is the emergency stop."
            )
        suspend = here in corners or any((p.x, p.y) in corners for p in landings)
        gui.FAILSAFE = not suspend
        try:
            yield
        except gui.FailSafeException as exc:
            raise Stopped(
                "Stopped: the pointer was pushed into a screen corner, which is the emergency stop."
            ) from exc
        finally:
            gui.FAILSAFE = True
            self._left_at = tuple(gui.position())

    # -- pointer -------------------------------------------------------------------------

    def move(self, point: ScreenPoint) -> None:
        self.gui.moveTo(point.x, point.y)

    def button_down(self, button: str) -> None:
        self._buttons.append(button)
        self.gui.mouseDown(button=button)

    def button_up(self, button: str) -> None:
        self.gui.mouseUp(button=button)
        if button in self._buttons:
            self._buttons.remove(button)

    def wheel(self, notches: int, *, horizontal: bool) -> None:
        """Turn the wheel; positive is up / right, as in pyautogui."""
        if sys.platform == "win32":
            # pyautogui passes the count straight to mouse_event (1/120 of a notch) and has
            # no horizontal wheel there; shift+wheel is the Windows convention.
            if horizontal:
                self.key_down("shift")
                try:
                    self.gui.scroll(-notches * 120)
                finally:
                    self.key_up("shift")
            else:
                self.gui.scroll(notches * 120)
        elif horizontal:
            self.gui.hscroll(notches)
        else:
            self.gui.scroll(notches)

    # -- keyboard ------------------------------------------------------------------------

    def key_down(self, key: str) -> None:
        if not self._on_keyboard(key):
            raise ExecutionFailed(
                f"Tried to press the key {key!r}, but the current keyboard map has no such "
                "key. Use another shortcut for the same command."
            )
        self._keys.append(key)
        self.gui.keyDown(key)

    def key_up(self, key: str) -> None:
        if self._on_keyboard(key):  # never send keycode 0: it wedges pyautogui's connection
            self.gui.keyUp(key)
        if key in self._keys:
            self._keys.remove(key)

    def write(self, text: str) -> None:
        """Type characters the caller has checked are safe on this keyboard map."""
        self.gui.write(text)

    def _on_keyboard(self, key: str) -> bool:
        gui = self.gui  # loads pyautogui the careful way before its X11 module is touched
        if sys.platform.startswith("linux"):
            from pyautogui import _pyautogui_x11

            return bool(_pyautogui_x11.keyboardMapping.get(key))
        return key in gui.KEY_NAMES

    # -- letting go ----------------------------------------------------------------------

    def release_all(self) -> None:
        """Release every key and button we pressed, then any the X server still sees down.

        Safe to call at any time: releasing something that is not held does nothing.
        """
        if _module is None:
            return  # nothing was ever pressed through us
        gui = self.gui
        failsafe, gui.FAILSAFE = gui.FAILSAFE, False
        try:
            for key in reversed(self._keys):
                gui.keyUp(key)
            for button in reversed(self._buttons):
                gui.mouseUp(button=button)
            self._keys.clear()
            self._buttons.clear()
            if sys.platform.startswith("linux"):
                from deskhand.actions._x11 import release_held_keys_and_buttons

                release_held_keys_and_buttons()
        finally:
            gui.FAILSAFE = failsafe


_MODIFIERS = ("shift", "ctrl", "alt", "altright", "win", "command", "option")


def release_left_held() -> None:
    """Let go of every key and mouse button a crashed Deskhand may have left down.

    A ``kill -9`` in the middle of a drag, a Ctrl+… chord or typing leaves the button or
    key down for the whole desktop (a letter auto-repeats into the focused window); the
    next Deskhand to start calls this.  On X11 every key and button the server reports
    held is released; elsewhere every modifier and button gets a release, which is
    harmless for those not down (those platforms cannot say which letter is down).
    """
    if sys.platform.startswith("linux"):
        from deskhand.actions._x11 import release_held_keys_and_buttons

        release_held_keys_and_buttons(every_key=True)
        return
    gui = load_pyautogui()
    for key in _MODIFIERS:
        with suppress(Exception):  # a key name this platform does not have
            gui.keyUp(key)
    for button in ("left", "right", "middle"):
        gui.mouseUp(button=button)
