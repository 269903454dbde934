"""Risk levels and verdicts, shared by the GUI and shell rules."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

__all__ = ["Level", "Verdict", "worst"]


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
    """How risky an action is and why, in words a user can judge.

    ``unlocked`` names the block rules the user unlocked in settings that this verdict
    would otherwise be blocked by.  Such an action asks *a person*: ``needs_a_person`` is
    what approvers check, so ``--yes`` or a missing terminal never answer it.
    """

    model_config = ConfigDict(frozen=True)

    level: Level
    reason: str
    rules: tuple[str, ...] = ()  # ids of the rules that set the level (see policy.UNLOCKABLE_RULES)
    unlocked: tuple[str, ...] = ()  # unlocked block rules behind a confirm (see above)
    found: str = ""  # what the inspector found where the action lands (``ElementInfo.describe``)

    @property
    def needs_a_person(self) -> bool:
        """Only a person's own answer may let this action run (no ``--yes``, no default)."""
        return self.level is Level.CONFIRM and bool(self.unlocked)


def worst(verdicts: list[Verdict], default: Verdict) -> Verdict:
    """The verdict with the highest level (the first of equals), or ``default``.

    A confirm keeps every unlocked rule behind any of the confirms it was chosen from, so
    that an unlocked rule still needs a person when another reason also asks.
    """
    best = default
    for v in verdicts:
        if v.level.rank > best.level.rank:
            best = v
    if best.level is Level.CONFIRM:
        unlocked = tuple(dict.fromkeys(r for v in (default, *verdicts) for r in v.unlocked))
        if unlocked != best.unlocked:
            best = best.model_copy(update={"unlocked": unlocked})
    return best
