"""Collects what happens during one step and turns it into a ``StepRecord``.

Kept apart from the loop so the loop reads as its stages, and so the record and the
feedback the model gets next turn are built from one account of the step.
"""

from __future__ import annotations

from collections.abc import Iterator, Set
from contextlib import contextmanager
from enum import Enum
from typing import Any

from pydantic import BaseModel

from deskhand.core.actions import Action, Decision, describe
from deskhand.core.approval import UserAnswer
from deskhand.core.element_info import ElementInfo
from deskhand.core.geometry import ScreenGeometry
from deskhand.core.landing import landing_points
from deskhand.core.memory import MemoryFact
from deskhand.core.observation import Completion, Observation
from deskhand.core.outcome import (
    NOT_RUN,
    STARTED,
    Executed,
    OutcomeEntry,
    OutcomeKind,
    StepOutcome,
    Unparseable,
)
from deskhand.core.ports import Clock
from deskhand.core.trace import StepRecord, Timings
from deskhand.core.verdict import Verdict

__all__ = ["REDACTED", "StepLog", "landing_point", "redacted"]


def landing_point(action: Action, geometry: ScreenGeometry) -> list[int] | None:
    """Where on the desktop a pointer action lands (for the record and the UI marker)."""
    points = landing_points(action, geometry)
    return [points[-1].x, points[-1].y] if points else None


REDACTED = "[typed into a password field: not recorded]"


def redacted(text: str, secrets: Set[str]) -> str:
    """``text`` with every known secret value replaced (longest first, so none shows in part)."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def _redacted_value(value: Any, secrets: Set[str]) -> Any:
    """``value`` with every string in it redacted, keeping its type: a model stays that
    model (copied, so a redacted text need not be valid again).  An enum member is a word
    of a fixed vocabulary (a button, a risk level), never text a secret could be in."""
    if isinstance(value, Enum):
        return value
    if isinstance(value, str):
        return redacted(value, secrets)
    if isinstance(value, BaseModel):
        fields = type(value).model_fields
        return value.model_copy(update={f: _redacted_value(getattr(value, f), secrets) for f in fields})
    if isinstance(value, dict):
        return {k: _redacted_value(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_redacted_value(v, secrets) for v in value]
    if type(value) is tuple:  # a named tuple (a point, a rect) holds numbers
        return tuple(_redacted_value(v, secrets) for v in value)
    return value


_STARTED = OutcomeEntry(kind=OutcomeKind.STARTED, words=STARTED)
_NO_ACTION = OutcomeEntry(kind=OutcomeKind.NO_ACTION, words="no action")


class StepLog:
    def __init__(
        self,
        number: int,
        model: str,
        dialect: str,
        clock: Clock,
        *,
        memories: tuple[MemoryFact, ...] = (),
        secrets: Set[str] = frozenset(),
        planner_model: str | None = None,
    ) -> None:
        self.number, self.model, self.dialect, self.clock = number, model, dialect, clock
        self.planner_model = planner_model
        self.planner_outputs: list[str] = []
        self.plan = ""  # the planner's step in words (``deskhand.core.planning``)
        self.dropped: list[dict[str, Any]] = []  # actions not run, and why
        self.memories = memories
        self.secrets = secrets  # the task's set: it may grow during this step
        self.started = clock.now()
        self.timings = Timings()
        self.raw_outputs: list[str] = []
        self.problems: list[str] = []
        self.decision: Decision | None = None
        self.judged_actions: list[tuple[Action, Verdict, UserAnswer | None]] = []
        self.targets: list[str | None] = []
        self.outcomes: list[OutcomeEntry] = []
        self.feedback_lines: list[str] = []
        self.tool_images: list[bytes] = []  # pictures tools returned, for the next turn
        self.prompt_tokens: int | None = None
        self.output_tokens: int | None = None
        self.geometry: ScreenGeometry | None = None
        self.elements: int | None = None  # elements listed to the model (None: no list)
        self.elements_ms: float | None = None  # reading them (None: the list is off)
        self.grounding: list[dict[str, Any]] = []

    @contextmanager
    def timing(self, stage: str) -> Iterator[None]:
        start = self.clock.now()
        try:
            yield
        finally:
            elapsed = (self.clock.now() - start) * 1000.0
            setattr(self.timings, stage, getattr(self.timings, stage) + elapsed)

    def observed(self, observation: Observation) -> None:
        self.geometry = observation.geometry
        self.timings.capture = observation.capture_ms
        self.timings.encode = observation.encode_ms

    def replied(self, completion: Completion) -> None:
        self.raw_outputs.append(completion.text)
        self.timings.model += completion.model_ms
        if completion.prompt_tokens is not None:
            self.prompt_tokens = (self.prompt_tokens or 0) + completion.prompt_tokens
        if completion.output_tokens is not None:
            self.output_tokens = (self.output_tokens or 0) + completion.output_tokens

    def planned(self, completion: Completion) -> None:
        """The planner replied (its time is ``timings_ms.planner``, not ``model``)."""
        self.planner_outputs.append(completion.text)
        self.timings.planner += completion.model_ms

    def dropped_action(self, action: Action, reason: str) -> None:
        """``action`` of the answer was not run, because ``reason``; the model is told."""
        self.dropped.append({"action": action.model_dump(mode="json"), "reason": reason})
        self.outcomes.append(
            OutcomeEntry(kind=OutcomeKind.DROPPED, words=f"{describe(action)} not run: {reason}")
        )
        self.feedback_lines.append(f"{describe(action)} → not done: {reason}")

    def perceived(self, observation: Observation, ms: float) -> None:
        self.elements = len(observation.elements) if observation.elements else None
        self.elements_ms = round(ms, 1)

    def extra_reply(self, completion: Completion) -> None:
        """A second answer within the step (a zoom): its time and tokens count, while the
        step's ``raw_output`` stays the decision's (the grounding note keeps this one)."""
        self.timings.model += completion.model_ms
        if completion.prompt_tokens is not None:
            self.prompt_tokens = (self.prompt_tokens or 0) + completion.prompt_tokens
        if completion.output_tokens is not None:
            self.output_tokens = (self.output_tokens or 0) + completion.output_tokens

    def grounded(self, notes: list[dict[str, Any]]) -> None:
        self.grounding.extend(notes)

    def unparseable(self, parsed: Unparseable) -> None:
        self.problems.append(parsed.problem)

    def decided(self, decision: Decision) -> None:
        self.decision = decision

    def judged(
        self, action: Action, verdict: Verdict, answer: UserAnswer | None, element: ElementInfo | None = None
    ) -> None:
        self.judged_actions.append((action, verdict, answer))
        self.targets.append(None if element is None else element.describe())

    def outcome(self, outcome: StepOutcome) -> OutcomeEntry:
        """Keep what happened to the last action judged; the entry kept (the journals get it)."""
        if isinstance(outcome, Executed):
            self.tool_images.extend(outcome.result.images)
        entry = OutcomeEntry.of(outcome)
        self.outcomes.append(entry)
        self.feedback_lines.append(f"{describe(outcome.action)} → {entry.words}")
        return entry

    def user_answered(self, answer: str) -> None:
        self.outcomes.append(OutcomeEntry(kind=OutcomeKind.ANSWERED, words="the user answered"))
        self.feedback_lines.append(f"The user answered: {answer}")

    def taken_over(self, action: Action) -> None:
        """The user took over before ``action``: it and the rest were not done."""
        self.outcomes.append(OutcomeEntry(kind=OutcomeKind.TAKEN_OVER, words="paused: the user took over"))
        self.feedback_lines.append(
            f"{describe(action)} → not done: the user took over the desktop and may have changed "
            "it; decide again from the new screenshot."
        )

    def concluded(self, summary: str) -> None:
        self.outcomes.append(OutcomeEntry(kind=OutcomeKind.CONCLUDED, words=summary))

    def not_run(self) -> None:
        """An approved action could not be put on record first, so it was not run."""
        self.outcomes.append(OutcomeEntry(kind=OutcomeKind.NOT_RUN, words=NOT_RUN))

    def feedback(self) -> str:
        """What the model is told about this step at the start of the next one."""
        return "\n".join(self.feedback_lines)

    def _timings(self) -> dict[str, float]:
        timings = self.timings.rounded()
        if self.planner_model is not None:
            timings["planner"] = round(self.timings.planner, 1)
        return timings

    def record(self, observation: Observation, *, started: bool = False) -> StepRecord:
        """The step so far; ``started``: its last action is executing (outcome ``STARTED``)."""
        outcomes = [*self.outcomes, _STARTED] if started else self.outcomes
        self.timings.total = (self.clock.now() - self.started) * 1000.0
        geometry = observation.geometry
        actions = [a for a, _, _ in self.judged_actions]
        record = StepRecord(
            step=self.number,
            observation_id=observation.id,
            screenshot=f"step-{self.number:03d}.jpg",
            image_size=(geometry.image_size.width, geometry.image_size.height),
            screen_rect=tuple(geometry.screen_rect),
            model=self.model,
            dialect=self.dialect,
            raw_output=self.raw_outputs[-1] if self.raw_outputs else "",
            thought=self.decision.thought if self.decision else "",
            actions=actions,
            screen_targets=[landing_point(a, geometry) for a in actions],
            verdicts=[v for _, v, _ in self.judged_actions],
            user_answers=[u for _, _, u in self.judged_actions],
            targets=self.targets,
            outcome=tuple(outcomes) or (_NO_ACTION,),
            repairs=len(self.problems),
            timings_ms=self._timings(),
            inspect_ms=round(self.timings.inspect, 1),
            prompt_tokens=self.prompt_tokens,
            output_tokens=self.output_tokens,
            memories=[{"id": fact.id, "text": fact.text} for fact in self.memories],
            planner_model=self.planner_model,
            planner_output=self.planner_outputs[-1] if self.planner_outputs else "",
            plan=self.plan,
            dropped=self.dropped,
            elements=self.elements,
            elements_ms=self.elements_ms,
            grounding=self.grounding,
        )
        if not self.secrets:
            return record
        fields: tuple[str, ...] = ("raw_output", "thought", "actions", "verdicts", "outcome", "targets")
        fields += ("planner_output", "plan", "dropped", "grounding")
        return record.model_copy(
            update={f: _redacted_value(getattr(record, f), self.secrets) for f in fields}
        )
