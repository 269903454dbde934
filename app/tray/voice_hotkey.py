"""The push-to-talk hotkey: it needs the key's *release* too, which ``GlobalHotkeys`` ignores.

On X11 a passive ``XGrabKey`` turns into an active keyboard grab while the key is down,
so the release comes to us as well.  Holding a key makes X send release+press pairs with
the same timestamp (auto-repeat); a release followed at once by a press of the same key
is dropped.  The release is matched on the key alone: the user may let go of Ctrl first.

Elsewhere (Windows, and X11 when the grab fails) the platform hotkey backend reports
presses only; push-to-talk then works by toggling -- press to start, press again or
pause to finish -- which ``VoiceController`` handles with the same two signals.
"""

from __future__ import annotations

import logging
import os
import select
import sys
import threading
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QObject, Signal

from deskhand.app.platform.hotkeys import Chord, HotkeyBackend, default_backend, parse_chord

__all__ = ["PushToTalkKey"]

log = logging.getLogger(__name__)


class _X11PressRelease:
    """Grabs one chord on its own connection and thread; reports press and release."""

    def __init__(self, on_press: Callable[[], None], on_release: Callable[[], None]) -> None:
        self.on_press, self.on_release = on_press, on_release
        self._display: Any = None
        self._grabs: list[tuple[int, int]] = []
        self._thread: threading.Thread | None = None
        self._wake_r, self._wake_w = -1, -1
        self._keycode = 0

    def start(self, chord: Chord) -> list[str]:
        from Xlib import X, display, error

        from deskhand.app.platform.hotkeys_x11 import MODIFIER_MASKS, X11Hotkeys, keysym_for

        dpy = self._display = display.Display()
        root = dpy.screen().root
        keycode = self._keycode = dpy.keysym_to_keycode(keysym_for(chord.key))
        if not keycode:
            return [
                f"The push-to-talk hotkey {chord} cannot be grabbed: this keyboard has no {chord.key!r} key."
            ]
        mods = 0
        for modifier in chord.modifiers:
            mods |= MODIFIER_MASKS[modifier]
        numlock = X11Hotkeys._numlock_mask(dpy)
        locks = sorted({0, X.LockMask, numlock, X.LockMask | numlock})
        catcher = error.CatchError(error.BadAccess)
        for lock in locks:
            root.grab_key(keycode, mods | lock, True, X.GrabModeAsync, X.GrabModeAsync, onerror=catcher)
        dpy.sync()
        if catcher.get_error() is not None:
            for lock in locks:
                root.ungrab_key(keycode, mods | lock)
            dpy.sync()
            return [f"The push-to-talk hotkey {chord} is already taken by another program; pick another one."]
        self._grabs = [(keycode, mods | lock) for lock in locks]
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=self._listen, name="deskhand-push-to-talk-key", daemon=True)
        self._thread.start()
        return []

    def _listen(self) -> None:
        from Xlib import X

        dpy = self._display
        assert dpy is not None  # noqa: S101 - set by start()
        held = False
        while True:
            ready, _, _ = select.select([dpy.fileno(), self._wake_r], [], [], 1.0)
            if self._wake_r in ready:
                return
            while dpy.pending_events():
                event = dpy.next_event()
                if getattr(event, "detail", None) != self._keycode:
                    continue
                if event.type == X.KeyPress and not held:
                    held = True
                    self.on_press()
                elif event.type == X.KeyRelease and held:
                    if dpy.pending_events():  # auto-repeat: a press with the same time follows
                        following = dpy.next_event()
                        if following.type == X.KeyPress and following.time == event.time:
                            continue
                    held = False
                    self.on_release()

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


class PushToTalkKey(QObject):
    """``pressed`` / ``released`` on the GUI thread; ``released`` never comes where the
    platform cannot report it (``reports_release`` says which)."""

    pressed = Signal()
    released = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._x11: _X11PressRelease | None = None
        self._backend: HotkeyBackend | None = None
        self.reports_release = False

    def start(self, text: str, backend: HotkeyBackend | None = None) -> list[str]:
        self.stop()
        chord = parse_chord(text)
        if backend is None and sys.platform.startswith("linux") and os.environ.get("DISPLAY"):
            self._x11 = _X11PressRelease(self.pressed.emit, self.released.emit)
            problems = self._x11.start(chord)
            if problems:
                self._x11.stop()
                self._x11 = None
            else:
                self.reports_release = True
            return problems
        self._backend = backend or default_backend()
        chords: Mapping[str, Chord] = {"push_to_talk": chord}
        self.reports_release = False
        return self._backend.start(chords, lambda _name: self.pressed.emit())

    def stop(self) -> None:
        if self._x11 is not None:
            self._x11.stop()
            self._x11 = None
        if self._backend is not None:
            self._backend.stop()
            self._backend = None
