"""Pointer and keyboard on Wayland, through the RemoteDesktop portal session.

The GUI executor and the text typer are the X11 ones: they talk to an ``Input``, and
``PortalInput`` is one whose events go to a ``RemoteInput`` (``deskhand.vision.portal``'s
desktop session, handed over by the app) instead of pyautogui.  Keys are sent as keysyms,
so the compositor picks the key (and the Shift level) on the user's own layout.

Text: printable ASCII is typed as keysyms (a character's keysym is its code point), which
the compositor maps onto a key of the layout.  Anything else is pasted, as on X11: mutter
drops a keysym that is on no key of the active layout (so "ü" cannot be typed on a US
layout), and xdg-desktop-portal 1.16 has no clipboard in RemoteDesktop, so ``wl-copy``
(wl-clipboard) sets the clipboard and Shift+Insert pastes it.

Held keys: like ``Input``, every press is remembered and ``release_all`` lets go of it.
After a crash nothing is left to release: the portal session belongs to the dead process's
D-Bus connection, and the compositor removes its virtual devices -- with their pressed keys
and buttons -- when the session ends.  There is no pointer corner fail-safe either (the
pointer is the user's; ours is a separate virtual device): Stop is the hotkey or the tray.
"""

from __future__ import annotations

import shutil
import string
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

from Xlib import XK  # a keysym table only: nothing here opens an X display

from deskhand.actions._backend import Input
from deskhand.actions._clipboard import Clipboard
from deskhand.actions.keys import x11_keysym
from deskhand.actions.text_entry import TextTyper
from deskhand.core.errors import ExecutionFailed, Stopped
from deskhand.core.geometry import ScreenPoint
from deskhand.core.ports import ShouldStop
from deskhand.core.typed_line import NEWLINE

__all__ = ["PortalInput", "PortalTyper", "RemoteInput", "char_keysym"]

BUTTONS = {"left": 0x110, "right": 0x111, "middle": 0x112}  # Linux evdev BTN_* codes
_FROM_PYAUTOGUI = {"win": "super", "command": "super", "apps": "menu"}
_RETURN, _TAB = 0xFF0D, 0xFF09
_ASCII = frozenset(string.ascii_letters + string.digits + string.punctuation + " ")
SET_SELECTION_WAIT = 0.3  # wl-copy's moment of focus, before the paste chord


class RemoteInput(Protocol):
    """What the portal session offers: input events in desktop (stream) coordinates."""

    def move_to(self, x: float, y: float) -> None: ...

    def button(self, code: int, pressed: bool) -> None: ...

    def axis(self, vertical: bool, steps: int) -> None: ...

    def keysym(self, keysym: int, pressed: bool) -> None: ...


def key_keysym(name: str) -> int:
    """The keysym of a pyautogui key name (the executor's vocabulary)."""
    canonical = _FROM_PYAUTOGUI.get(name, name)
    try:
        symbol = x11_keysym(canonical)
    except ValueError:
        symbol = canonical
    keysym = int(XK.string_to_keysym(symbol))
    if not keysym and len(canonical) == 1:
        return char_keysym(canonical)
    if not keysym:
        raise ExecutionFailed(f"Tried to press the key {name!r}, but it has no keysym. Use another shortcut.")
    return keysym


def char_keysym(char: str) -> int:
    """The keysym that types ``char``: Latin-1 is its own code, the rest 0x01000000 + code."""
    if char == "\t":
        return _TAB
    code = ord(char)
    if 0x20 <= code <= 0x7E or 0xA0 <= code <= 0xFF:
        return code
    return 0x01000000 + code


class PortalInput(Input):
    """``Input`` over a portal session: same bookkeeping of what is held, other transport."""

    def __init__(self, remote: RemoteInput) -> None:
        super().__init__()
        self.remote = remote
        self._held_keys: list[int] = []
        self._held_buttons: list[int] = []

    @property
    def gui(self) -> Any:
        raise ExecutionFailed("pyautogui is not used on the Wayland portal backend.")

    @contextmanager
    def guarded(self, landings: Sequence[ScreenPoint] = ()) -> Iterator[None]:
        yield

    def move(self, point: ScreenPoint) -> None:
        self.remote.move_to(point.x, point.y)

    def button_down(self, button: str) -> None:
        code = BUTTONS[button]
        self._held_buttons.append(code)
        self.remote.button(code, True)

    def button_up(self, button: str) -> None:
        code = BUTTONS[button]
        self.remote.button(code, False)
        if code in self._held_buttons:
            self._held_buttons.remove(code)

    def wheel(self, notches: int, *, horizontal: bool) -> None:
        # pyautogui's sign (positive = up / right); the portal counts positive = down / right.
        self.remote.axis(not horizontal, notches if horizontal else -notches)

    def key_down(self, key: str) -> None:
        keysym = key_keysym(key)
        self._held_keys.append(keysym)
        self.remote.keysym(keysym, True)

    def key_up(self, key: str) -> None:
        keysym = key_keysym(key)
        self.remote.keysym(keysym, False)
        if keysym in self._held_keys:
            self._held_keys.remove(keysym)

    def tap_keysym(self, keysym: int) -> None:
        self._held_keys.append(keysym)
        try:
            self.remote.keysym(keysym, True)
        finally:
            self.remote.keysym(keysym, False)
            self._held_keys.remove(keysym)

    def write(self, text: str) -> None:
        for char in text:
            self.tap_keysym(char_keysym(char))

    def release_all(self) -> None:
        for keysym in reversed(self._held_keys):
            self.remote.keysym(keysym, False)
        for code in reversed(self._held_buttons):
            self.remote.button(code, False)
        self._held_keys.clear()
        self._held_buttons.clear()


class WaylandClipboard:
    """The Wayland clipboard through ``wl-copy`` (wl-clipboard), serving one paste.

    A Wayland client may set the clipboard only while focused; wl-copy gets that focus for
    a moment itself.  ``--paste-once`` makes it exit after the app fetched the text, which
    is how ``wait_taken`` knows the paste happened.
    """

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None

    @staticmethod
    def available() -> bool:
        return shutil.which("wl-copy") is not None

    def offer(self, text: str) -> None:
        self.close()
        try:
            self._proc = subprocess.Popen(
                ["wl-copy", "--foreground", "--paste-once", "--type", "text/plain;charset=utf-8"],  # noqa: S607
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            if self._proc.stdin is None:
                raise OSError("no pipe to wl-copy")
            self._proc.stdin.write(text.encode("utf-8"))
            self._proc.stdin.close()
        except OSError as exc:
            raise ExecutionFailed(
                f"Tried to put the text on the clipboard with wl-copy, but it failed ({exc})."
            ) from exc
        time.sleep(SET_SELECTION_WAIT)

    def wait_taken(self, timeout: float) -> bool:
        if self._proc is None:
            return False
        try:
            self._proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        return True

    def close(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            self._proc.wait()
        self._proc = None


class PortalTyper(TextTyper):
    """Keysyms for printable ASCII, a paste (wl-copy, then Shift+Insert) for the rest."""

    device: PortalInput

    def __init__(self, device: PortalInput, clipboard: Clipboard | None = None) -> None:
        if clipboard is None and WaylandClipboard.available():
            clipboard = WaylandClipboard()
        super().__init__(device, clipboard)

    def _keyable(self, line: str) -> bool:
        return len(line) <= self.max_keyed_chars and all(c in _ASCII for c in line)

    def type(self, text: str, should_stop: ShouldStop) -> str:
        if self._clipboard is None and not all(self._keyable(line) for line in NEWLINE.split(text)):
            # No wl-copy: keysyms; mutter drops those not on the keyboard layout.
            for char in text:
                if should_stop():
                    raise Stopped()
                self.device.tap_keysym(_RETURN if char == "\n" else char_keysym(char))
            return (
                "Characters outside ASCII were sent as keys; on Wayland without wl-copy they appear "
                "only if the keyboard layout has them. Check the screen."
            )
        return super().type(text, should_stop)
