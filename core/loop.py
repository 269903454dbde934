"""The agent loop: observe → decide → assess → confirm → execute → settle → record.

It runs until the model finishes, gives up or asks something nobody answers, the step or
time budget runs out, the model keeps repeating an action that changes nothing, or the
user stops.  Every action is bound to the screenshot it was decided on (``Approved``
carries that screenshot's geometry), and judged with what the inspector finds where it
lands.  Unparseable output gets ``limits.max_repairs`` repair turns, then the task fails;
a denied, blocked or pointlessly repeated action is told to the model and the loop goes
on.  Exceptions mean stop: set-up failures propagate to the caller; a passing model-server
fault pauses the task (``Parts.faults``) and the step runs again when the server is back;
``Stopped`` becomes a result.

A requested pause (``Parts.pause``, the user's "Take over") is honoured before the next
action: the rest of the step's actions are dropped and the loop holds before its next
screenshot until the user resumes (time held does not count against ``max_seconds``).
``history`` carries the steps of an earlier task a follow-up goes on from.

``Parts.warm_up`` (loading the model) starts in a helper thread as the task begins, so it
runs while the first screenshot is taken and encoded; the first model call waits for it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from deskhand.core.errors import DeskhandError, Stopped
from deskhand.core.outcome import StepMemory
from deskhand.core.ports import FaultWaiter
from deskhand.core.step import Step, StepEnd
from deskhand.core.task import Limits, Parts, TaskResult, TaskRun, TaskStatus
from deskhand.core.warm_up import WarmUp

__all__ = ["Deadline", "Limits", "Parts", "TaskResult", "TaskStatus", "retrying", "run_task"]


DEFAULT_LIMITS = Limits()


def run_task(
    task: str, parts: Parts, limits: Limits = DEFAULT_LIMITS, *, history: Sequence[StepMemory] = ()
) -> TaskResult:
    """Run one task to its end and say how it ended (``history``: an earlier task's steps)."""
    shared = TaskRun(
        task,
        parts,
        limits,
        warm_up=WarmUp(parts.warm_up) if parts.warm_up else None,
        memories=tuple(parts.recall(task)) if parts.recall is not None else (),
    )
    shared.history.extend(history)
    deadline = Deadline(parts, limits)
    steps = 0
    try:
        for number in range(1, limits.max_steps + 1):
            late = deadline.passed_after_pause()
            if late is not None:
                return _ended(shared, TaskStatus.GAVE_UP, late, steps)
            end = _run_step(number, shared)
            shared.history.append(end.memory)
            steps = number
            if end.result is not None:
                return _ended(shared, end.result.status, end.result.message, end.result.steps)
        return _ended(
            shared,
            TaskStatus.GAVE_UP,
            f"Used all {limits.max_steps} steps without finishing.",
            limits.max_steps,
        )
    except Stopped as stop:
        return _ended(shared, TaskStatus.STOPPED, str(stop), steps)
    finally:
        parts.executor.release_all()


class Deadline:
    """A task's ``limits.max_seconds``, counted from now; time held paused is not counted."""

    def __init__(self, parts: Parts, limits: Limits) -> None:
        self._parts = parts
        self._seconds = limits.max_seconds
        self._at = parts.clock.now() + limits.max_seconds

    def passed_after_pause(self) -> str | None:
        """Before a step: wait while the task is paused (moving the deadline on by as long),
        then say "Ran out of time" if the deadline has passed (None if not)."""
        clock = self._parts.clock
        held_from = clock.now()
        if self._parts.pause.hold(self._parts.should_stop):
            self._at += clock.now() - held_from
        if clock.now() > self._at:
            return f"Ran out of time ({self._seconds:g} s)."
        return None


def _ended(shared: TaskRun, status: TaskStatus, message: str, steps: int) -> TaskResult:
    return TaskResult(status, message, steps, history=tuple(shared.history))


def _run_step(number: int, shared: TaskRun) -> StepEnd:
    """One step of the model loop, again after a passing model-server fault (``retrying``)."""
    return retrying(Step(number, shared).run, shared.parts.faults)


def retrying(run_once: Callable[[], StepEnd], faults: FaultWaiter | None) -> StepEnd:
    """``run_once``; if the model server fails in a passing way, pause and run it again.

    A step that met a server fault had not executed anything (the model had not answered),
    so running it again from a fresh screenshot repeats nothing.  The model loop and a skill
    replay (``deskhand.core.replay``) both take their steps through here.
    """
    attempt = 0
    while True:
        try:
            end = run_once()
        except DeskhandError as error:
            attempt += 1
            if isinstance(error, Stopped) or not error.transient or faults is None:
                raise
            if not faults.wait_to_retry(error, attempt):
                raise
            continue
        if attempt and faults is not None:
            faults.resumed()
        return end
