"""X11 global hotkeys: ``XGrabKey`` on the root window, read on a background thread.

The grab is made for the chord's modifiers combined with every state of Caps Lock and Num
Lock (X treats them as modifiers, so a plain grab would not fire while either is on).  The
thread owns its own connection and sleeps in ``select`` on it and on a wake-up pipe, so
``stop`` ends it at once; the keys are ungrabbed after the thread has ended.

``X11KeyGrabs`` is that machinery; ``X11Hotkeys`` (presses of named chords) and the
push-to-talk key (``deskhand.app.tray.voice_hotkey``: press and release) both read their
events through it.
"""

from __future__ import annotations

import logging
import os
import select
import threading
from collections.abc import Callable, Mapping
from typing import Any

from Xlib import XK, X, display, error

from deskhand.app.platform.chords import Chord, OnHotkey

log = logging.getLogger(__name__)

MODIFIER_MASKS = {"ctrl": X.ControlMask, "alt": X.Mod1Mask, "shift": X.ShiftMask, "super": X.Mod4Mask}
KEYSYM_NAMES = {
    "space": "space", "escape": "Escape", "enter": "Return", "tab": "Tab", "backspace": "BackSpace",
    "delete": "Delete", "insert": "Insert", "home": "Home", "end": "End", "pageup": "Prior",
    "pagedown": "Next", "up": "Up", "down": "Down", "left": "Left", "right": "Right",
    "printscreen": "Print", "menu": "Menu", "capslock": "Caps_Lock", "pause": "Pause",
}  # fmt: skip


def keysym_for(key: str) -> int:
    if len(key) == 1:
        return ord(key)  # printable ASCII keysyms are their code points
    name = KEYSYM_NAMES.get(key) or (key.upper() if key.startswith("f") else key)
    return int(XK.string_to_keysym(name))


class X11KeyGrabs:
    """Key grabs on a connection and a listening thread of their own.

    ``open`` connects, ``grab`` grabs one chord (or says why it cannot), ``listen`` starts
    the thread that hands every event to ``on_event``, ``stop`` ends the thread and lets go
    of every grab and of the connection.
    """

    def __init__(self, thread_name: str) -> None:
        self._thread_name = thread_name
        self._display: display.Display | None = None
        self._grabs: list[tuple[int, int]] = []
        self._thread: threading.Thread | None = None
        self._wake_r, self._wake_w = -1, -1
        self.ignored = X.LockMask  # the lock modifiers a grab is made with every state of

    def open(self) -> None:
        dpy = self._display = display.Display()
        self.ignored = X.LockMask | self._numlock_mask(dpy)

    def grab(self, chord: Chord, what: str) -> tuple[int, int] | str:
        """Grab ``chord`` (``what`` names it in a problem: "hotkey"); its keycode and
        modifier mask, or the problem in one sentence."""
        dpy = self._display
        assert dpy is not None  # noqa: S101 - open() comes first
        root = dpy.screen().root
        keycode = dpy.keysym_to_keycode(keysym_for(chord.key))
        if not keycode:
            return f"The {what} {chord} cannot be grabbed: this keyboard has no {chord.key!r} key."
        mods = 0
        for modifier in chord.modifiers:
            mods |= MODIFIER_MASKS[modifier]
        locks = sorted({0, X.LockMask, self.ignored & ~X.LockMask, self.ignored})
        catcher = error.CatchError(error.BadAccess)
        for lock in locks:
            root.grab_key(keycode, mods | lock, True, X.GrabModeAsync, X.GrabModeAsync, onerror=catcher)
        dpy.sync()
        if catcher.get_error() is not None:
            for lock in locks:
                root.ungrab_key(keycode, mods | lock)
            dpy.sync()
            return f"The {what} {chord} is already taken by another program; pick another one."
        self._grabs.extend((keycode, mods | lock) for lock in locks)
        return keycode, mods

    @staticmethod
    def _numlock_mask(dpy: display.Display) -> int:
        numlock = dpy.keysym_to_keycode(XK.string_to_keysym("Num_Lock"))
        for index, keycodes in enumerate(dpy.get_modifier_mapping()):
            if numlock and numlock in keycodes:
                return int(1 << index)
        return int(X.Mod2Mask)

    def listen(self, on_event: Callable[[display.Display, Any], None]) -> None:
        """Hand every event of the connection to ``on_event`` (with the connection, to
        look at what follows), on the listening thread, until ``stop``."""
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(
            target=self._listen, args=(on_event,), name=self._thread_name, daemon=True
        )
        self._thread.start()

    def _listen(self, on_event: Callable[[display.Display, Any], None]) -> None:
        dpy = self._display
        assert dpy is not None  # noqa: S101 - set by open() before the thread runs
        while True:
            ready, _, _ = select.select([dpy.fileno(), self._wake_r], [], [], 1.0)
            if self._wake_r in ready:
                return
            while dpy.pending_events():
                on_event(dpy, dpy.next_event())

    def stop(self) -> None:
        if self._thread is not None:
            os.write(self._wake_w, b"x")
            self._thread.join(timeout=2)
            self._thread = None
            os.close(self._wake_r)
            os.close(self._wake_w)
        dpy, self._display = self._display, None
        if dpy is not None:
            root = dpy.screen().root
            for keycode, mods in self._grabs:
                root.ungrab_key(keycode, mods)
            dpy.sync()
            dpy.close()
        self._grabs.clear()


class X11Hotkeys:
    """Presses of named chords (``HotkeyBackend``)."""

    def __init__(self) -> None:
        self._keys = X11KeyGrabs("deskhand-hotkeys")
        self._names: dict[tuple[int, int], str] = {}

    def start(self, chords: Mapping[str, Chord], on_hotkey: OnHotkey) -> list[str]:
        self._keys.open()
        problems = []
        for name, chord in chords.items():
            grabbed = self._keys.grab(chord, "hotkey")
            if isinstance(grabbed, str):
                problems.append(grabbed)
            else:
                self._names[grabbed] = name
        self._keys.listen(lambda _dpy, event: self._event(event, on_hotkey))
        return problems

    def _event(self, event: Any, on_hotkey: OnHotkey) -> None:
        if event.type != X.KeyPress:
            return
        relevant = X.ControlMask | X.Mod1Mask | X.ShiftMask | X.Mod4Mask
        name = self._names.get((event.detail, event.state & relevant & ~self._keys.ignored))
        if name is not None:
            try:
                on_hotkey(name)
            except Exception:  # a thread boundary: never let a handler kill the listener
                log.exception("hotkey handler for %s failed", name)

    def stop(self) -> None:
        self._keys.stop()
        self._names.clear()
