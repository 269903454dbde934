"""The step record: one JSON object per step, the contract of ``--trace DIR``."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

STAGES = ("capture", "encode", "model", "parse", "confirm", "execute", "settle")


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
    actions: list[dict[str, Any]] = Field(default_factory=list)
    screen_targets: list[list[int] | None] = Field(default_factory=list)
    verdicts: list[dict[str, str]] = Field(default_factory=list)
    user_answers: list[str | None] = Field(default_factory=list)
    # What the inspector found each action acts on, e.g. '"Delete account" (push button)'.
    targets: list[str | None] = Field(default_factory=list)
    inspect_ms: float = 0.0
    outcome: str
    repairs: int = 0
    timings_ms: dict[str, float]
    prompt_tokens: int | None = None
    output_tokens: int | None = None
    # The remembered facts the task's prompt carried (``deskhand.core.memory``).
    memories: list[dict[str, Any]] = Field(default_factory=list)
    # Skill replays (``deskhand skills run``): which step of the skill this was (1-based),
    # how its target was found (accessibility | ocr | image | model; None: no target), and
    # the milliseconds the lookup took.
    skill_step: int | None = None
    found_by: str | None = None
    find_ms: float = 0.0

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")
