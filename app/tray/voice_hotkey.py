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
import sys
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from deskhand.app.platform.hotkeys import Chord, HotkeyBackend, default_backend, parse_chord

if TYPE_CHECKING:  # Xlib is there only on X11: imported when the grab is made
    from deskhand.app.platform.hotkeys_x11 import X11KeyGrabs

__all__ = ["PushToTalkKey"]

log = logging.getLogger(__name__)


class _X11PressRelease:
    """Grabs one chord on its own connection and thread; reports press and release."""

    def __init__(self, on_press: Callable[[], None], on_release: Callable[[], None]) -> None:
        self.on_press, self.on_release = on_press, on_release
        self._keys: X11KeyGrabs | None = None
        self._keycode = 0
        self._held = False

    def start(self, chord: Chord) -> list[str]:
        from deskhand.app.platform.hotkeys_x11 import X11KeyGrabs

        keys = self._keys = X11KeyGrabs("deskhand-push-to-talk-key")
        keys.open()
        grabbed = keys.grab(chord, "push-to-talk hotkey")
        if isinstance(grabbed, str):
            return [grabbed]
        self._keycode, self._held = grabbed[0], False
        keys.listen(self._event)
        return []

    def _event(self, dpy: Any, event: Any) -> None:
        from Xlib import X

        if getattr(event, "detail", None) != self._keycode:
            return
        if event.type == X.KeyPress and not self._held:
            self._held = True
            self.on_press()
        elif event.type == X.KeyRelease and self._held:
            if dpy.pending_events():  # auto-repeat: a press with the same time follows
                following = dpy.next_event()
                if following.type == X.KeyPress and following.time == event.time:
                    return
            self._held = False
            self.on_release()

    def stop(self) -> None:
        keys, self._keys = self._keys, None
        if keys is not None:
            keys.stop()


class PushToTalkKey(QObject):
    """``pressed`` / ``released`` on the GUI thread; ``released`` never comes where the
    platform cannot report it (``reports_release`` says which)."""

    pressed = Signal()
    released = Signal(float)  # how long the key was held, timed where the key events arrive

    def __init__(self) -> None:
        super().__init__()
        self._down_at = 0.0
        self._x11: _X11PressRelease | None = None
        self._backend: HotkeyBackend | None = None
        self.reports_release = False

    def start(self, text: str, backend: HotkeyBackend | None = None) -> list[str]:
        self.stop()
        chord = parse_chord(text)
        if backend is None and sys.platform.startswith("linux") and os.environ.get("DISPLAY"):
            self._x11 = _X11PressRelease(self._went_down, self._went_up)
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

    def _went_down(self) -> None:
        self._down_at = time.monotonic()
        self.pressed.emit()

    def _went_up(self) -> None:
        """On the key-grab thread: the hold is timed here, not when the GUI thread gets to
        it (which may be busy starting the recording, and would turn a tap into a hold)."""
        self.released.emit(time.monotonic() - self._down_at)

    def stop(self) -> None:
        if self._x11 is not None:
            self._x11.stop()
            self._x11 = None
        if self._backend is not None:
            self._backend.stop()
            self._backend = None
