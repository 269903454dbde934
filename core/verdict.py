"""Risk levels and verdicts, shared by the GUI and shell rules."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Level(StrEnum):
    """auto runs; confirm asks the user (default No); block never runs."""

    AUTO = "auto"
    CONFIRM = "confirm"
    BLOCK = "block"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Level.AUTO: 0, Level.CONFIRM: 1, Level.BLOCK: 2}


class Verdict(BaseModel):
    """How risky an action is and why, in words a user can judge."""

    model_config = ConfigDict(frozen=True)

    level: Level
    reason: str
    rules: tuple[str, ...] = ()  # ids of the rules that set the level (see policy.UNLOCKABLE_RULES)
    found: str = ""  # what the inspector found where the action lands (``TargetInfo.describe``)


def worst(verdicts: list[Verdict], default: Verdict) -> Verdict:
    """The verdict with the highest level (the first of equals), or ``default``."""
    best = default
    for v in verdicts:
        if v.level.rank > best.level.rank:
            best = v
    return best
