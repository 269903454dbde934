"""A skill: a finished task kept as a procedure that replays without asking the model.

Why a procedure of *described* steps rather than recorded pixels: a window moves, the
screen changes size, a toolbar is reordered -- the same button is elsewhere.  So each
pointer step keeps *what* it acted on (a ``Target``, ``deskhand.core.skill_target``).
Replay (``deskhand.core.replay``) finds that target again on the current screen and falls
back to the model, with the step's words as the instruction, only where it cannot.

This module is the skill as its file holds it -- format, name, parameters, steps -- and
what is done with one; the steps themselves are ``deskhand.core.skill_steps``.

Contract (kept stable; ``deskhand teach`` builds skills through it):

* ``Skill`` -- frozen, validated; ``steps`` are tagged by ``kind`` (``click``, ``scroll``,
  ``type``, ``keys``, ``shell``, ``wait``).  ``{{name}}`` in a ``type`` text or ``shell``
  command is a parameter, declared in ``params`` (with a default, or required).
* ``build_skill(name, steps, params, description)`` -- a skill from steps a recorder made.
* ``bind(skill, values)`` -- the steps with parameter values filled in, or a ``SkillError``
  (missing or unknown parameter) naming what is wrong.

A skill never carries an approval: every replayed action is judged again by the policy.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from deskhand.core.errors import DeskhandError
from deskhand.core.skill_steps import ShellStep, SkillStep, TypeStep, say

__all__ = [
    "NAME_PATTERN",
    "Param",
    "Skill",
    "SkillError",
    "bind",
    "build_skill",
    "check_name",
    "parse_params",
    "placeholders",
]

SKILL_FORMAT = 1
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_PARAM_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class SkillError(DeskhandError, ValueError):
    """A skill that cannot be used as asked: a bad parameter, a bad name, a bad file."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Param(_Frozen):
    """A value the user gives at replay (``--param KEY=VALUE``); ``default`` if not given.

    ``secret``: typed into a password field when the task was done -- never stored, so it
    has no default and must be given each time.
    """

    default: str | None = None
    secret: bool = False

    @model_validator(mode="after")
    def _secret_has_no_default(self) -> Param:
        if self.secret and self.default is not None:
            raise ValueError("a secret parameter cannot have a default (it is never stored)")
        return self


class Skill(_Frozen):
    """A named procedure: what it is for, its parameters, its steps."""

    format: int = SKILL_FORMAT
    name: str
    description: str = ""
    params: dict[str, Param] = Field(default_factory=dict)
    steps: tuple[SkillStep, ...] = Field(min_length=1)

    @field_validator("format")
    @classmethod
    def _format(cls, value: int) -> int:
        if value != SKILL_FORMAT:
            raise ValueError(
                f"format {value} is not one this Deskhand reads (it reads format {SKILL_FORMAT})"
            )
        return value

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_name(value)

    @field_validator("params")
    @classmethod
    def _param_names(cls, value: dict[str, Param]) -> dict[str, Param]:
        for key in value:
            if not _PARAM_NAME.match(key):
                raise ValueError(f"parameter name {key!r} must be letters, digits and _")
        return value

    @model_validator(mode="after")
    def _placeholders_declared(self) -> Skill:
        for number, step in enumerate(self.steps, 1):
            unknown = sorted(placeholders(step) - set(self.params))
            if unknown:
                raise ValueError(f"step {number} uses {{{{{unknown[0]}}}}}, which params does not declare")
        return self


def check_name(name: str) -> str:
    """A skill's name is its file name: lower-case letters, digits, '-' and '_'."""
    if not NAME_PATTERN.match(name):
        raise SkillError(
            f"A skill name must be 1-64 lower-case letters, digits, '-' or '_' (starting with a letter "
            f"or digit), not {name!r}."
        )
    return name


def placeholders(step: SkillStep) -> set[str]:
    """The parameter names a step's text or command uses."""
    match step:
        case TypeStep(text=text):
            return set(_PLACEHOLDER.findall(text))
        case ShellStep(command=command):
            return set(_PLACEHOLDER.findall(command))
        case _:
            return set()


def _fill(text: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def bind(skill: Skill, values: dict[str, str]) -> tuple[SkillStep, ...]:
    """The skill's steps with ``values`` (and defaults) filled in.

    Raises ``SkillError`` for a parameter the skill does not have, or one it needs that
    has no value.  Filled text is typed and run as is -- the policy judges it at replay.
    """
    unknown = sorted(set(values) - set(skill.params))
    if unknown:
        known = ", ".join(sorted(skill.params)) or "none"
        raise SkillError(f"Skill '{skill.name}' has no parameter '{unknown[0]}' (its parameters: {known}).")
    filled: dict[str, str] = {}
    for key, param in skill.params.items():
        value = values.get(key, param.default)
        if value is None:
            raise SkillError(f"Skill '{skill.name}' needs a value for '{key}': add --param {key}=VALUE.")
        filled[key] = value
    steps: list[SkillStep] = []
    for step in skill.steps:
        match step:
            case TypeStep(text=text):
                steps.append(step.model_copy(update={"text": _fill(text, filled)}))
            case ShellStep(command=command):
                steps.append(step.model_copy(update={"command": _fill(command, filled)}))
            case _:
                steps.append(step)
    return tuple(steps)


def build_skill(
    name: str,
    steps: list[SkillStep] | tuple[SkillStep, ...],
    params: dict[str, Param] | None = None,
    description: str = "",
) -> Skill:
    """A skill from steps (a saved task's, or a demonstration's), each with its words.

    Raises ``SkillError`` when the steps do not make a valid skill (no steps, a bad name,
    a placeholder without a parameter).
    """
    check_name(name)
    worded = tuple(s if s.say else s.model_copy(update={"say": say(s)}) for s in steps)
    try:
        return Skill(name=name, description=description, params=dict(params or {}), steps=worded)
    except ValueError as exc:
        raise SkillError(f"Skill '{name}' cannot be built: {_first_error(exc)}") from exc


def _first_error(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        return str(first.get("msg", exc))
    return str(exc)


def parse_params(pairs: list[str] | None) -> dict[str, str]:
    """``KEY=VALUE`` flags as a mapping; a flag without ``=`` or given twice is refused."""
    values: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise SkillError(f"--param {pair!r}: write it as KEY=VALUE.")
        if key.strip() in values:
            raise SkillError(f"--param {key.strip()} is given twice.")
        values[key.strip()] = value
    return values
