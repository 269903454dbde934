"""What the agent can do, as frozen values tagged by ``kind``.

One pydantic model per verb, so the same types validate parsed model output, give Ollama's
``format`` JSON schema, dispatch by ``match`` in executors, and serialise into the trace.
Pointer targets are ``ImagePoint``s -- pixels of the screenshot the step was decided on;
the executor maps them to the screen through that screenshot's ``ScreenGeometry``.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from deskhand.core.geometry import ImagePoint, ScreenGeometry
from deskhand.core.key_names import Keys

__all__ = [
    "CLICK_VERBS",
    "Action",
    "AskUser",
    "CallTool",
    "Click",
    "ClickCount",
    "Decision",
    "Drag",
    "Finish",
    "Hotkey",
    "HotkeyFields",
    "MouseButton",
    "Move",
    "PointerAction",
    "Remember",
    "RunShell",
    "RunShellFields",
    "Scroll",
    "ScrollDirection",
    "ScrollFields",
    "TerminalAction",
    "TypeText",
    "TypeTextFields",
    "Wait",
    "WaitFields",
    "describe",
]


class _Action(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # Each action narrows this to its own tag; declared here so the tag comes first in
    # every action's fields, schema and dump.
    kind: str


class MouseButton(StrEnum):
    LEFT = "left"
    RIGHT = "right"
    MIDDLE = "middle"


class ScrollDirection(StrEnum):
    UP = "up"
    DOWN = "down"
    LEFT = "left"
    RIGHT = "right"


ClickCount = Annotated[int, Field(ge=1, le=3)]  # 2 = double click, 3 = triple click


class Click(_Action):
    """Press and release a mouse button at a point, ``count`` times (2 = double click)."""

    kind: Literal["click"] = "click"
    at: ImagePoint
    button: MouseButton = MouseButton.LEFT
    count: ClickCount = 1
    # The number of the listed element the model named instead of a point ("click element
    # 12"); ``at`` is then that element's centre (``deskhand.core.elements``).
    element: int | None = Field(default=None, ge=1, le=999)


class Move(_Action):
    """Move the pointer without clicking (hover menus, tooltips)."""

    kind: Literal["move"] = "move"
    at: ImagePoint
    # The number of the listed element the model named instead of a point ("click element
    # 12"); ``at`` is then that element's centre (``deskhand.core.elements``).
    element: int | None = Field(default=None, ge=1, le=999)


class Drag(_Action):
    """Press the left button at ``start``, move to ``end``, release."""

    kind: Literal["drag"] = "drag"
    start: ImagePoint
    end: ImagePoint


# What an action does apart from where it points, for the actions a skill step also keeps
# (``deskhand.core.skill_steps``): each action and its step take these fields from one place.


class ScrollFields(_Action):
    """How far and which way the wheel turns."""

    direction: ScrollDirection
    amount: int = Field(default=3, ge=1, le=50)


class TypeTextFields(_Action):
    """The text to type."""

    text: str = Field(min_length=1, max_length=10_000)


class HotkeyFields(_Action):
    """The keys to press together."""

    keys: Keys


class WaitFields(_Action):
    """How long to wait."""

    seconds: float = Field(default=1.0, gt=0, le=30)


class RunShellFields(_Action):
    """The shell command to run."""

    command: str = Field(min_length=1, max_length=4_000)


class Scroll(ScrollFields):
    """Turn the wheel ``amount`` notches, over ``at`` if given (else where the pointer is)."""

    kind: Literal["scroll"] = "scroll"
    at: ImagePoint | None = None


class TypeText(TypeTextFields):
    """Type text into whatever has keyboard focus, exactly as given (any Unicode)."""

    kind: Literal["type_text"] = "type_text"


class Hotkey(HotkeyFields):
    """Press keys together and release them in reverse order, e.g. ("ctrl", "s")."""

    kind: Literal["hotkey"] = "hotkey"


class Wait(WaitFields):
    """Let the screen change on its own (a page loading, an app starting)."""

    kind: Literal["wait"] = "wait"


class RunShell(RunShellFields):
    """Run a shell command; its exit code and output tail go back to the model."""

    kind: Literal["run_shell"] = "run_shell"


class Remember(_Action):
    """Keep a short fact about the user for later tasks; always asks the user first."""

    kind: Literal["remember"] = "remember"
    text: str = Field(min_length=1, max_length=500)


class CallTool(_Action):
    """Call ``tool`` of the configured MCP server ``server``; its result comes back as data.

    Which tools exist, and how risky each is, comes from the server's own listing at task
    start (``deskhand.core.tools``), never from the model's call.
    """

    kind: Literal["call_tool"] = "call_tool"
    server: str = Field(min_length=1, max_length=64)
    tool: str = Field(min_length=1, max_length=128)
    arguments: dict[str, Any] = Field(default_factory=dict)


class Finish(_Action):
    """The task is done (or cannot be done: ``success`` false); ends the loop."""

    kind: Literal["finish"] = "finish"
    summary: str = ""
    success: bool = True


class AskUser(_Action):
    """The model needs the user to answer or act; ends the loop with the question."""

    kind: Literal["ask_user"] = "ask_user"
    question: str = Field(min_length=1)


Action = Annotated[
    Click
    | Move
    | Drag
    | Scroll
    | TypeText
    | Hotkey
    | Wait
    | RunShell
    | Remember
    | CallTool
    | Finish
    | AskUser,
    Field(discriminator="kind"),
]
PointerAction = Click | Move | Drag | Scroll
TerminalAction = Finish | AskUser


class Decision(BaseModel):
    """One model turn: why, and what to do next (usually one action, sometimes a few)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    thought: str = ""
    actions: tuple[Action, ...] = Field(min_length=1, max_length=8)


# A click's verb by how many times it clicks, as actions and skill steps are put in words.
CLICK_VERBS = {1: "click", 2: "double-click", 3: "triple-click"}


def describe(action: Action, on_screen: ScreenGeometry | None = None) -> str:
    """The action in plain words, for the terminal, the dialogs and the model's feedback.

    Points are the image's pixels (what the model said); with ``on_screen`` (the step's
    geometry) they are the desktop points the action really lands on, as a person sees them.
    """

    def at(point: ImagePoint) -> str:
        p = point if on_screen is None else on_screen.to_screen(point)
        return f"({p.x:.0f}, {p.y:.0f})"

    match action:
        case Click(at=p, button=b, count=n):
            what = CLICK_VERBS[n]
            prefix = "" if b is MouseButton.LEFT else f"{b.value} "
            return f"{prefix}{what} at {at(p)}"
        case Move(at=p):
            return f"move the pointer to {at(p)}"
        case Drag(start=a, end=b):
            return f"drag from {at(a)} to {at(b)}"
        case Scroll(direction=d, amount=n, at=p):
            where = "" if p is None else f" at {at(p)}"
            return f"scroll {d.value} {n}{where}"
        case TypeText(text=t):
            return f"type {t!r}"
        case Hotkey(keys=k):
            return "press " + "+".join(k)
        case Wait(seconds=s):
            return f"wait {s:g} s"
        case RunShell(command=c):
            return f"run `{c}`"
        case Remember(text=t):
            return f"remember {t!r}"
        case CallTool(server=server, tool=tool, arguments=arguments):
            shown = json.dumps(arguments, ensure_ascii=False)
            return f"call {server}.{tool}({shown if len(shown) <= 300 else shown[:299] + '…'})"
        case Finish(summary=s, success=ok):
            return ("finish: " if ok else "give up: ") + s
        case AskUser(question=q):
            return f"ask you: {q}"
