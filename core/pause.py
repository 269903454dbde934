"""Take over: the user pauses a running task, uses the desktop, and hands it back.

A ``PauseToken`` travels like the stop flag: the front-end (stop bar, run view) sets it
from its own thread, the loop reads it on the worker thread.  The loop holds only at the
points where nothing is half done -- before an action, and before the next screenshot --
so a paused task never has a key down or a drag in progress, and a resumed task decides
again on a fresh screenshot instead of carrying out actions planned for a screen the user
has since changed.
"""

from __future__ import annotations

import threading

from deskhand.core.errors import Stopped
from deskhand.core.ports import ShouldStop

__all__ = ["PauseToken"]

_SLICE = 0.05  # s: how often Stop is checked while held


class PauseToken:
    """Thread-safe: ``request`` / ``resume`` from anywhere, ``hold`` from the loop's thread."""

    def __init__(self) -> None:
        self._running = threading.Event()
        self._running.set()

    @property
    def requested(self) -> bool:
        return not self._running.is_set()

    def request(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def hold(self, should_stop: ShouldStop) -> bool:
        """Block while a pause is requested; True if it held at all.  Stop ends the wait
        (``Stopped``), so a paused task can always be stopped."""
        held = False
        while not self._running.wait(_SLICE):
            held = True
            if should_stop():
                raise Stopped()
        return held
