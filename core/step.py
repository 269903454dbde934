"""One pass of the loop: observe, decide, then for each action judge, confirm, execute, settle.

The step does the deciding: the planner's step (if any), the element list, the model's
reply and its repair when it cannot be read, the refined points; then it walks the
decision's actions, each carried out by ``deskhand.core.carry_out`` (judged, asked
about, run if approved, settled), until one is not done or the decision ends the task.
A ``Step`` is an object only so each stage reads as one short method; it records what
happened in a ``StepLog`` and ends as a ``StepEnd``: what the model may remember of it,
and the task's result if the step ended the task.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from deskhand.core.actions import Action, AskUser, Decision, Finish, describe
from deskhand.core.between import aimed_points, precondition
from deskhand.core.carry_out import carry_out
from deskhand.core.elements import listing
from deskhand.core.errors import Stopped
from deskhand.core.geometry import ModelSpace
from deskhand.core.observation import Completion, Conversation, Observation
from deskhand.core.outcome import Executed, StepMemory, Unparseable
from deskhand.core.planning import (
    Plan,
    PlanKind,
    ask_planner,
    ends_early,
    grounder_task,
    plan_conversation,
    plan_decision,
)
from deskhand.core.pointer import with_pointer
from deskhand.core.step_log import StepLog
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
            planner_model=self.parts.planner.model.name if self.parts.planner is not None else None,
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
        for index, action in enumerate(decision.actions):
            self._check_stop()
            if self.parts.pause.requested:
                self.log.taken_over(action)
                break
            if isinstance(action, Finish | AskUser):
                return self._conclude(action)
            if index and not self._still_aimed(
                decision.actions[:index], decision.actions[index:], observation
            ):
                break
            if not isinstance(carry_out(action, observation, self.shared, self.log), Executed):
                self._drop(decision.actions[index + 1 :], f"{describe(action)} before it was not done")
                break
        if self.guard.exhausted:
            message = f"The model kept repeating {self.guard.last_refused}, which changed nothing on screen."
            self.log.concluded(message)
            return TaskResult(TaskStatus.GAVE_UP, message, self.number)
        return None

    def _decide(self, observation: Observation) -> Decision | Unparseable:
        dialect = self.parts.dialect
        observation = self._perceive(observation)
        if self.parts.inspector is not None:
            self.parts.inspector.prepare(observation)
        if self.shared.warm_up is not None:
            with self.log.timing("model"):
                warm_up, self.shared.warm_up = self.shared.warm_up, None
                warm_up.wait(self.parts.should_stop)
        plan = self._plan(observation)
        if isinstance(plan, Unparseable):
            return plan
        task, history = self.shared.prompt, self.shared.history
        if plan is not None:  # the grounder turns the planner's step into an action
            if plan.kind is not PlanKind.NEXT:
                return plan_decision(plan)  # only the planner says when the task is done
            task, history = grounder_task(task, plan), []
        conversation = dialect.conversation(task, history, observation)
        for attempt in range(self.limits.max_repairs + 1):
            self._check_stop()
            completion = self.parts.model.complete(conversation, should_stop=self.parts.should_stop)
            self.log.replied(completion)
            with self.log.timing("parse"):
                parsed = dialect.parse(completion.text, observation)
            if isinstance(parsed, Decision) and plan is not None and (why := ends_early(parsed, plan)):
                parsed = Unparseable(completion.text, why)
            if isinstance(parsed, Decision):
                return self._refined(parsed, observation, task)
            self.log.unparseable(parsed)
            if attempt < self.limits.max_repairs:
                conversation = dialect.repair(conversation, parsed.raw, parsed.problem)
        return parsed

    def _plan(self, observation: Observation) -> Plan | Unparseable | None:
        """The planner's next step (None without a planner); a ``Done``/``Fail`` plan ends the
        task as a ``Finish`` the grounder is not asked about (``deskhand.core.planning``)."""
        planner = self.parts.planner
        if planner is None:
            return None
        conversation = plan_conversation(
            planner, self.shared.prompt, self.shared.history, observation, _screen_text(observation)
        )
        plan = ask_planner(
            planner,
            conversation,
            should_stop=self.parts.should_stop,
            repairs=self.limits.max_repairs,
            replied=self.log.planned,
        )
        if isinstance(plan, Plan):
            self.log.plan = plan.text
        return plan

    def _still_aimed(
        self, ran: Sequence[Action], actions: Sequence[Action], observation: Observation
    ) -> bool:
        """Before a further action of one answer (after those that ``ran``): look again, and
        drop it and the rest if the screen changed where it aims (``deskhand.core.between``)."""
        if not aimed_points(actions[0]):
            return True
        with self.log.timing("settle"):  # looking again is part of letting the screen settle
            now = (self.parts.look_again or self.parts.screen).observe()
        acted = tuple(point for action in ran for point in aimed_points(action))
        why = precondition(actions[0], observation, now, acted)
        if why is None:
            return True
        self.log.dropped_action(actions[0], why)
        self._drop(actions[1:], f"{describe(actions[0])} before it was not done")
        return False

    def _drop(self, actions: Sequence[Action], reason: str) -> None:
        for action in actions:
            self.log.dropped_action(action, reason)

    def _perceive(self, observation: Observation) -> Observation:
        """The observation with the element list the model is shown (``core.refine``)."""
        if self.parts.refiner is None:
            return observation
        started = self.parts.clock.now()
        with self.log.timing("inspect"):
            perceived = self.parts.refiner.perceive(observation)
        self.log.perceived(perceived, (self.parts.clock.now() - started) * 1000.0)
        return perceived

    def _refined(self, decision: Decision, observation: Observation, task: str) -> Decision:
        """The decision with its points snapped or zoomed in (``core.refine``); a zoom asks
        again with ``task``, the words the grounder was given (the planner's step, if any)."""
        if self.parts.refiner is None:
            return decision

        def ask(conversation: Conversation) -> Completion:
            self._check_stop()
            completion = self.parts.model.complete(conversation, should_stop=self.parts.should_stop)
            self.log.extra_reply(completion)
            return completion

        refined, notes = self.parts.refiner.refine(
            decision,
            observation,
            task=task,
            dialect=self.parts.dialect,
            ask=ask,
            inspector=self.parts.inspector,
            timed_inspect=lambda: self.log.timing("inspect"),
        )
        self.log.grounded(notes)
        return refined

    def _conclude(self, action: Finish | AskUser) -> TaskResult | None:
        self.log.judged(action, Verdict(level=Level.AUTO, reason="ends the task; nothing is executed"), None)
        if isinstance(action, Finish):
            status = TaskStatus.FINISHED if action.success else TaskStatus.GAVE_UP
            self.log.concluded(describe(action))
            return TaskResult(status, action.summary or describe(action), self.number)
        with self.log.timing("confirm"):
            answer = self.parts.approver.answer(action.question)
        if answer is None:
            self.log.concluded(f"asked the user, no answer: {action.question}")
            return TaskResult(TaskStatus.GAVE_UP, f"The model asked: {action.question}", self.number)
        self.log.user_answered(answer)
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
            plan=self.log.plan,
        )
        return StepEnd(memory, result)

    def _check_stop(self) -> None:
        if self.parts.should_stop():
            raise Stopped()


def _screen_text(observation: Observation) -> str:
    """What the planner reads about the screen besides the picture: the observation's text,
    else the element list the grounder is shown (boxes in the image's own pixels)."""
    if observation.context or not observation.elements:
        return observation.context
    return listing(
        observation.elements,
        ModelSpace(extent=observation.geometry.image_size),
        observation.geometry.image_size,
    )
