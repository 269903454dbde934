"""X11 global hotkeys: ``XGrabKey`` on the root window, read on a background thread.

The grab is made for the chord's modifiers combined with every state of Caps Lock and Num
Lock (X treats them as modifiers, so a plain grab would not fire while either is on).  The
thread owns its own connection and sleeps in ``select`` on it and on a wake-up pipe, so
``stop`` ends it at once; the keys are ungrabbed after the thread has ended.
"""

from __future__ import annotations

import logging
import os
import select
import threading
from collections.abc import Mapping

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


class X11Hotkeys:
    def __init__(self) -> None:
        self._display: display.Display | None = None
        self._grabs: list[tuple[int, int]] = []
        self._names: dict[tuple[int, int], str] = {}
        self._thread: threading.Thread | None = None
        self._wake_r, self._wake_w = -1, -1
        self._ignored = X.LockMask

    def start(self, chords: Mapping[str, Chord], on_hotkey: OnHotkey) -> list[str]:
        dpy = self._display = display.Display()
        root = dpy.screen().root
        self._ignored = X.LockMask | self._numlock_mask(dpy)
        locks = [0, X.LockMask, self._ignored & ~X.LockMask, self._ignored]
        problems = []
        for name, chord in chords.items():
            keycode = dpy.keysym_to_keycode(keysym_for(chord.key))
            if not keycode:
                problems.append(
                    f"The hotkey {chord} cannot be grabbed: this keyboard has no {chord.key!r} key."
                )
                continue
            mods = 0
            for modifier in chord.modifiers:
                mods |= MODIFIER_MASKS[modifier]
            catcher = error.CatchError(error.BadAccess)
            for lock in sorted(set(locks)):
                root.grab_key(keycode, mods | lock, True, X.GrabModeAsync, X.GrabModeAsync, onerror=catcher)
            dpy.sync()
            if catcher.get_error() is not None:
                problems.append(f"The hotkey {chord} is already taken by another program; pick another one.")
                for lock in sorted(set(locks)):
                    root.ungrab_key(keycode, mods | lock)
                continue
            self._grabs.extend((keycode, mods | lock) for lock in sorted(set(locks)))
            self._names[(keycode, mods)] = name
        dpy.sync()
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(
            target=self._listen, args=(on_hotkey,), name="deskhand-hotkeys", daemon=True
        )
        self._thread.start()
        return problems

    @staticmethod
    def _numlock_mask(dpy: display.Display) -> int:
        numlock = dpy.keysym_to_keycode(XK.string_to_keysym("Num_Lock"))
        for index, keycodes in enumerate(dpy.get_modifier_mapping()):
            if numlock and numlock in keycodes:
                return int(1 << index)
        return int(X.Mod2Mask)

    def _listen(self, on_hotkey: OnHotkey) -> None:
        dpy = self._display
        assert dpy is not None  # noqa: S101 - set by start() before the thread runs
        relevant = X.ControlMask | X.Mod1Mask | X.ShiftMask | X.Mod4Mask
        while True:
            ready, _, _ = select.select([dpy.fileno(), self._wake_r], [], [], 1.0)
            if self._wake_r in ready:
                return
            while dpy.pending_events():
                event = dpy.next_event()
                if event.type != X.KeyPress:
                    continue
                name = self._names.get((event.detail, event.state & relevant & ~self._ignored))
                if name is not None:
                    try:
                        on_hotkey(name)
                    except Exception:  # a thread boundary: never let a handler kill the listener
                        log.exception("hotkey handler for %s failed", name)

    def stop(self) -> None:
        if self._thread is not None:
            os.write(self._wake_w, b"x")
            self._thread.join(timeout=2)
            self._thread = None
            os.close(self._wake_r)
            os.close(self._wake_w)
        dpy = self._display
        if dpy is not None:
            root = dpy.screen().root
            for keycode, mods in self._grabs:
                root.ungrab_key(keycode, mods)
            dpy.sync()
            dpy.close()
            self._display = None
        self._grabs.clear()
        self._names.clear()
