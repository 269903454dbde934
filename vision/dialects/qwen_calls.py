"""Reading Qwen answers: ``<tool_call>{json}</tool_call>`` blocks onto our actions.

Shared by both Qwen dialects; the reader accepts the union of their action lists.  The
JSON is read with ``json`` only; a block must hold exactly one object, a cut-off block is
refused, and text outside the blocks becomes the thought.  Points go through the caller's
``point`` reader, which owns the model space.
"""

from __future__ import annotations

import json
import math
import re
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
    strip_fences,
)
from deskhand.vision.dialects.qwen_prompt import QWEN3_ACTIONS

PointReader = Callable[[object, str], ImagePoint]
ElementReader = Callable[[object], ImagePoint]  # a listed element's number -> its centre

_CLICKS = {
    "left_click": (MouseButton.LEFT, 1),
    "right_click": (MouseButton.RIGHT, 1),
    "middle_click": (MouseButton.MIDDLE, 1),
    "double_click": (MouseButton.LEFT, 2),
    "triple_click": (MouseButton.LEFT, 3),
}

_OPEN, _CLOSE = "<tool_call>", "</tool_call>"
_THINK_TAG = re.compile(r"</?think>")


def _parse_int(digits: str) -> float | int:
    """Whole numbers as JSON gives them, but absurdly long ones as +/-inf, refused later.

    Python refuses to convert integers over 4300 digits (and floats overflow long before),
    so without this a hostile number would raise instead of being refused.
    """
    if len(digits.lstrip("-")) > 30:
        return float("-inf") if digits.startswith("-") else float("inf")
    return int(digits)


_DECODER = json.JSONDecoder(parse_int=_parse_int)


def split_tool_calls(raw: str) -> tuple[str, list[dict[str, object]]]:
    """(thought, calls): the text outside ``<tool_call>`` blocks and each block's JSON.

    Each block is read with the JSON decoder from its opening tag, so a ``</tool_call>``
    inside a string (text to type, say) cannot end it early.  A final block may lack its
    closing tag if its JSON is complete; a block cut off inside the JSON is refused.  A
    reasoning model's ``<think>...</think>`` preface counts as thought, not as calls.
    """
    thinking, answer = "", raw
    think_end, first_call = raw.find("</think>"), raw.find(_OPEN)
    if think_end >= 0 and (first_call < 0 or think_end < first_call):
        thinking, answer = raw[:think_end], raw[think_end + len("</think>") :]
    outside: list[str] = []
    calls: list[dict[str, object]] = []
    pos = 0
    while (start := answer.find(_OPEN, pos)) >= 0:
        outside.append(answer[pos:start])
        call, pos = _read_block(answer, start + len(_OPEN))
        calls.append(call)
    outside.append(answer[pos:])
    if not calls:
        bare = strip_fences(answer).strip()
        if not bare.startswith("{"):
            raise Reject("there is no <tool_call> block")
        call, end = _read_json(bare, 0)
        if bare[end:].strip():
            raise Reject("there is text after the JSON; wrap each call in <tool_call></tool_call>")
        return "", [call]
    parts = (_THINK_TAG.sub("", thinking), *outside)
    return "\n".join(p.strip() for p in parts if p.strip()), calls


def _read_block(text: str, pos: int) -> tuple[dict[str, object], int]:
    """The call in the block whose body starts at ``pos``, and where the block ends."""
    pos = _skip_space(text, pos)
    if text.startswith(_CLOSE, pos):
        raise Reject("a <tool_call> block is empty")
    call, end = _read_json(text, pos)
    end = _skip_space(text, end)
    if text.startswith(_CLOSE, end):
        return call, end + len(_CLOSE)
    if end >= len(text):
        return call, end
    if text.startswith("{", end):
        raise Reject("a <tool_call> block must hold exactly one JSON object; put each call in its own block")
    raise Reject("</tool_call> must follow right after the JSON object of a tool call")


def _read_json(text: str, pos: int) -> tuple[dict[str, object], int]:
    try:
        value, end = _DECODER.raw_decode(text, pos)
    except json.JSONDecodeError as exc:
        raise Reject(f"the JSON of a tool call is invalid or cut off ({exc.msg})") from None
    except RecursionError:  # the C decoder recurses per nesting level
        raise Reject("the JSON of a tool call is nested too deeply") from None
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        raise Reject('a tool call must be a JSON object {"name": ..., "arguments": {...}}')
    return value, end


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


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
            args = _DECODER.decode(args)
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


def answer_end(partial: str) -> int | None:
    """Where a complete answer ends in a partial one, or None while more may belong to it.

    Complete means: at least one closed ``<tool_call>`` block, and then either a
    ``terminate`` call (nothing after it matters) or text that cannot be the start of
    another block (the model moved on: a made-up ``<tool_response>``, chatter).  Right after
    a block it is not complete yet -- models chain calls (click, then type; a drag is a
    mouse_move and a left_click_drag) and cutting there would drop the rest.  A block that
    is cut off or malformed also means None: the stream runs on and the parser judges.
    """
    if _CLOSE not in partial:
        return None
    think_end = partial.find("</think>")
    if "<think>" in partial and think_end < 0:
        return None  # calls inside unfinished reasoning are not answers
    pos = think_end + len("</think>") if think_end >= 0 else 0
    end: int | None = None
    while (start := partial.find(_OPEN, pos)) >= 0:
        try:
            call, pos = _read_block(partial, start + len(_OPEN))
        except Reject:
            return None
        if not partial.endswith(_CLOSE, 0, pos):
            return None  # the last block's closing tag has not arrived yet
        end = pos
        arguments = call.get("arguments")
        if isinstance(arguments, dict) and arguments.get("action") == "terminate":
            return end
    if end is None:
        return None
    rest = partial[end:].lstrip()
    if not rest or _OPEN.startswith(rest[: len(_OPEN)]):
        return None
    return end


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


def parse_answer(
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
