"""Pausing a task while the model server is away, and resuming it when it is back.

Ollama restarting, running out of memory mid-answer, or a proxy cutting the stream are
passing faults: the step that met one executed nothing yet (the model had not answered),
so it can simply run again -- with a fresh screenshot -- once the server answers.
``PauseAndRetry`` is the ``FaultWaiter`` the CLI and the tray app use: it tells the user
the task is paused and why, waits with growing pauses, and gives up ``patience`` seconds
after the fault (``None``: wait until the user stops).  Those seconds are wall-clock time and
include the retries themselves: a retry's wait for the server (connecting, the first word of
the answer) is bounded by ``time_left``, which the model client asks before each request, so
a server that accepts connections and then stays silent cannot stretch the pause to several
``first_token_timeout``s.  The loop keeps everything it knows (history, answers,
permissions) while it waits.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from deskhand.core.errors import DeskhandError, Stopped

__all__ = ["LAST_TRY", "PAUSES", "Pause", "PauseAndRetry", "PauseNotice"]

PAUSES = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0)  # seconds before each retry; the last one repeats
_SLICE = 0.05  # how often Stop is checked while waiting
LAST_TRY = 1.0  # seconds a retry may wait for the server even when the patience is spent


class Pause(StrEnum):
    PAUSED = "paused"
    RESUMED = "resumed"
    GAVE_UP = "gave up"


@dataclass(frozen=True, slots=True)
class PauseNotice:
    """What to tell the user: the event, and one line saying it (why, and what happens next).

    ``reason`` (the server's fault), ``retry_in`` and ``attempt`` are the parts of a PAUSED
    line, so a front-end can say a repeated pause briefly instead of the whole line again.
    """

    event: Pause
    text: str
    reason: str = ""
    retry_in: float = 0.0
    attempt: int = 0


@dataclass
class PauseAndRetry:
    notify: Callable[[PauseNotice], None]
    should_stop: Callable[[], bool]
    sleep: Callable[[float], None]
    patience: float | None = 20.0
    pauses: tuple[float, ...] = PAUSES
    clock: Callable[[], float] = time.monotonic
    since: float | None = None  # when the current pause began (the fault); None: not paused

    @property
    def waited(self) -> float:
        """Seconds since the fault that began the current pause, retries included."""
        return 0.0 if self.since is None else self.clock() - self.since

    def time_left(self) -> float | None:
        """How long a request made now may wait for the server; None: no bound from here.

        While paused with a patience, what is left of it -- but at least ``LAST_TRY``, so the
        try after the last pause is a real one and not an instant failure.
        """
        if self.since is None or self.patience is None:
            return None
        return max(LAST_TRY, self.patience - self.waited)

    def wait_to_retry(self, error: DeskhandError, attempt: int) -> bool:
        if self.since is None:
            self.since = self.clock()
        delay = self.pauses[min(attempt, len(self.pauses)) - 1]
        if self.patience is not None:
            delay = min(delay, self.patience - self.waited)
            if delay < _SLICE:  # the patience is spent
                self.notify(
                    PauseNotice(
                        Pause.GAVE_UP,
                        f"Gave up after waiting {self.waited:.0f} s for the model server; the steps so "
                        "far are kept (`deskhand history`). Run the task again once the server answers.",
                    )
                )
                return False
        self.notify(
            PauseNotice(
                Pause.PAUSED,
                f"Paused: {error} Retrying in {delay:g} s (attempt {attempt}); Stop ends the task.",
                reason=str(error),
                retry_in=delay,
                attempt=attempt,
            )
        )
        wake = self.clock() + delay
        while (left := wake - self.clock()) > 0:
            if self.should_stop():
                raise Stopped()
            self.sleep(min(_SLICE, left))
        return True

    def resumed(self) -> None:
        self.since = None
        self.notify(PauseNotice(Pause.RESUMED, "Resumed: the model server answers again."))
