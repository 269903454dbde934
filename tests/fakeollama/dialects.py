"""How each model family writes an action, given points already in its coordinate frame.

* json       -- Deskhand's ``Decision`` JSON (``core/actions.py``), pixels of the image sent.
* ui-tars    -- ``Thought: ...\\nAction: click(start_box='<|box_start|>(x,y)<|box_end|>')``,
                alternating with ``point='<point>x y</point>'`` from one request to the next.
* qwen2.5-vl -- ``<tool_call>{"name": "computer_use", ...}</tool_call>`` (cookbook actions),
  qwen3-vl      plus the ``run_shell`` tool; qwen3-vl's coordinates are 0..1000.
* holo       -- H Company's step object ``{"note": ..., "thought": ..., "tool_call":
                {"tool_name": "click", "element": ..., "x": .., "y": ..}}``, 0..1000.

What a family cannot say (a shell command or middle click in UI-TARS, asking the user in
Qwen) comes out as a ``FAKE-OLLAMA SCRIPT ERROR`` text, so a misused script fails loudly.
"""

from __future__ import annotations

import json
from typing import Any

Point = tuple[int, int]


class Renderer:
    """Base: one method per verb, each returning the model's whole answer text."""

    name = ""

    def __init__(self, request_index: int = 0) -> None:
        self.request_index = request_index

    def click(self, thought: str, at: Point, button: str, count: int) -> str:
        raise NotImplementedError

    def move(self, thought: str, at: Point) -> str:
        raise NotImplementedError

    def drag(self, thought: str, start: Point, end: Point) -> str:
        raise NotImplementedError

    def drag_from_pointer(self, thought: str, end: Point) -> str:
        return self._unsupported("a drag from where the pointer is")

    def scroll(self, thought: str, at: Point | None, direction: str, amount: int) -> str:
        raise NotImplementedError

    def type_text(self, thought: str, text: str) -> str:
        raise NotImplementedError

    def hotkey(self, thought: str, keys: list[str]) -> str:
        raise NotImplementedError

    def shell(self, thought: str, command: str) -> str:
        raise NotImplementedError

    def wait(self, thought: str, seconds: float) -> str:
        raise NotImplementedError

    def finish(self, thought: str, summary: str, success: bool) -> str:
        raise NotImplementedError

    def ask(self, thought: str, question: str) -> str:
        raise NotImplementedError

    def _unsupported(self, what: str) -> str:
        return (
            f"FAKE-OLLAMA SCRIPT ERROR: the script asked for {what}, which the {self.name} "
            "action space cannot express; fix the test's script."
        )


class JsonRenderer(Renderer):
    name = "json"

    @staticmethod
    def _decision(thought: str, action: dict[str, Any]) -> str:
        return json.dumps({"thought": thought, "actions": [action]}, ensure_ascii=False)

    @staticmethod
    def _pt(p: Point) -> dict[str, int]:
        return {"x": p[0], "y": p[1]}

    def click(self, thought: str, at: Point, button: str, count: int) -> str:
        action = {"kind": "click", "at": self._pt(at), "button": button, "count": count}
        return self._decision(thought, action)

    def move(self, thought: str, at: Point) -> str:
        return self._decision(thought, {"kind": "move", "at": self._pt(at)})

    def drag(self, thought: str, start: Point, end: Point) -> str:
        action = {"kind": "drag", "start": self._pt(start), "end": self._pt(end)}
        return self._decision(thought, action)

    def scroll(self, thought: str, at: Point | None, direction: str, amount: int) -> str:
        action: dict[str, Any] = {"kind": "scroll", "direction": direction, "amount": amount}
        if at is not None:
            action["at"] = self._pt(at)
        return self._decision(thought, action)

    def type_text(self, thought: str, text: str) -> str:
        return self._decision(thought, {"kind": "type_text", "text": text})

    def hotkey(self, thought: str, keys: list[str]) -> str:
        return self._decision(thought, {"kind": "hotkey", "keys": keys})

    def shell(self, thought: str, command: str) -> str:
        return self._decision(thought, {"kind": "run_shell", "command": command})

    def wait(self, thought: str, seconds: float) -> str:
        return self._decision(thought, {"kind": "wait", "seconds": seconds})

    def finish(self, thought: str, summary: str, success: bool) -> str:
        action = {"kind": "finish", "summary": summary, "success": success}
        return self._decision(thought, action)

    def ask(self, thought: str, question: str) -> str:
        return self._decision(thought, {"kind": "ask_user", "question": question})


def ui_tars_quote(text: str) -> str:
    """Escape text for a single-quoted UI-TARS argument (as its prompt tells the model)."""
    return (
        text.replace("\\", "\\\\")
        .replace("'", "\\'")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\t", "\\t")
    )


class UiTarsRenderer(Renderer):
    name = "ui-tars"

    @property
    def _point_form(self) -> bool:
        return self.request_index % 2 == 1

    def _arg(self, p: Point, box_key: str = "start_box", point_key: str = "point") -> str:
        """``start_box='<|box_start|>(x,y)<|box_end|>'`` or ``point='<point>x y</point>'``."""
        if self._point_form:
            return f"{point_key}='<point>{p[0]} {p[1]}</point>'"
        return f"{box_key}='<|box_start|>({p[0]},{p[1]})<|box_end|>'"

    @staticmethod
    def _say(thought: str, action: str) -> str:
        return f"Thought: {thought}\nAction: {action}"

    def click(self, thought: str, at: Point, button: str, count: int) -> str:
        verb = {("left", 1): "click", ("left", 2): "left_double", ("right", 1): "right_single"}
        if (button, count) not in verb:
            return self._unsupported(f"a {button} click x{count}")
        return self._say(thought, f"{verb[button, count]}({self._arg(at)})")

    def move(self, thought: str, at: Point) -> str:
        return self._say(thought, f"hover({self._arg(at)})")

    def drag(self, thought: str, start: Point, end: Point) -> str:
        first = self._arg(start, "start_box", "start_point")
        args = f"{first}, {self._arg(end, 'end_box', 'end_point')}"
        return self._say(thought, f"drag({args})")

    def scroll(self, thought: str, at: Point | None, direction: str, amount: int) -> str:
        where = "" if at is None else self._arg(at) + ", "
        return self._say(thought, f"scroll({where}direction='{direction}')")

    def type_text(self, thought: str, text: str) -> str:
        return self._say(thought, f"type(content='{ui_tars_quote(text)}')")

    def hotkey(self, thought: str, keys: list[str]) -> str:
        return self._say(thought, f"hotkey(key='{' '.join(keys)}')")

    def shell(self, thought: str, command: str) -> str:
        return self._unsupported(f"the shell command {command!r}")

    def wait(self, thought: str, seconds: float) -> str:
        return self._say(thought, "wait()")

    def finish(self, thought: str, summary: str, success: bool) -> str:
        if not success:  # UI-TARS has no "give up" action; it hands over to the user.
            return self._say(thought or summary, "call_user()")
        return self._say(thought, f"finished(content='{ui_tars_quote(summary)}')")

    def ask(self, thought: str, question: str) -> str:
        return self._say(question, "call_user()")


class QwenRenderer(Renderer):
    """Qwen2.5-VL and Qwen3-VL: cookbook ``computer_use`` actions plus ``run_shell``."""

    name = "qwen2.5-vl"

    @staticmethod
    def _calls(thought: str, *calls: tuple[str, dict[str, Any]]) -> str:
        blocks = [
            "<tool_call>\n"
            + json.dumps({"name": name, "arguments": args}, ensure_ascii=False)
            + "\n</tool_call>"
            for name, args in calls
        ]
        return "\n".join([thought, *blocks]) if thought else "\n".join(blocks)

    def _cu(self, thought: str, **args: Any) -> str:
        return self._calls(thought, ("computer_use", args))

    def click(self, thought: str, at: Point, button: str, count: int) -> str:
        if count == 2 and button == "left":
            action = "double_click"
        elif count == 3 and button == "left":
            action = "triple_click"
        else:
            action = f"{button}_click"
        return self._cu(thought, action=action, coordinate=list(at))

    def move(self, thought: str, at: Point) -> str:
        return self._cu(thought, action="mouse_move", coordinate=list(at))

    def drag(self, thought: str, start: Point, end: Point) -> str:
        return self._calls(
            thought,
            ("computer_use", {"action": "mouse_move", "coordinate": list(start)}),
            ("computer_use", {"action": "left_click_drag", "coordinate": list(end)}),
        )

    def drag_from_pointer(self, thought: str, end: Point) -> str:
        """The cookbook's own form: left_click_drag alone, from wherever the pointer is."""
        return self._cu(thought, action="left_click_drag", coordinate=list(end))

    def scroll(self, thought: str, at: Point | None, direction: str, amount: int) -> str:
        # pixels: wheel notches, positive = up (scroll) / right (hscroll), as in the cookbook.
        vertical = direction in ("up", "down")
        sign = 1 if direction in ("up", "right") else -1
        args: dict[str, Any] = {"action": "scroll" if vertical else "hscroll"}
        args["pixels"] = sign * amount
        if at is not None:
            args["coordinate"] = list(at)
        return self._cu(thought, **args)

    def type_text(self, thought: str, text: str) -> str:
        return self._cu(thought, action="type", text=text)

    def hotkey(self, thought: str, keys: list[str]) -> str:
        return self._cu(thought, action="key", keys=keys)

    def shell(self, thought: str, command: str) -> str:
        return self._calls(thought, ("run_shell", {"command": command}))

    def wait(self, thought: str, seconds: float) -> str:
        return self._cu(thought, action="wait", time=seconds)

    def finish(self, thought: str, summary: str, success: bool) -> str:
        text = "\n".join(dict.fromkeys(t for t in (thought, summary) if t))
        return self._cu(text, action="terminate", status="success" if success else "failure")

    def ask(self, thought: str, question: str) -> str:
        # Neither Qwen action set (nor Deskhand's run_shell tool) can ask the user.
        return self._unsupported(f"asking the user {question!r}")


class Qwen3Renderer(QwenRenderer):
    name = "qwen3-vl"


class HoloRenderer(Renderer):
    """One step object per answer, as H Company's agent loop documents it."""

    name = "holo"

    @staticmethod
    def _step(thought: str, **tool: Any) -> str:
        return json.dumps({"note": None, "thought": thought, "tool_call": tool}, ensure_ascii=False)

    def click(self, thought: str, at: Point, button: str, count: int) -> str:
        return self._step(
            thought, tool_name="click", element="target", x=at[0], y=at[1], button=button, count=count
        )

    def move(self, thought: str, at: Point) -> str:
        return self._step(thought, tool_name="hover", element="target", x=at[0], y=at[1])

    def drag(self, thought: str, start: Point, end: Point) -> str:
        return self._step(thought, tool_name="drag", x=start[0], y=start[1], to_x=end[0], to_y=end[1])

    def scroll(self, thought: str, at: Point | None, direction: str, amount: int) -> str:
        where = {} if at is None else {"x": at[0], "y": at[1]}
        return self._step(thought, tool_name="scroll", direction=direction, amount=amount, **where)

    def type_text(self, thought: str, text: str) -> str:
        return self._step(thought, tool_name="write", content=text)

    def hotkey(self, thought: str, keys: list[str]) -> str:
        return self._step(thought, tool_name="press", keys=keys)

    def shell(self, thought: str, command: str) -> str:
        return self._step(thought, tool_name="run_shell", command=command)

    def wait(self, thought: str, seconds: float) -> str:
        return self._step(thought, tool_name="wait", seconds=seconds)

    def finish(self, thought: str, summary: str, success: bool) -> str:
        return self._step(thought, tool_name="answer", content=summary, success=success)

    def ask(self, thought: str, question: str) -> str:
        return self._step(thought, tool_name="ask_user", question=question)


RENDERERS: dict[str, type[Renderer]] = {
    r.name: r for r in (JsonRenderer, UiTarsRenderer, QwenRenderer, Qwen3Renderer, HoloRenderer)
}
