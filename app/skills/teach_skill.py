"""A demonstration's steps (``core.demonstration``) made into a skill (``core.skill``).

Shared by ``deskhand teach`` and the tray's "Teach a skill…": each click becomes a
``ClickStep`` with the ``Target`` the skills' lookup described as the button went down;
typing becomes a ``TypeStep`` -- with ``--param KEY=LITERAL`` marking literals as
parameters exactly as ``deskhand skills save`` does (``skill_params.parametrise``), and text typed
into a password field, never recorded, becoming the secret parameter ``password``.
Taught steps expect nothing of the screen afterwards: a click that changed nothing on
the day it was shown (a field that already had focus) must not send replay to the model.
A drag cannot be kept in a skill yet; it is left out and the review says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from deskhand.app.skills.skill_params import SECRET, parametrise
from deskhand.core.demonstration import (
    ShownClick,
    ShownDrag,
    ShownKeys,
    ShownScroll,
    ShownStep,
    ShownTyping,
)
from deskhand.core.skill import Param, Skill, SkillError, build_skill
from deskhand.core.skill_steps import ClickStep, KeysStep, ScrollStep, SkillStep, TypeStep
from deskhand.core.skill_target import Target
from deskhand.core.step_log import REDACTED

__all__ = ["DESCRIPTION", "NothingShown", "Taught", "kept_out_note", "taught_skill"]

DESCRIPTION = "shown by you with `deskhand teach`"


class NothingShown(SkillError):
    """The demonstration holds nothing a skill can keep."""


@dataclass(frozen=True)
class Taught:
    """The skill made of a demonstration, and what of it could not be kept (in words)."""

    skill: Skill
    left_out: list[str] = field(default_factory=list)


def kept_out_note(why: str) -> str:
    """The review's words for typing kept secret though no password field was seen
    (``TeachSession.kept_out`` says ``why``)."""
    return f"kept out: text you typed, not stored (parameter {SECRET}, asked each run): {why}"


def _step(shown: ShownStep[Target]) -> SkillStep | str:
    """The skill step for one shown step, or why it cannot be one."""
    match shown:
        case ShownClick(button=button, count=count, seen=seen):
            return ClickStep(target=seen or Target(), button=button, count=count)
        case ShownScroll(direction=direction, amount=amount, seen=seen):
            return ScrollStep(direction=direction, amount=amount, target=seen)
        case ShownTyping(text=text, secret=secret):
            return TypeStep(text=REDACTED if secret else text)
        case ShownKeys(keys=keys):
            return KeysStep(keys=keys)
        case ShownDrag(x=x, y=y, to_x=to_x, to_y=to_y):
            return f"a drag from ({x}, {y}) to ({to_x}, {to_y}): skills cannot replay drags yet"


def taught_skill(name: str, shown: Sequence[ShownStep[Target]], literals: dict[str, str]) -> Taught:
    """The skill ``name`` made of ``shown``; ``SkillError`` if nothing can be kept, or a
    ``--param`` literal was never typed."""
    params: dict[str, Param] = {key: Param(default=value) for key, value in literals.items()}
    used: set[str] = set()
    steps: list[SkillStep] = []
    left_out: list[str] = []
    for shown_step in shown:
        step = _step(shown_step)
        if isinstance(step, str):
            left_out.append(step)
            continue
        if isinstance(step, TypeStep):
            step, found = parametrise(step, literals, params)
            used |= found
        steps.append(step)
    if not steps:
        raise NothingShown("Nothing was recorded that a skill can keep: no click, typing or key was seen.")
    unused = sorted(set(literals) - used)
    if unused:
        raise SkillError(
            f"--param {unused[0]}: {literals[unused[0]]!r} was never typed, so it marks nothing."
        )
    return Taught(build_skill(name, steps, params, DESCRIPTION), left_out)
