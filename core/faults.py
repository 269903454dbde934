"""Pausing a task while the model server is away, and resuming it when it is back.

Ollama restarting, running out of memory mid-answer, or a proxy cutting the stream are
passing faults: the step that met one executed nothing yet (the model had not answered),
so it can simply run again -- with a fresh screenshot -- once the server answers.
``PauseAndRetry`` is the ``FaultWaiter`` the CLI and the tray app use: it tells the user
the task is paused and why, waits with growing pauses, and gives up after ``patience``
seconds in all (``None``: wait until the user stops).  The loop keeps everything it knows
(history, answers, permissions) while it waits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from deskhand.core.errors import DeskhandError, Stopped

PAUSES = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0)  # seconds before each retry; the last one repeats
_SLICE = 0.05  # how often Stop is checked while waiting


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
    waited: float = 0.0  # in the current pause

    def wait_to_retry(self, error: DeskhandError, attempt: int) -> bool:
        delay = self.pauses[min(attempt, len(self.pauses)) - 1]
        if self.patience is not None:
            delay = min(delay, self.patience - self.waited)
            if delay <= 0:
                self.notify(
                    PauseNotice(
                        Pause.GAVE_UP,
                        f"Gave up after waiting {self.waited:g} s for the model server; the steps so "
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
        left = delay
        while left > 0:
            if self.should_stop():
                raise Stopped()
            self.sleep(min(_SLICE, left))
            left -= _SLICE
        self.waited += delay
        return True

    def resumed(self) -> None:
        self.waited = 0.0
        self.notify(PauseNotice(Pause.RESUMED, "Resumed: the model server answers again."))
