"""What Qwen's tool calls mean: each call of an answer mapped onto our actions.

Shared by both Qwen dialects; the reader accepts the union of their action lists.  The
calls come out of the answer's ``<tool_call>`` blocks (``qwen_blocks``, which also finds
where a streamed answer ends); here each is checked and built into a typed action, so a
wrong argument is a ``Reject`` the model is told about, never a guess.  Points go through
the caller's ``point`` reader, which owns the model space.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping

from deskhand.core.actions import (
    Action,
    CallTool,
    Click,
    Decision,
    Drag,
    Finish,
    Hotkey,
    MouseButton,
    Move,
    Remember,
    RunShell,
    Scroll,
    ScrollDirection,
    TypeText,
    Wait,
)
from deskhand.core.geometry import ImagePoint, ModelSpace, Size
from deskhand.core.tools import ToolKey
from deskhand.vision.dialects.common import (
    Reject,
    build,
    decide,
    image_point,
    key_names,
    read_numbers,
)
from deskhand.vision.dialects.qwen_blocks import DECODER, split_tool_calls
from deskhand.vision.dialects.qwen_prompt import QWEN3_ACTIONS

__all__ = ["calls_to_decision", "coordinate_numbers", "parse_reply"]

PointReader = Callable[[object, str], ImagePoint]
ElementReader = Callable[[object], ImagePoint]  # a listed element's number -> its centre

_CLICKS = {
    "left_click": (MouseButton.LEFT, 1),
    "right_click": (MouseButton.RIGHT, 1),
    "middle_click": (MouseButton.MIDDLE, 1),
    "double_click": (MouseButton.LEFT, 2),
    "triple_click": (MouseButton.LEFT, 3),
}


def calls_to_decision(
    thought: str,
    calls: list[dict[str, object]],
    point: PointReader,
    tools: Mapping[str, ToolKey] | None = None,
    pointer: ImagePoint | None = None,
    element: ElementReader | None = None,
) -> Decision:
    """Map the calls, in order, onto our actions (``pointer``: where the pointer is now;
    ``element``: how a click's or move's ``element`` number becomes a point).

    ``answer`` (Qwen3-VL) ends the task with its text as the summary: it is merged into a
    ``terminate`` right after it, or becomes a successful ``Finish`` on its own.
    """
    actions: list[Action] = []
    answer: str | None = None
    for call in calls:
        name, args = call["name"], _arguments(call)
        action = _action_name(args) if name == "computer_use" else None
        if answer is not None and action != "terminate":
            actions.append(Finish(summary=answer))
            answer = None
        if name == "run_shell":
            actions.append(build(RunShell, command=args.get("command")))
        elif name == "remember":
            actions.append(build(Remember, text=args.get("text")))
        elif tools and isinstance(name, str) and name in tools:
            server, tool = tools[name]
            actions.append(build(CallTool, server=server, tool=tool, arguments=args))
        elif name != "computer_use":
            raise Reject(
                f"unknown function {_short(name)}; call computer_use, run_shell, remember or an offered tool"
            )
        elif action == "answer":
            answer = _answer_text(args)
        elif action == "terminate":
            actions.append(_terminate(args, answer if answer is not None else thought))
            answer = None
        else:
            actions.append(_computer_use(args, point, actions, pointer, element))
    if answer is not None:
        actions.append(Finish(summary=answer))
    return decide(thought, actions)


def _arguments(call: dict[str, object]) -> dict[str, object]:
    args = call.get("arguments", call.get("parameters", {}))
    if isinstance(args, str):
        try:
            args = DECODER.decode(args)
        except (json.JSONDecodeError, RecursionError):
            raise Reject(f"the arguments of {call['name']} are not a JSON object") from None
    if not isinstance(args, dict):
        raise Reject(f"the arguments of {call['name']} must be a JSON object")
    return args


def _action_name(args: dict[str, object]) -> str:
    action = args.get("action")
    if not isinstance(action, str):
        raise Reject('computer_use needs an action name, e.g. "action": "left_click"')
    return action


def _short(value: object) -> str:
    """A value for a problem sentence: quoted if text, else just its type (never huge)."""
    if isinstance(value, str):
        return repr(value[:40])
    return f"a {type(value).__name__}"


def _answer_text(args: dict[str, object]) -> str:
    text = args.get("text")
    if not isinstance(text, str) or not text.strip():
        raise Reject("answer needs the answer in text")
    return text.strip()


def _terminate(args: dict[str, object], summary: str) -> Finish:
    status = args.get("status", "success")
    if status not in ("success", "failure"):
        raise Reject(f"terminate needs status 'success' or 'failure', not {_short(status)}")
    return Finish(summary=summary, success=status == "success")


def _computer_use(
    args: dict[str, object],
    point: PointReader,
    actions: list[Action],
    pointer: ImagePoint | None,
    element: ElementReader | None = None,
) -> Action:
    """Our action for one computer_use call (a drag may absorb the move before it)."""
    action = _action_name(args)
    if action in _CLICKS:
        if args.get("text"):
            raise Reject(f"{action} with held keys is not supported; press the keys with action=key")
        button, count = _CLICKS[action]
        at, number = _aim(args, action, point, element)
        return Click(at=at, button=button, count=count, element=number)
    if action == "mouse_move":
        at, number = _aim(args, action, point, element)
        return Move(at=at, element=number)
    if action == "left_click_drag":
        return _drag(args, point, actions, pointer)
    if action == "key":
        return build(Hotkey, keys=key_names(args.get("keys", args.get("text"))))
    if action == "type":
        return build(TypeText, text=args.get("text"))
    if action in {"scroll", "hscroll"}:
        return _scroll(args, point, horizontal=action == "hscroll")
    if action == "wait":
        return build(Wait, seconds=args.get("time", 2.0))
    raise Reject(f"unknown computer_use action {_short(action)}; use one of {', '.join(QWEN3_ACTIONS)}")


def _aim(
    args: dict[str, object], action: str, point: PointReader, element: ElementReader | None
) -> tuple[ImagePoint, int | None]:
    """Where a click or move goes: the listed element it names, else its coordinate."""
    number = args.get("element")
    if number is None:
        return point(_required(args, "coordinate", action), "coordinate"), None
    if element is None:
        raise Reject("this screenshot came with no list of elements; give a coordinate instead of an element")
    at = element(number)
    return at, int(number)  # type: ignore[call-overload]  # element() checked it is a whole number


def _required(args: dict[str, object], key: str, action: str) -> object:
    if key not in args:
        raise Reject(f"{action} needs a {key}")
    return args[key]


def _drag(
    args: dict[str, object], point: PointReader, actions: list[Action], pointer: ImagePoint | None
) -> Drag:
    """A drag from the pointer's position: the preceding mouse_move (folded in) or click in
    this answer, else where an earlier turn left the pointer (``pointer``)."""
    end = point(_required(args, "coordinate", "left_click_drag"), "coordinate")
    if "start_coordinate" in args:
        return Drag(start=point(args["start_coordinate"], "start_coordinate"), end=end)
    last = actions[-1] if actions else None
    if isinstance(last, Move):
        actions.pop()
        return Drag(start=last.at, end=end)
    if isinstance(last, Click):
        return Drag(start=last.at, end=end)
    if not actions and pointer is not None:
        return Drag(start=pointer, end=end)
    raise Reject(
        "left_click_drag starts where the cursor is, which is unknown here; "
        "call mouse_move to the start point and then left_click_drag"
    )


def _scroll(args: dict[str, object], point: PointReader, *, horizontal: bool) -> Scroll:
    """Scroll by "pixels" -- wheel notches, as the cookbook's executor passes them on.

    Values up to 25 are notches; larger ones can only be screen pixels, read at 100 px a
    notch (capped at 50 notches).
    """
    pixels = args.get("pixels")
    if (
        isinstance(pixels, bool)
        or not isinstance(pixels, int | float)
        or not math.isfinite(pixels)
        or pixels == 0
    ):
        raise Reject("scroll needs a non-zero number of pixels (positive up, negative down)")
    size = abs(pixels)
    notches = round(size) if size <= 25 else round(size / 100)
    if horizontal:
        direction = ScrollDirection.RIGHT if pixels > 0 else ScrollDirection.LEFT
    else:
        direction = ScrollDirection.UP if pixels > 0 else ScrollDirection.DOWN
    at = point(args["coordinate"], "coordinate") if "coordinate" in args else None
    return Scroll(direction=direction, amount=min(50, max(1, notches)), at=at)


def coordinate_numbers(value: object) -> tuple[float, float]:
    """[x, y] as the model wrote it: a JSON array of two numbers (or the same as text)."""
    if isinstance(value, str):
        numbers = read_numbers(value)
    elif isinstance(value, list) and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in value
    ):
        numbers = [float(v) for v in value]
    else:
        raise Reject(f"a coordinate must be [x, y], not {_short(value)}")
    if len(numbers) != 2:
        raise Reject(f"a coordinate must be [x, y] with two numbers, not {len(numbers)}")
    return numbers[0], numbers[1]


def parse_reply(
    raw: str,
    space: ModelSpace,
    image_size: Size,
    tools: Mapping[str, ToolKey] | None = None,
    pointer: ImagePoint | None = None,
    element: ElementReader | None = None,
) -> Decision:
    """A Qwen answer as a ``Decision``, every coordinate mapped through ``space``."""
    thought, calls = split_tool_calls(raw)

    def point(value: object, what: str) -> ImagePoint:
        x, y = coordinate_numbers(value)
        return image_point(space, image_size, x, y, what)

    return calls_to_decision(thought, calls, point, tools, pointer, element)
