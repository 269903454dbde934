"""Replaying a skill: each step found on the current screen, judged and run like `do`'s.

Per step: capture, find the step's target (``TargetLookup``: accessibility, OCR, crop),
act, settle, and at the next capture check the change the step expects.  Only when the
target is not found unambiguously, or the check fails, is the model asked -- with the
step in words as its whole task -- and its answer is that step.  Every action, found or
answered, goes through the step machinery of ``deskhand.core.step``: the same policy
verdicts, the same confirmation gate, the same journals and sinks.  A skill carries no
approval: a confirm is asked again (``--yes`` answers it), a block is never run.

A replay stops at the first step that cannot be done -- declined, blocked, failed, or
neither found nor done by the model -- and its result names that step, so nothing is left
half-done without saying where.  Steps are numbered from 1, as ``deskhand skills show``
lists them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from deskhand.core.actions import (
    Action,
    AskUser,
    Click,
    Decision,
    Finish,
    Scroll,
)
from deskhand.core.carry_out import carry_out
from deskhand.core.errors import Stopped
from deskhand.core.geometry import ImagePoint
from deskhand.core.loop import Deadline, retrying
from deskhand.core.observation import Observation
from deskhand.core.outcome import Executed, Unparseable
from deskhand.core.repeat_guard import CHANGE_TOLERANCE, screens_alike
from deskhand.core.skill import Skill
from deskhand.core.skill_steps import (
    ClickStep,
    KeysStep,
    ScrollStep,
    ShellStep,
    SkillStep,
    TypeStep,
    WaitStep,
    plain_action,
    say,
)
from deskhand.core.skill_target import FoundBy, NotFound, Target, TargetLookup
from deskhand.core.step import Step, StepEnd
from deskhand.core.step_log import StepLog
from deskhand.core.task import Limits, Parts, TaskResult, TaskRun, TaskStatus
from deskhand.core.trace import StepRecord

__all__ = ["ReplayLog", "ReplayRun", "ReplayStep", "Replayed", "run_replay"]

log = logging.getLogger(__name__)

LOOK_AGAIN_S = 1.2  # a caret's whole blink (Qt 0.5 s on and off, GTK 0.6 s), with room for a slow capture
_MAX_LOOKS = 40  # a capture takes ~30 ms or more: the time runs out first


@dataclass(frozen=True, slots=True)
class Replayed:
    """How a replay ended, and how often the model was asked."""

    result: TaskResult
    model_calls: int


@dataclass(kw_only=True)
class ReplayRun(TaskRun):
    """What a replay's steps share beyond a task's: the skill, and where it is."""

    skill: Skill
    steps: tuple[SkillStep, ...]
    lookup: TargetLookup
    cursor: int = 0  # the skill step to do next (0-based)
    instruction: str = ""  # while the model is asked: the step in words
    model_calls: int = 0
    force_model: bool = False  # the last step's check failed: the model redoes it
    expect_from: bytes | None = None  # fingerprint before a step that expects a change
    expect_step: int = -1
    redone: set[int] = field(default_factory=set)

    @property
    def prompt(self) -> str:
        return self.instruction or self.task


class ReplayLog(StepLog):
    """A step's log that also records the skill step and how its target was found."""

    skill_step: int | None = None
    found_by: FoundBy | None = None
    find_ms: float = 0.0

    def record(self, observation: Observation, *, started: bool = False) -> StepRecord:
        return (
            super()
            .record(observation, started=started)
            .model_copy(
                update={
                    "skill_step": self.skill_step,
                    "found_by": self.found_by,
                    "find_ms": round(self.find_ms, 1),
                }
            )
        )


class ReplayStep(Step):
    """One loop step doing one skill step (see the module docstring)."""

    def __init__(self, number: int, shared: ReplayRun) -> None:
        super().__init__(number, shared)
        self.replay = shared
        self.log: ReplayLog = ReplayLog(
            number, self.parts.model.name, self.parts.dialect.name, self.parts.clock, secrets=shared.secrets
        )

    def _act_on(self, observation: Observation) -> TaskResult | None:
        run = self.replay
        self._check_change(observation)
        if run.cursor >= len(run.steps):
            return self._finished()
        step = run.steps[run.cursor]
        words = say(step)
        self.log.skill_step = run.cursor + 1
        decision: Decision | None = None
        why = "the step's check failed: the screen did not change"
        if not run.force_model:
            started = self.parts.clock.now()
            action, by, why = self._replayed(step, observation)
            self.log.find_ms = (self.parts.clock.now() - started) * 1000.0
            if action is not None:
                decision, self.log.found_by = Decision(thought=words, actions=(action,)), by
        if decision is None:
            answer = self._ask_model(step, words, why, observation)
            run.force_model = False  # only once answered: after a server blip the model is asked again
            if isinstance(answer, Unparseable):
                return self._stopped(words, f"the model's answer could not be understood ({answer.problem})")
            decision = answer
        self.log.decided(decision)
        if self.parts.on_decision is not None:
            self.parts.on_decision(self.number, decision)
        for action in decision.actions:
            self._check_stop()
            if self.parts.pause.requested:
                self.log.taken_over(action)
                return None  # the same skill step is tried again after the pause
            if isinstance(action, Finish) and action.success:
                break  # the model says the step needs nothing (more)
            if isinstance(action, Finish | AskUser):
                reason = (
                    action.summary if isinstance(action, Finish) else f"the model asked: {action.question}"
                )
                return self._stopped(words, f"{why}, and the model could not do it: {reason or 'gave up'}")
            outcome = carry_out(action, observation, self.shared, self.log)
            if not isinstance(outcome, Executed):
                return self._stopped(words, outcome.summary())
        if step.expect == "change":
            run.expect_from, run.expect_step = observation.fingerprint, run.cursor
        run.cursor += 1
        if run.cursor >= len(run.steps) and run.expect_from is None:
            return self._finished()
        return None

    def _check_change(self, observation: Observation) -> None:
        """If the step before expected a change and the screen shows none, the model redoes
        it (once per step; after that the replay goes on)."""
        run = self.replay
        if run.expect_from is None:
            return
        unchanged = not self._changed_since(run.expect_from, observation)
        run.expect_from = None
        if unchanged and run.expect_step not in run.redone:
            run.redone.add(run.expect_step)
            run.cursor, run.force_model = run.expect_step, True

    def _changed_since(self, before: bytes, observation: Observation) -> bool:
        """Whether the screen changed since ``before``.  A field just clicked shows its caret
        only half the time, and on a big screen scaled down its focus ring alone moves a cell
        less than the repeat guard's tolerance.  So any visible change counts
        (``CHANGE_TOLERANCE``: a caret blinking elsewhere may pass the check, which then stays
        out of the way, as for taught steps that expect nothing), and before the model is
        asked, look again for up to one blink (``LOOK_AGAIN_S``)."""
        if not screens_alike(before, observation.fingerprint, CHANGE_TOLERANCE):
            return True
        screen = self.parts.look_again or self.parts.screen
        until = self.parts.clock.now() + LOOK_AGAIN_S
        for _ in range(_MAX_LOOKS):
            if self.parts.clock.now() >= until or self.parts.should_stop():
                break
            if not screens_alike(before, screen.observe().fingerprint, CHANGE_TOLERANCE):
                return True
        return False

    def _replayed(
        self, step: SkillStep, observation: Observation
    ) -> tuple[Action | None, FoundBy | None, str]:
        """The step's action on this screen, how its target was found, or why it was not."""
        match step:
            case ClickStep(target=target, button=button, count=count):
                at, by, why = self._find(target, observation)
                return (None if at is None else Click(at=at, button=button, count=count)), by, why
            case ScrollStep(target=None, direction=direction, amount=amount):
                return Scroll(direction=direction, amount=amount), None, ""
            case ScrollStep(target=Target() as target, direction=direction, amount=amount):
                at, by, why = self._find(target, observation)
                return (None if at is None else Scroll(direction=direction, amount=amount, at=at)), by, why
            case TypeStep() | KeysStep() | ShellStep() | WaitStep():
                return plain_action(step), None, ""
        return None, None, "unknown step"  # pragma: no cover - the union is exhaustive

    def _find(
        self, target: Target, observation: Observation
    ) -> tuple[ImagePoint | None, FoundBy | None, str]:
        if not target.findable():
            return None, None, "nothing describes the target but its place"
        try:
            found = self.replay.lookup.find(target, observation)
        except Exception as exc:  # a lookup's failure: the model is asked instead
            log.warning("finding %s failed", target.words(), exc_info=True)
            return None, None, f"the lookup failed ({exc})"
        if isinstance(found, NotFound):
            return None, None, f"{target.words()} was not found ({found.reason})"
        at = observation.geometry.to_image(found.point)
        if at is None:
            return None, None, f"{target.words()} is on another monitor"
        return at, found.by, ""

    def _ask_model(
        self, step: SkillStep, words: str, why: str, observation: Observation
    ) -> Decision | Unparseable:
        run = self.replay
        self.log.found_by = "model" if isinstance(step, ClickStep | ScrollStep) else None
        run.instruction = (
            f"{words}\n(This is step {run.cursor + 1} of {len(run.steps)} of the skill '{run.skill.name}'"
            f"{': ' + run.skill.description if run.skill.description else ''}. Do only this step; if it is "
            "already done, finish.)"
        )
        run.model_calls += 1
        log.info("replay step %d: asking the model, because %s", run.cursor + 1, why)
        try:
            return self._decide(observation)
        finally:
            run.instruction = ""

    def _finished(self) -> TaskResult:
        run = self.replay
        asked = (
            f", the model asked {run.model_calls} time{'s' * (run.model_calls != 1)}"
            if run.model_calls
            else ""
        )
        message = f"Replayed skill '{run.skill.name}': {len(run.steps)} steps{asked}."
        self.log.concluded(message)
        return TaskResult(TaskStatus.FINISHED, message, self.number)

    def _stopped(self, words: str, why: str) -> TaskResult:
        run = self.replay
        done = {0: "no step was done", 1: "step 1 was done"}.get(
            run.cursor, f"steps 1-{run.cursor} were done"
        )
        message = f"Step {run.cursor + 1} of skill '{run.skill.name}' ({words}) stopped: {why}; {done}."
        self.log.concluded(message)
        return TaskResult(TaskStatus.FAILED, message, self.number)


def run_replay(
    skill: Skill, steps: tuple[SkillStep, ...], parts: Parts, limits: Limits, lookup: TargetLookup
) -> Replayed:
    """Replay ``steps`` (``bind(skill, values)``) with ``parts`` until done or stopped."""
    run = ReplayRun(f"skill {skill.name}", parts, limits, skill=skill, steps=steps, lookup=lookup)
    deadline = Deadline(parts, limits)
    try:
        for number in range(1, limits.max_steps + 1):
            late = deadline.passed_after_pause()
            if late is not None:
                return _ended(run, TaskStatus.GAVE_UP, late, number - 1)
            end = _run_step(number, run)
            if end.result is not None:
                return _ended(run, end.result.status, end.result.message, end.result.steps)
        message = (
            f"Used all {limits.max_steps} steps; step {run.cursor + 1} of skill '{skill.name}' was not done."
        )
        return _ended(run, TaskStatus.GAVE_UP, message, limits.max_steps)
    except Stopped as stop:
        return _ended(run, TaskStatus.STOPPED, str(stop), run.cursor)
    finally:
        parts.executor.release_all()


def _ended(run: ReplayRun, status: TaskStatus, message: str, steps: int) -> Replayed:
    return Replayed(TaskResult(status, message, steps), run.model_calls)


def _run_step(number: int, run: ReplayRun) -> StepEnd:
    """One step; a passing model-server fault pauses and runs it again (as ``run_task``)."""
    return retrying(ReplayStep(number, run).run, run.parts.faults)
