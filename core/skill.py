"""A skill: a finished task kept as a procedure that replays without asking the model.

Why a procedure of *described* steps rather than recorded pixels: a window moves, the
screen changes size, a toolbar is reordered -- the same button is elsewhere.  So each
pointer step keeps *what* it acted on (a ``Target``): the accessibility element (role,
name, window title), the OCR label under the point, the point's place in its window, and a
small screen crop as the last resort.  Replay (``deskhand.core.replay``) finds that target
again on the current screen and falls back to the model, with the step's words as the
instruction, only where it cannot.

Contract (kept stable; ``deskhand teach`` builds skills through it):

* ``Skill`` -- frozen, validated; ``steps`` are tagged by ``kind`` (``click``, ``scroll``,
  ``type``, ``keys``, ``shell``, ``wait``).  ``{{name}}`` in a ``type`` text or ``shell``
  command is a parameter, declared in ``params`` (with a default, or required).
* ``build_skill(name, steps, params, description)`` -- a skill from steps a recorder made.
* ``bind(skill, values)`` -- the steps with parameter values filled in, or a ``SkillError``
  (missing or unknown parameter) naming what is wrong.
* ``say(step)`` -- the step in words ("click the button 'Apple' in 'Orchard Panel'").

A skill never carries an approval: every replayed action is judged again by the policy.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from deskhand.core.actions import (
    ClickCount,
    Hotkey,
    HotkeyFields,
    MouseButton,
    RunShell,
    RunShellFields,
    ScrollFields,
    TypeText,
    TypeTextFields,
    Wait,
    WaitFields,
    describe,
)
from deskhand.core.element_info import clean_label
from deskhand.core.errors import DeskhandError

__all__ = [
    "NAME_PATTERN",
    "ClickStep",
    "Expect",
    "KeysStep",
    "Param",
    "PlainAction",
    "PlainStep",
    "PointerStep",
    "ScrollStep",
    "ShellStep",
    "Skill",
    "SkillError",
    "SkillStep",
    "Target",
    "TypeStep",
    "WaitStep",
    "bind",
    "build_skill",
    "check_name",
    "parse_params",
    "placeholders",
    "plain_action",
    "plain_step",
    "say",
]

SKILL_FORMAT = 1
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_PARAM_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

# "nothing": no check; "change": the screen must look different after the step (it did
# when the task was done), else replay asks the model to do the step.
Expect = Literal["nothing", "change"]


class SkillError(DeskhandError, ValueError):
    """A skill that cannot be used as asked: a bad parameter, a bad name, a bad file."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Target(_Frozen):
    """What a pointer step acted on, in every way replay may find it again.

    ``role``/``name``/``window``: the accessibility element and its window's title;
    ``label``: the text OCR read under the point; ``offset``: the point in pixels from its
    window's top-left corner, with ``window_size`` the window's size then; ``crop``: a PNG
    (base64) of the screen around the point, centred on it -- matched only when nothing
    else names the target.
    """

    role: str = ""
    name: str = ""
    window: str = ""
    label: str = ""
    offset: tuple[int, int] | None = None
    window_size: tuple[int, int] | None = None
    crop: str = ""

    def words(self) -> str:
        """``the button 'Apple' in 'Orchard Panel'`` -- how a person would point at it."""
        role = _ROLE_WORDS.get(self.role, self.role)
        name = clean_label(self.name or self.label)
        if name:
            what = f"the {role} '{name}'" if role else f"'{name}'"
        elif role:
            what = f"the {role}"
        elif self.offset is not None:
            what = f"the point {self.offset[0]},{self.offset[1]}"
        else:
            what = "the recorded spot"
        return f"{what} in '{clean_label(self.window)}'" if self.window.strip() else what

    def findable(self) -> bool:
        """Whether replay has anything to look for (else only the model can do the step)."""
        return bool(self.name.strip() or self.label.strip() or self.crop)


_ROLE_WORDS = {
    "push button": "button",
    "toggle button": "toggle",
    "check box": "checkbox",
    "radio button": "radio button",
    "text": "field",
    "entry": "field",
    "password text": "password field",
    "page tab": "tab",
    "menu item": "menu item",
    "list item": "list item",
    "label": "text",
}


class _Step(_Frozen):
    say: str = ""  # the step in words; also the model's instruction if replay needs it
    expect: Expect = "nothing"


# A step takes what it does from its action's fields (``deskhand.core.actions``); only
# its own ``kind`` (the skill file's word for it) and, for pointer steps, the ``Target``
# in place of a point are its own.


class ClickStep(_Step):
    kind: Literal["click"] = "click"
    target: Target
    button: MouseButton = MouseButton.LEFT
    count: ClickCount = 1


class ScrollStep(ScrollFields, _Step):
    kind: Literal["scroll"] = "scroll"
    target: Target | None = None


class TypeStep(TypeTextFields, _Step):
    kind: Literal["type"] = "type"


class KeysStep(HotkeyFields, _Step):
    kind: Literal["keys"] = "keys"


class ShellStep(RunShellFields, _Step):
    kind: Literal["shell"] = "shell"


class WaitStep(WaitFields, _Step):
    kind: Literal["wait"] = "wait"


SkillStep = Annotated[
    ClickStep | ScrollStep | TypeStep | KeysStep | ShellStep | WaitStep, Field(discriminator="kind")
]
PointerStep = ClickStep | ScrollStep
# Steps that are their action as it stands, nothing to find on the screen first; each
# with the action it is.
PlainStep = TypeStep | KeysStep | ShellStep | WaitStep
PlainAction = TypeText | Hotkey | RunShell | Wait
_PLAIN: dict[type[PlainStep], type[PlainAction]] = {
    TypeStep: TypeText,
    KeysStep: Hotkey,
    ShellStep: RunShell,
    WaitStep: Wait,
}
_PLAIN_BY_ACTION = {action.model_fields["kind"].default: step for step, action in _PLAIN.items()}


def plain_action(step: PlainStep) -> PlainAction:
    """The action a plain step does, validated as the model's would be."""
    action = _PLAIN[type(step)]
    return action.model_validate(step.model_dump(include=set(action.model_fields) - {"kind"}))


def plain_step(action: dict[str, Any]) -> PlainStep | None:
    """The step that does ``action`` (an action as the audit log keeps it), or None when
    the action needs more than its own fields to be a step (a target) or is none a skill
    keeps."""
    step = _PLAIN_BY_ACTION.get(action.get("kind"))
    if step is None:
        return None
    return step.model_validate({k: v for k, v in action.items() if k in step.model_fields and k != "kind"})


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


def say(step: SkillStep) -> str:
    """The step in words: its own ``say`` if it has one, else made from its data."""
    if step.say.strip():
        return step.say.strip()
    match step:
        case ClickStep(target=target, button=button, count=count):
            verb = {1: "click", 2: "double-click", 3: "triple-click"}[count]
            prefix = "" if button is MouseButton.LEFT else f"{button.value}-"
            return f"{prefix}{verb} {target.words()}"
        case ScrollStep(direction=direction, amount=amount, target=target):
            where = "" if target is None else f" over {target.words()}"
            return f"scroll {direction.value} {amount}{where}"
        case TypeStep(text=text):
            return f"type '{text}'"
        case KeysStep() | ShellStep() | WaitStep():
            return describe(plain_action(step))


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
