"""Stop: asked for once, from any thread, and read by whatever is running the task.

A front-end makes one ``StopToken`` per task (the CLI on Ctrl+C, the tray's Stop button
and hotkey, an MCP server's stop bar) and hands it to the task's session; every part
that must stop between input events reads it by calling it -- a ``StopToken`` *is* the
loop's ``ShouldStop`` -- so there is one thing to set and one way it travels.  It is
never lowered again: a new task gets a new token, as it gets a new ``PauseToken``.
"""

from __future__ import annotations

import threading

__all__ = ["StopToken"]


class StopToken:
    """Thread-safe: ``request`` from anywhere; ``requested`` (or calling it) anywhere."""

    __slots__ = ("_event",)

    def __init__(self) -> None:
        self._event = threading.Event()

    def request(self) -> bool:
        """Ask the task to stop before its next input event; False if it was asked already."""
        if self._event.is_set():
            return False
        self._event.set()
        return True

    @property
    def requested(self) -> bool:
        return self._event.is_set()

    def __call__(self) -> bool:
        """The loop's ``ShouldStop``."""
        return self._event.is_set()

    def wait(self, timeout: float) -> bool:
        """Sleep up to ``timeout`` seconds, waking at once on Stop; True if Stop was asked."""
        return self._event.wait(timeout)
