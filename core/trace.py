"""The step record: one JSON object per step, the contract of ``--trace DIR``.

The record carries typed values -- the actions as ``core.actions`` models, the verdicts as
``Verdict``, the user's answers as ``UserAnswer``, the outcome as ``OutcomeEntry`` values -- so everything inside the app reads
them as types; they become the JSON of the contract (DESIGN.md, "Step record") in one
place, ``StepRecord``'s serializers below, which every writer (trace file, audit log, skill
journal) goes through via ``to_json_dict``.  Reading a stored record turns the JSON back
into the same types.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_serializer,
    field_validator,
)

from deskhand.core.actions import Action, describe
from deskhand.core.approval import UserAnswer
from deskhand.core.outcome import STARTED, OutcomeEntry, OutcomeKind
from deskhand.core.verdict import Verdict

__all__ = [
    "STAGES",
    "RecordedAction",
    "StepRecord",
    "Timings",
    "UnreadableAction",
    "action_json",
    "describe_recorded",
]

STAGES = ("capture", "encode", "model", "parse", "confirm", "execute", "settle")


class UnreadableAction(BaseModel):
    """An action on record that this version cannot read back (a kind since renamed or
    removed, or one whose words the redaction replaced): kept as written, so a stored step
    still opens, shows its JSON and is written back unchanged."""

    model_config = ConfigDict(frozen=True)

    raw: dict[str, Any]

    def __str__(self) -> str:
        return json.dumps(self.raw, ensure_ascii=False)


RecordedAction = Action | UnreadableAction
_ACTION: TypeAdapter[Action] = TypeAdapter(Action)


def _read_action(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    try:
        return _ACTION.validate_python(value)
    except ValidationError:
        return UnreadableAction(raw=value)


def describe_recorded(action: RecordedAction) -> str:
    """``describe``'s words for an action on record; its JSON as written if unreadable."""
    return str(action) if isinstance(action, UnreadableAction) else describe(action)


def action_json(action: RecordedAction) -> dict[str, Any]:
    """One action as the record writes it; ``element`` only when the model named one."""
    if isinstance(action, UnreadableAction):
        return action.raw
    dumped = action.model_dump(mode="json")
    if dumped.get("element", 0) is None:
        del dumped["element"]
    return dumped


class Timings(BaseModel):
    """Milliseconds spent in each stage of one step; ``total`` is wall time of the step."""

    model_config = ConfigDict(extra="forbid")

    capture: float = 0.0
    encode: float = 0.0
    model: float = 0.0
    parse: float = 0.0
    confirm: float = 0.0
    execute: float = 0.0
    settle: float = 0.0
    total: float = 0.0
    # Finding what a click lands on / typing goes into.  Counted in ``total``, but kept out
    # of ``timings_ms`` (whose keys are the contract's stages) and recorded as ``inspect_ms``.
    inspect: float = Field(default=0.0, exclude=True)
    # The planner model's time (``deskhand.core.planning``); in ``timings_ms`` only for
    # steps that had a planner, whose ``model`` is then the grounder's time.
    planner: float = Field(default=0.0, exclude=True)

    def rounded(self) -> dict[str, float]:
        return {k: round(v, 1) for k, v in self.model_dump().items()}


class StepRecord(BaseModel):
    """Everything one step saw, said, decided and did (see DESIGN.md, "Step record")."""

    model_config = ConfigDict(frozen=True)

    step: int
    observation_id: str
    screenshot: str
    image_size: tuple[int, int]
    screen_rect: tuple[int, int, int, int]
    model: str
    dialect: str
    raw_output: str
    thought: str = ""
    actions: list[RecordedAction] = Field(default_factory=list)
    screen_targets: list[list[int] | None] = Field(default_factory=list)
    verdicts: list[Verdict] = Field(default_factory=list)
    user_answers: list[UserAnswer | None] = Field(default_factory=list)
    # What the inspector found each action acts on, e.g. '"Delete account" (push button)'.
    targets: list[str | None] = Field(default_factory=list)
    inspect_ms: float = 0.0
    # What happened, part by part; written as their words joined with "; ".
    outcome: tuple[OutcomeEntry, ...]
    repairs: int = 0
    timings_ms: dict[str, float]
    prompt_tokens: int | None = None
    output_tokens: int | None = None
    # The remembered facts the task's prompt carried (``deskhand.core.memory``).
    memories: list[dict[str, Any]] = Field(default_factory=list)
    # With a planner (``do --planner``): its model, its last answer and the step it set.
    planner_model: str | None = None
    planner_output: str = ""
    plan: str = ""
    # Actions of the answer that were not run, each with why (``deskhand.core.between``).
    dropped: list[dict[str, Any]] = Field(default_factory=list)
    # How many of the active window's elements the model was shown (None: no list), and
    # what the grounding stage did to the actions' points (``deskhand.core.refine``): per
    # changed action its index and the element named, the snap (from, to, element) or the
    # zoom (reason, first point, crop, the point in the crop, the refined point).
    elements: int | None = None
    elements_ms: float | None = None  # reading the list (part of ``inspect_ms``)
    grounding: list[dict[str, Any]] = Field(default_factory=list)
    # Skill replays (``deskhand skills run``): which step of the skill this was (1-based),
    # how its target was found (accessibility | ocr | image | model; None: no target), and
    # the milliseconds the lookup took.
    skill_step: int | None = None
    found_by: str | None = None
    find_ms: float = 0.0

    @field_validator("actions", mode="before")
    @classmethod
    def _read_actions(cls, value: Any) -> Any:
        return [_read_action(a) for a in value] if isinstance(value, list | tuple) else value

    @field_validator("user_answers", mode="before")
    @classmethod
    def _read_answers(cls, value: Any) -> Any:
        if not isinstance(value, list | tuple):
            return value
        return [UserAnswer[a.upper()] if isinstance(a, str) else a for a in value]

    @field_validator("outcome", mode="before")
    @classmethod
    def _read_outcome(cls, value: Any) -> Any:
        """A stored record's outcome string becomes one entry, written back as it was."""
        return (OutcomeEntry(kind=OutcomeKind.RECORDED, words=value),) if isinstance(value, str) else value

    @property
    def outcome_text(self) -> str:
        """The outcome in words, as the record writes it."""
        return "; ".join(entry.words for entry in self.outcome)

    @property
    def was_executing(self) -> bool:
        """Its last action was executing when the record was made (outcome ``STARTED``).
        A record read back from disk knows this only by its words, hence their test here."""
        if not self.outcome:
            return False
        last = self.outcome[-1]
        return last.kind is OutcomeKind.STARTED or (
            last.kind is OutcomeKind.RECORDED and last.words.endswith(STARTED)
        )

    @field_serializer("outcome")
    def _outcome_json(self, outcome: tuple[OutcomeEntry, ...]) -> str:
        return self.outcome_text

    @field_serializer("actions")
    def _actions_json(self, actions: list[RecordedAction]) -> list[dict[str, Any]]:
        return [action_json(a) for a in actions]

    @field_serializer("verdicts")
    def _verdicts_json(self, verdicts: list[Verdict]) -> list[dict[str, str]]:
        return [{"level": v.level.value, "reason": v.reason} for v in verdicts]

    @field_serializer("user_answers")
    def _answers_json(self, answers: list[UserAnswer | None]) -> list[str | None]:
        return [None if a is None else a.name.lower() for a in answers]

    def to_json_dict(self) -> dict[str, Any]:
        """The record as the contract writes it: the one conversion every writer uses."""
        return self.model_dump(mode="json")
