"""The agent loop: observe → decide → assess → confirm → execute → settle → record.

It runs until the model finishes, gives up or asks something nobody answers, the step or
time budget runs out, or the user stops.  Every action is bound to the screenshot it was
decided on (``Approved`` carries that screenshot's geometry).  Unparseable output gets
``limits.max_repairs`` repair turns, then the task fails; a denied or blocked action is
told to the model and the loop goes on.  Exceptions mean stop: set-up and model-server
failures propagate to the caller; ``Stopped`` becomes a result.

``Parts.warm_up`` (loading the model) starts in a helper thread as the task begins, so it
runs while the first screenshot is taken and encoded; the first model call waits for it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from deskhand.core.actions import Action, AskUser, Decision, Finish, RunShell, describe
from deskhand.core.errors import ExecutionFailed, Stopped
from deskhand.core.observation import Observation
from deskhand.core.outcome import (
    Declined,
    Executed,
    Failed,
    StepMemory,
    StepOutcome,
    Unparseable,
)
from deskhand.core.policy import UserAnswer, approve, assess
from deskhand.core.ports import (
    Approver,
    Clock,
    Dialect,
    Executor,
    Model,
    Screen,
    Settler,
    ShouldStop,
    StepSink,
)
from deskhand.core.step_log import StepLog
from deskhand.core.verdict import Level, Verdict


class TaskStatus(StrEnum):
    FINISHED = "finished"
    GAVE_UP = "gave_up"
    FAILED = "failed"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class TaskResult:
    status: TaskStatus
    message: str
    steps: int


@dataclass(frozen=True, slots=True)
class Limits:
    max_steps: int = 30
    max_repairs: int = 1
    max_seconds: float = 1800.0


def _never() -> bool:
    return False


@dataclass(frozen=True)
class Parts:
    """The concrete parts one task runs with (see ``deskhand.app.wiring``)."""

    screen: Screen
    model: Model
    dialect: Dialect
    approver: Approver
    executor: Executor
    settler: Settler
    clock: Clock
    sinks: Sequence[StepSink] = ()
    should_stop: ShouldStop = field(default=_never)
    on_decision: Callable[[int, Decision], None] | None = None
    warm_up: Callable[[], None] | None = None
    ask_every_action: bool = False


class _WarmUp:
    """``Parts.warm_up`` running in a helper thread; ``wait`` hands over how it ended."""

    def __init__(self, work: Callable[[], None]) -> None:
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(work,), name="deskhand-warm-up", daemon=True)
        self._thread.start()

    def _run(self, work: Callable[[], None]) -> None:
        try:
            work()
        except BaseException as exc:  # handed over to the loop's thread by wait()
            self._error = exc

    def wait(self, should_stop: ShouldStop) -> None:
        """Block until it is done (Stop is honoured meanwhile); re-raise what it raised."""
        while self._thread.is_alive():
            if should_stop():
                raise Stopped()
            self._thread.join(0.02)
        if self._error is not None:
            raise self._error


@dataclass(frozen=True, slots=True)
class _StepEnd:
    memory: StepMemory
    result: TaskResult | None


def run_task(task: str, parts: Parts, limits: Limits = Limits()) -> TaskResult:
    """Run one task to its end and say how it ended."""
    history: list[StepMemory] = []
    allowed_for_task: set[tuple[str, str]] = set()
    deadline = parts.clock.now() + limits.max_seconds
    warm_up = _WarmUp(parts.warm_up) if parts.warm_up is not None else None
    try:
        for number in range(1, limits.max_steps + 1):
            if parts.clock.now() > deadline:
                return TaskResult(
                    TaskStatus.GAVE_UP, f"Ran out of time ({limits.max_seconds:g} s).", number - 1
                )
            end = _Step(number, task, history, parts, limits, allowed_for_task, warm_up).run()
            warm_up = None
            history.append(end.memory)
            if end.result is not None:
                return end.result
        return TaskResult(
            TaskStatus.GAVE_UP, f"Used all {limits.max_steps} steps without finishing.", limits.max_steps
        )
    except Stopped as stop:
        return TaskResult(TaskStatus.STOPPED, str(stop), len(history))
    finally:
        parts.executor.release_all()


class _Step:
    """One pass of the loop; kept as an object so each stage reads as one short method."""

    def __init__(
        self,
        number: int,
        task: str,
        history: Sequence[StepMemory],
        parts: Parts,
        limits: Limits,
        allowed_for_task: set[tuple[str, str]],
        warm_up: _WarmUp | None = None,
    ) -> None:
        self.number, self.task, self.history = number, task, history
        self.parts, self.limits, self.allowed = parts, limits, allowed_for_task
        self.warm_up = warm_up
        self.log = StepLog(number, parts.model.name, parts.dialect.name, parts.clock)

    def run(self) -> _StepEnd:
        self._check_stop()
        observation = self.parts.screen.observe()
        self.log.observed(observation)
        try:
            result = self._act_on(observation)
        except Stopped:
            self.log.concluded("stopped by the user")
            self._end(observation, None)
            raise
        return self._end(observation, result)

    def _act_on(self, observation: Observation) -> TaskResult | None:
        decision = self._decide(observation)
        if isinstance(decision, Unparseable):
            self.log.concluded(f"unparseable: {decision.problem}")
            message = (
                f"The model's answer could not be understood, even after asking again: {decision.problem}"
            )
            return TaskResult(TaskStatus.FAILED, message, self.number)
        self.log.decided(decision)
        if self.parts.on_decision is not None:
            self.parts.on_decision(self.number, decision)
        for action in decision.actions:
            self._check_stop()
            if isinstance(action, Finish | AskUser):
                return self._conclude(action)
            if not isinstance(self._carry_out(action, observation), Executed):
                break
        return None

    def _decide(self, observation: Observation) -> Decision | Unparseable:
        dialect = self.parts.dialect
        conversation = dialect.conversation(self.task, self.history, observation)
        if self.warm_up is not None:
            with self.log.timing("model"):
                self.warm_up.wait(self.parts.should_stop)
        for attempt in range(self.limits.max_repairs + 1):
            self._check_stop()
            completion = self.parts.model.complete(conversation, should_stop=self.parts.should_stop)
            self.log.answered(completion)
            with self.log.timing("parse"):
                parsed = dialect.parse(completion.text, observation)
            if isinstance(parsed, Decision):
                return parsed
            self.log.unparseable(parsed)
            if attempt < self.limits.max_repairs:
                conversation = dialect.repair(conversation, parsed.raw, parsed.problem)
        return parsed

    def _carry_out(self, action: Action, observation: Observation) -> StepOutcome:
        verdict = self._judge(action)
        answer = self._ask_if_needed(action, verdict, observation)
        approved = approve(action, verdict, observation.geometry, user=answer)
        self.log.judged(action, verdict, answer)
        if approved is None:
            outcome: StepOutcome = Declined(action, verdict, blocked=verdict.level is Level.BLOCK)
        else:
            try:
                with self.log.timing("execute"):
                    outcome = Executed(
                        action, self.parts.executor.execute(approved, should_stop=self.parts.should_stop)
                    )
            except ExecutionFailed as exc:
                outcome = Failed(action, str(exc))
            if isinstance(outcome, Executed):
                with self.log.timing("settle"):
                    self.parts.settler.settle(action, observation)
        self.log.outcome(outcome)
        return outcome

    def _judge(self, action: Action) -> Verdict:
        """The policy's verdict, raised to confirm when the user asked to approve everything."""
        verdict = assess(action)
        if self.parts.ask_every_action and verdict.level is Level.AUTO:
            return Verdict(
                level=Level.CONFIRM, reason=f"you asked to approve every action ({verdict.reason})"
            )
        return verdict

    def _ask_if_needed(self, action: Action, verdict: Verdict, observation: Observation) -> UserAnswer | None:
        if verdict.level is not Level.CONFIRM:
            return None
        key = (action.command if isinstance(action, RunShell) else action.kind, verdict.reason)
        if key in self.allowed:
            return UserAnswer.ALLOW_FOR_TASK
        with self.log.timing("confirm"):
            answer = self.parts.approver.confirm(action, verdict, observation)
        self._check_stop()
        if answer is UserAnswer.ALLOW_FOR_TASK:
            self.allowed.add(key)
        return answer

    def _conclude(self, action: Finish | AskUser) -> TaskResult | None:
        self.log.judged(action, Verdict(level=Level.AUTO, reason="ends the task; nothing is executed"), None)
        if isinstance(action, Finish):
            status = TaskStatus.FINISHED if action.success else TaskStatus.GAVE_UP
            self.log.concluded(describe(action))
            return TaskResult(status, action.summary or describe(action), self.number)
        with self.log.timing("confirm"):
            reply = self.parts.approver.answer(action.question)
        if reply is None:
            self.log.concluded(f"asked the user, no answer: {action.question}")
            return TaskResult(TaskStatus.GAVE_UP, f"The model asked: {action.question}", self.number)
        self.log.user_replied(reply)
        return None

    def _end(self, observation: Observation, result: TaskResult | None) -> _StepEnd:
        record = self.log.record(observation)
        for sink in self.parts.sinks:
            sink.record(record, observation)
        memory = StepMemory(observation.id, observation.image, record.raw_output, self.log.feedback())
        return _StepEnd(memory, result)

    def _check_stop(self) -> None:
        if self.parts.should_stop():
            raise Stopped()
