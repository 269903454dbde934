"""``--param KEY=LITERAL``: literals in a step's text made into ``{{KEY}}`` parameters.

One function for both ways a skill is made -- ``deskhand skills save`` (a finished task)
and ``deskhand teach`` / the tray's "Teach a skill…" (a demonstration) -- so a literal
becomes the same parameter whichever way the steps were recorded.  Text typed into a
password field was never recorded (the step log keeps ``REDACTED`` instead); it becomes
the secret parameter ``password``, which has no default and is asked for at replay.
"""

from __future__ import annotations

from deskhand.core.skill import Param
from deskhand.core.skill_steps import ShellStep, SkillStep, TypeStep
from deskhand.core.step_log import REDACTED

__all__ = ["SECRET", "parametrise"]

SECRET = "password"  # noqa: S105 - the parameter's name, not a password


def parametrise(
    step: TypeStep | ShellStep, literals: dict[str, str], params: dict[str, Param]
) -> tuple[SkillStep, set[str]]:
    """``step`` with each literal (longest first, so one that holds another wins) and each
    redacted password as ``{{key}}``, and the keys whose literal it held.

    Adds the secret ``password`` parameter to ``params`` when the step held a redacted
    password; the caller's ``literals`` keys are already in ``params`` with their defaults.
    """
    text = step.text if isinstance(step, TypeStep) else step.command
    found: set[str] = set()
    for key, literal in sorted(literals.items(), key=lambda kv: len(kv[1]), reverse=True):
        if literal and literal in text:
            text = text.replace(literal, "{{" + key + "}}")
            found.add(key)
    if REDACTED in text:
        params.setdefault(SECRET, Param(secret=True))
        text = text.replace(REDACTED, "{{" + SECRET + "}}")
    field = "text" if isinstance(step, TypeStep) else "command"
    return step.model_copy(update={field: text}), found
