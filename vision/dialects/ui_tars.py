"""The UI-TARS dialect: ByteDance's computer-use prompt and its ``Thought/Action`` answers.

The prompt is UI-TARS-1.5's ``COMPUTER_USE`` template (bytedance/UI-TARS, codes/ui_tars/
prompt.py), the one the model was trained on, plus ``call_user()`` from the earlier
desktop template so the model can hand a question to the user.  Following the reference
agent, the system turn is the generic assistant line and the template with the task is the
first user turn; screenshots follow as user turns, feedback as plain text before them.

Coordinates are absolute pixels of the image as the model saw it (UI-TARS-1.5 is a
Qwen2.5-VL fine-tune, so smart-resize with factor 28 under Ollama's budget).  We accept every
spelling the 1.5 family is seen to write: ``point='<point>x y</point>'``,
``start_box='(x,y)'``, ``start_box='<|box_start|>(x,y)<|box_end|>'`` and boxes
``[x1,y1,x2,y2]`` (their centre).  UI-TARS 1.0 answered in 0-1000 relative units; that
older family is not supported here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from deskhand.core.actions import (
    Action,
    AskUser,
    Click,
    Decision,
    Drag,
    Finish,
    Hotkey,
    MouseButton,
    Move,
    Scroll,
    ScrollDirection,
    TypeText,
    Wait,
)
from deskhand.core.geometry import Frame, Grid, ImagePoint, ModelSpace, Size
from deskhand.core.observation import Conversation, Observation
from deskhand.core.outcome import StepMemory, Unparseable
from deskhand.vision.dialects.common import (
    QWEN25_GRID,
    Reject,
    build,
    decide,
    guarded,
    image_point,
    key_names,
    read_numbers,
    repaired,
    replay,
    resized_space,
)
from deskhand.vision.dialects.ui_tars_grammar import Call, read_calls, reply_end, split_reply

__all__ = ["UiTarsDialect"]

SYSTEM = "You are a helpful assistant."

COMPUTER_USE = """You are a GUI agent. You are given a task and your action history, with screenshots. You need to perform the next action to complete the task.

## Output Format
```
Thought: ...
Action: ...
```

## Action Space

click(point='<point>x1 y1</point>')
left_double(point='<point>x1 y1</point>')
right_single(point='<point>x1 y1</point>')
drag(start_point='<point>x1 y1</point>', end_point='<point>x2 y2</point>')
hotkey(key='ctrl c') # Split keys with a space and use lowercase. Also, do not use more than 3 keys in one hotkey action.
type(content='xxx') # Use escape characters \\', \\", and \\n in content part to ensure we can parse the content in normal python string format. If you want to submit your input, use \\n at the end of content.
scroll(point='<point>x1 y1</point>', direction='down or up or right or left') # Show more information on the `direction` side.
wait() #Sleep for 5s and take a screenshot to check for any changes.
finished(content='xxx') # Use escape characters \\', \\", and \\n in content part to ensure we can parse the content in normal python string format.
call_user() # Submit the task and call the user when the task is unsolvable, or when you need the user's help.


## Note
- Use English in `Thought` part.
- Write a small plan and finally summarize your next action (with its target element) in one sentence in `Thought` part.

## User Instruction
"""

REMINDER = (
    "Answer again in exactly this format, with one action from the action space:\n"
    "Thought: ...\n"
    "Action: click(point='<point>x1 y1</point>')"
)

_SCROLL_NOTCHES = 5  # the reference executor scrolls 5 wheel notches per scroll()
_WAIT_SECONDS = 5.0  # "Sleep for 5s" in the prompt
_WRAPPERS = re.compile(r"<\|box_start\|>|<\|box_end\|>|</?point>|</?bbox>")

PointReader = Callable[[str, str], ImagePoint]


@dataclass(frozen=True)
class UiTarsDialect:
    """UI-TARS-1.5 (and Doubao-style point tags), absolute pixels on the factor-28 grid."""

    name: ClassVar[str] = "ui-tars"
    frame: ClassVar[Frame] = Frame.RESIZED
    grid: Grid = QWEN25_GRID

    def model_space(self, image_size: Size) -> ModelSpace:
        return resized_space(image_size, self.grid)

    def conversation(
        self, task: str, history: Sequence[StepMemory], observation: Observation
    ) -> Conversation:
        turns = replay(
            SYSTEM,
            COMPUTER_USE + task.strip(),
            history,
            observation,
            feedback=_feedback,
            opening_alone=True,
        )
        return Conversation(turns=turns)

    def repair(self, conversation: Conversation, raw: str, problem: str) -> Conversation:
        return repaired(conversation, raw, problem, REMINDER)

    def reply_end(self, partial: str) -> int | None:
        """Where a complete answer ends (for the model's early stop); see ``ui_tars_grammar``."""
        return reply_end(partial)

    def parse(self, raw: str, observation: Observation) -> Decision | Unparseable:
        return guarded(raw, lambda: self._parse(raw, observation))

    def _parse(self, raw: str, observation: Observation) -> Decision:
        image_size = observation.geometry.image_size
        space = self.model_space(image_size)
        thought, section = split_reply(raw)

        def point(text: str, what: str) -> ImagePoint:
            return _point(text, what, space, image_size)

        actions: list[Action] = []
        for call in read_calls(section):
            actions.extend(_actions(call, point, thought))
        return decide(thought, actions)


def _feedback(text: str) -> str:
    return f"Result of the previous action: {text}" if text else ""


def _point(text: str, what: str, space: ModelSpace, image_size: Size) -> ImagePoint:
    """One point from any UI-TARS spelling; a box gives its centre (both corners must fit)."""
    numbers = read_numbers(_WRAPPERS.sub(" ", text))
    if len(numbers) == 2:
        return image_point(space, image_size, numbers[0], numbers[1], what)
    if len(numbers) == 4:
        x1, y1, x2, y2 = numbers
        image_point(space, image_size, x1, y1, f"{what} box corner")
        image_point(space, image_size, x2, y2, f"{what} box corner")
        return image_point(space, image_size, (x1 + x2) / 2, (y1 + y2) / 2, what)
    raise Reject(f"a {what} needs two numbers (x y) or four (a box), not {len(numbers)}")


def _start(call: Call, point: PointReader) -> ImagePoint:
    for key in ("point", "start_point", "start_box"):
        if key in call.args:
            return point(call.args[key], "point")
    raise Reject(f"{call.name}() needs a point, e.g. point='<point>x1 y1</point>'")


def _actions(call: Call, point: PointReader, thought: str) -> list[Action]:
    """Our actions for one UI-TARS call (``type`` ending in a newline also presses Enter)."""
    args = call.args
    match call.name:
        case "click" | "left_single":
            return [Click(at=_start(call, point))]
        case "left_double" | "double_click":
            return [Click(at=_start(call, point), count=2)]
        case "left_triple" | "triple_click":
            return [Click(at=_start(call, point), count=3)]
        case "right_single" | "right_click":
            return [Click(at=_start(call, point), button=MouseButton.RIGHT)]
        case "hover" | "move" | "move_to" | "mouse_move":
            return [Move(at=_start(call, point))]
        case "drag" | "select":
            end = args.get("end_point", args.get("end_box"))
            if end is None:
                raise Reject(f"{call.name}() needs end_point='<point>x2 y2</point>'")
            return [Drag(start=_start(call, point), end=point(end, "end point"))]
        case "hotkey" | "press" | "key":
            return [build(Hotkey, keys=key_names(args.get("key", args.get("hotkey", ""))))]
        case "type":
            return _typing(args.get("content", ""))
        case "scroll":
            return [_scroll(call, point)]
        case "wait":
            return [Wait(seconds=_WAIT_SECONDS)]
        case "finished" | "finish":
            return [Finish(summary=args.get("content", "").strip())]
        case "call_user":
            question = args.get("content", "").strip() or thought or "I need your help to go on."
            return [AskUser(question=question)]
        case _:
            raise Reject(f"unknown action {call.name}(); use one from the action space")


def _typing(content: str) -> list[Action]:
    if not content:
        raise Reject("type() needs non-empty content")
    text = content.rstrip("\n")
    actions: list[Action] = [build(TypeText, text=text)] if text else []
    if text != content:
        actions.append(Hotkey(keys=("enter",)))
    return actions


def _scroll(call: Call, point: PointReader) -> Scroll:
    direction = call.args.get("direction", "").strip().lower()
    if direction not in {d.value for d in ScrollDirection}:
        raise Reject(f"scroll() needs direction='down', 'up', 'left' or 'right', not {direction[:40]!r}")
    has_point = any(k in call.args for k in ("point", "start_point", "start_box"))
    at = _start(call, point) if has_point else None
    return Scroll(direction=ScrollDirection(direction), amount=_SCROLL_NOTCHES, at=at)
