"""Work on an observation that starts only if the caller is still busy after a delay.

The inspector uses it to read the whole screenshot while the model thinks: a fast model
answers before the delay and costs nothing; a slow one gets the work done in its shadow.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from deskhand.core.observation import Observation

__all__ = ["Prefetch"]

T = TypeVar("T")


class Prefetch(Generic[T]):
    """``work(observation)`` in a helper thread, started after ``delay`` unless cancelled or taken first."""

    def __init__(self, observation: Observation, delay: float, work: Callable[[Observation], T]) -> None:
        self.observation_id = observation.id
        self._work = work
        self._lock = threading.Lock()
        self._state = "waiting"  # -> "running" -> "done", or -> "cancelled"
        self._done = threading.Event()
        self._result: T | None = None
        self._timer = threading.Timer(delay, self._run, args=(observation,))
        self._timer.daemon = True
        self._timer.start()

    def _run(self, observation: Observation) -> None:
        with self._lock:
            if self._state != "waiting":
                return
            self._state = "running"
        try:
            self._result = self._work(observation)
        finally:
            self._state = "done"
            self._done.set()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def cancel(self) -> None:
        with self._lock:
            if self._state == "waiting":
                self._state = "cancelled"
        self._timer.cancel()

    def take(self, timeout: float) -> T | None:
        """The work's result: waits if it is under way; ``None`` if it never started."""
        with self._lock:
            if self._state == "waiting":
                self._state = "cancelled"
                self._timer.cancel()
                return None
            if self._state == "cancelled":
                return None
        self._done.wait(timeout)
        return self._result
