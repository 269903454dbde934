"""One pass of the loop: observe, decide, then for each action judge, confirm, execute, settle.

A ``Step`` is an object only so each stage reads as one short method; it records what
happened in a ``StepLog`` and ends as a ``StepEnd``: what the model may remember of it,
and the task's result if the step ended the task.
"""

from __future__ import annotations

from dataclasses import dataclass

from deskhand.core.actions import Action, AskUser, Decision, Finish, RunShell, describe
from deskhand.core.errors import ExecutionFailed, Stopped
from deskhand.core.inspection import find_target
from deskhand.core.observation import Observation
from deskhand.core.outcome import (
    Declined,
    Executed,
    Failed,
    Repeated,
    StepMemory,
    StepOutcome,
    Unparseable,
)
from deskhand.core.pointer import pointer_after, with_pointer
from deskhand.core.policy import UserAnswer, approve, assess
from deskhand.core.step_log import StepLog
from deskhand.core.target import TargetInfo
from deskhand.core.task import TaskResult, TaskRun, TaskStatus
from deskhand.core.verdict import Level, Verdict


@dataclass(frozen=True, slots=True)
class StepEnd:
    memory: StepMemory
    result: TaskResult | None


class Step:
    """One pass of the loop (see the module docstring)."""

    def __init__(self, number: int, shared: TaskRun) -> None:
        self.number, self.shared = number, shared
        self.parts, self.limits, self.guard = shared.parts, shared.limits, shared.guard
        self.log = StepLog(number, self.parts.model.name, self.parts.dialect.name, self.parts.clock)

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
        conversation = dialect.conversation(self.shared.task, self.shared.history, observation)
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
            self.log.judged(action, assess(action, unlocked=self.parts.unlocked), None)
            self.log.outcome(outcome)
            return outcome
        target, verdict = self._judge(action, observation)
        answer = self._ask_if_needed(action, verdict, observation)
        approved = approve(action, verdict, observation.geometry, user=answer)
        self.log.judged(action, verdict, answer, target)
        if approved is None:
            outcome = Declined(action, verdict, blocked=verdict.level is Level.BLOCK)
        else:
            try:
                with self.log.timing("execute"):
                    outcome = Executed(
                        action, self.parts.executor.execute(approved, should_stop=self.parts.should_stop)
                    )
            except ExecutionFailed as exc:
                outcome = Failed(action, str(exc))
            if isinstance(outcome, Executed):
                self.guard.executed(action, observation)
                self.shared.pointer = pointer_after(action, observation.geometry, self.shared.pointer)
                with self.log.timing("settle"):
                    self.parts.settler.settle(action, observation)
        self.log.outcome(outcome)
        return outcome

    def _judge(self, action: Action, observation: Observation) -> tuple[TargetInfo | None, Verdict]:
        """What the action lands on, and the policy's verdict on both -- raised to confirm
        when the user asked to approve everything.

        The action is judged on its own first: a target can only raise a level, so a
        blocked action is not worth a lookup, and one the inspector finds nothing for is
        judged once.
        """
        verdict = assess(action, unlocked=self.parts.unlocked)
        target = None
        if self.parts.inspector is not None and verdict.level is not Level.BLOCK:
            with self.log.timing("inspect"):
                target = find_target(self.parts.inspector, action, observation)
            if target is not None:
                verdict = assess(action, target, unlocked=self.parts.unlocked)
        if self.parts.ask_every_action and verdict.level is Level.AUTO:
            verdict = Verdict(
                level=Level.CONFIRM, reason=f"you asked to approve every action ({verdict.reason})"
            )
        return target, verdict

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
        memory = StepMemory(observation.id, observation.image, record.raw_output, self.log.feedback())
        return StepEnd(memory, result)

    def _check_stop(self) -> None:
        if self.parts.should_stop():
            raise Stopped()
