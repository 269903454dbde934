"""A skill's steps: the six kinds a skill file keeps, and the action each plain one is.

Each step is tagged by ``kind`` (``click``, ``scroll``, ``type``, ``keys``, ``shell``,
``wait``) and takes what it does from its action's fields (``deskhand.core.actions``).
Pointer steps (click, scroll) keep a ``Target`` (``deskhand.core.skill_target``) in place
of a point, so replay finds it again on today's screen; plain steps are their action as
it stands.  The skill around them -- name, parameters, validation -- is
``deskhand.core.skill``.

Contract (kept stable; ``deskhand teach`` and ``deskhand skills save`` build steps with it):

* ``say(step)`` -- the step in words ("click the button 'Apple' in 'Orchard Panel'").
* ``plain_action(step)`` / ``plain_step(action)`` -- a plain step's action, and back.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from deskhand.core.actions import (
    CLICK_VERBS,
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
from deskhand.core.skill_target import Target

__all__ = [
    "ClickStep",
    "Expect",
    "KeysStep",
    "PlainAction",
    "PlainStep",
    "PointerStep",
    "ScrollStep",
    "ShellStep",
    "SkillStep",
    "TypeStep",
    "WaitStep",
    "plain_action",
    "plain_step",
    "say",
]

# "nothing": no check; "change": the screen must look different after the step (it did
# when the task was done), else replay asks the model to do the step.
Expect = Literal["nothing", "change"]


class _Step(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

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


def say(step: SkillStep) -> str:
    """The step in words: its own ``say`` if it has one, else made from its data."""
    if step.say.strip():
        return step.say.strip()
    match step:
        case ClickStep(target=target, button=button, count=count):
            verb = CLICK_VERBS[count]
            prefix = "" if button is MouseButton.LEFT else f"{button.value}-"
            return f"{prefix}{verb} {target.words()}"
        case ScrollStep(direction=direction, amount=amount, target=target):
            where = "" if target is None else f" over {target.words()}"
            return f"scroll {direction.value} {amount}{where}"
        case TypeStep(text=text):
            return f"type '{text}'"
        case KeysStep() | ShellStep() | WaitStep():
            return describe(plain_action(step))
