"""One pass of the loop: observe, decide, then for each action judge, confirm, execute, settle.

A ``Step`` is an object only so each stage reads as one short method; it records what
happened in a ``StepLog`` and ends as a ``StepEnd``: what the model may remember of it,
and the task's result if the step ended the task.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass

from deskhand.core.actions import Action, AskUser, Decision, Finish, RunShell, TypeText, describe
from deskhand.core.approval import UserAnswer, approve
from deskhand.core.errors import DeskhandError, ExecutionFailed, Stopped
from deskhand.core.gui_rules import is_password_field
from deskhand.core.inspection import judge
from deskhand.core.observation import Observation
from deskhand.core.outcome import (
    NOT_RUN,
    Declined,
    Executed,
    Failed,
    Repeated,
    StepMemory,
    StepOutcome,
    Unparseable,
)
from deskhand.core.pointer import pointer_after, with_pointer
from deskhand.core.policy import assess
from deskhand.core.step_log import StepLog
from deskhand.core.target import TargetInfo
from deskhand.core.task import TaskResult, TaskRun, TaskStatus
from deskhand.core.verdict import Level, Verdict

__all__ = ["Step", "StepEnd"]


@dataclass(frozen=True, slots=True)
class StepEnd:
    memory: StepMemory
    result: TaskResult | None


class Step:
    """One pass of the loop (see the module docstring)."""

    def __init__(self, number: int, shared: TaskRun) -> None:
        self.number, self.shared = number, shared
        self.parts, self.limits, self.guard = shared.parts, shared.limits, shared.guard
        self.log = StepLog(
            number,
            self.parts.model.name,
            self.parts.dialect.name,
            self.parts.clock,
            memories=shared.memories,
            secrets=shared.secrets,
        )

    def run(self) -> StepEnd:
        self._check_stop()
        observation = with_pointer(self.parts.screen.observe(), self.shared.pointer)
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
            if self.parts.pause.requested:
                self.log.taken_over(action)
                break
            if isinstance(action, Finish | AskUser):
                return self._conclude(action)
            if not isinstance(self._carry_out(action, observation), Executed):
                break
        if self.guard.exhausted:
            message = f"The model kept repeating {self.guard.last_refused}, which changed nothing on screen."
            self.log.concluded(message)
            return TaskResult(TaskStatus.GAVE_UP, message, self.number)
        return None

    def _decide(self, observation: Observation) -> Decision | Unparseable:
        dialect = self.parts.dialect
        conversation = dialect.conversation(self.shared.prompt, self.shared.history, observation)
        if self.parts.inspector is not None:
            self.parts.inspector.prepare(observation)
        if self.shared.warm_up is not None:
            with self.log.timing("model"):
                warm_up, self.shared.warm_up = self.shared.warm_up, None
                warm_up.wait(self.parts.should_stop)
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
        repeated = self.guard.check(action, observation)
        if repeated is not None:
            outcome: StepOutcome = Repeated(action, repeated)
            self.log.judged(
                action, assess(action, unlocked=self.parts.unlocked, tools=self.parts.tools), None
            )
            self.log.outcome(outcome)
            return outcome
        target, verdict = self._judge(action, observation)
        if isinstance(action, TypeText) and target is not None and is_password_field(target):
            self.shared.secrets.add(action.text)  # never recorded, never remembered
        if target is not None:  # named to the person asked (the record keeps ``targets``)
            verdict = verdict.model_copy(update={"found": target.describe()})
        answer = self._ask_if_needed(action, verdict, observation)
        approved = approve(action, verdict, observation.geometry, user=answer)
        self.log.judged(action, verdict, answer, target)
        if approved is None:
            outcome = Declined(action, verdict, blocked=verdict.level is Level.BLOCK)
            self.log.outcome(outcome)
            return outcome
        try:
            for journal in self.parts.journals:  # on record before it runs (a crash leaves STARTED)
                journal.started(self.log.record(observation, started=True), observation)
        except DeskhandError:  # cannot record (a full disk): stop without acting
            self.log.concluded(NOT_RUN)
            self._record_if_possible(observation)
            raise
        try:
            with self.log.timing("execute"):
                outcome = Executed(
                    action, self.parts.executor.execute(approved, should_stop=self.parts.should_stop)
                )
        except ExecutionFailed as exc:
            outcome = Failed(action, str(exc))
        except Stopped:
            self.shared.lines.ran(action, target, completely=False)
            raise
        self.shared.lines.ran(action, target, completely=isinstance(outcome, Executed))
        self.log.outcome(outcome)
        for journal in self.parts.journals:
            journal.ended(self.log.record(observation), outcome.summary(), observation)
        if isinstance(outcome, Executed):
            self.guard.executed(action, observation)
            self.shared.pointer = pointer_after(action, observation.geometry, self.shared.pointer)
            with self.log.timing("settle"):
                self.parts.settler.settle(action, observation)
        return outcome

    def _judge(self, action: Action, observation: Observation) -> tuple[TargetInfo | None, Verdict]:
        """What the action lands on, and the policy's verdict on both (``core.inspection.judge``)."""
        return judge(
            action,
            observation,
            inspector=self.parts.inspector,
            unlocked=self.parts.unlocked,
            ask_every_action=self.parts.ask_every_action,
            tools=self.parts.tools,
            lines=self.shared.lines,
            secrets=frozenset(self.shared.secrets),
            timed_inspect=lambda: self.log.timing("inspect"),
        )

    def _ask_if_needed(self, action: Action, verdict: Verdict, observation: Observation) -> UserAnswer | None:
        if verdict.level is not Level.CONFIRM:
            return None
        key = (action.command if isinstance(action, RunShell) else action.kind, verdict.reason)
        if key in self.shared.allowed:
            return UserAnswer.ALLOW_FOR_TASK
        with self.log.timing("confirm"):
            answer = self.parts.approver.confirm(action, verdict, observation)
        self._check_stop()
        if answer is UserAnswer.ALLOW_FOR_TASK:
            self.shared.allowed.add(key)
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

    def _end(self, observation: Observation, result: TaskResult | None) -> StepEnd:
        record = self.log.record(observation)
        for sink in self.parts.sinks:
            sink.record(record, observation)
        memory = StepMemory(
            observation.id,
            observation.image,
            record.raw_output,
            self.log.feedback(),
            tool_images=tuple(self.log.tool_images),
        )
        return StepEnd(memory, result)

    def _record_if_possible(self, observation: Observation) -> None:
        """Give each sink the step as it ends on an error; those that cannot write are skipped
        (the error that ends the task says why)."""
        record = self.log.record(observation)
        for sink in self.parts.sinks:
            with suppress(DeskhandError):
                sink.record(record, observation)

    def _check_stop(self) -> None:
        if self.parts.should_stop():
            raise Stopped()
