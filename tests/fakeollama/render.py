"""Turn one script step into the model's reply text, truthfully.

Targets are found on the screenshot the request carried (OCR), converted into the dialect's
coordinate frame, and written the way that model family writes actions.  When a target
cannot be found, or a ``pattern`` does not match, the reply gives up and says why -- it never
guesses a point.
"""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass
from typing import Any

from PIL import Image

from .dialects import RENDERERS, Renderer
from .oracle import locate
from .script import MatchMissing, Step, substitute
from .spaces import to_model

CUT_DEFAULT = "Thought: I can see the dialog. I will cli"


@dataclass(frozen=True, slots=True)
class Context:
    """What the oracle knows about the request it replies to."""

    dialect: str
    image: bytes | None
    latest_text: str
    request_index: int = 0

    @property
    def image_size(self) -> tuple[int, int] | None:
        if self.image is None:
            return None
        with Image.open(io.BytesIO(self.image)) as img:
            return img.size


class _NotFound(LookupError):
    pass


def _point(step: Step, text_key: str, at_key: str, ctx: Context) -> tuple[int, int] | None:
    """Resolve a step's target (text via OCR, or explicit image pixels) into model space."""
    size = ctx.image_size
    if size is None:
        raise _NotFound("the request carried no screenshot to look at")
    if step.get(at_key) is not None:
        if step.get("zoomed"):
            raise _NotFound(f"'{at_key}' is a point of the first screenshot, not of this zoomed-in one")
        x, y = step[at_key]
        return to_model(ctx.dialect, (float(x), float(y)), size)
    target = step.get(text_key)
    if target is None:
        return None
    assert ctx.image is not None
    box = locate(ctx.image, str(target), index=int(step.get("index", 0)))
    if box is None:
        raise _NotFound(f'I could not find "{target}" on the screen')
    x, y = box.centre
    dx, dy = step.get("miss") or (0, 0)
    x, y = min(max(x + dx, 0.0), size[0] - 1.0), min(max(y + dy, 0.0), size[1] - 1.0)
    return to_model(ctx.dialect, (x, y), size)


def _required(point: tuple[int, int] | None, step: Step) -> tuple[int, int]:
    if point is None:
        raise _NotFound(f"the step {step!r} has no target")
    return point


def _default_thought(step: Step) -> str:
    kind = step["do"]
    target = step.get("target")
    if kind in ("click", "move", "scroll") and target:
        verb = {"click": "click", "move": "point at", "scroll": "scroll over"}[kind]
        return f'I will {verb} "{target}".'
    if kind == "drag":
        return f'I will drag "{target}" to "{step.get("to")}".'
    if kind == "type":
        return "I will type the text."
    if kind == "hotkey":
        return "I will press " + "+".join(step["keys"]) + "."
    if kind == "shell":
        return "I will run a shell command."
    if kind == "wait":
        return "I will wait for the screen to change."
    if kind == "finish":
        return "The task is done."
    if kind == "fail":
        return "I cannot complete this task."
    return ""


def _act(r: Renderer, step: Step, ctx: Context, thought: str) -> str:
    kind = step["do"]
    if kind in ("click", "move"):
        at = _required(_point(step, "target", "at", ctx), step)
        if kind == "move":
            return r.move(thought, at)
        return r.click(thought, at, str(step.get("button", "left")), int(step.get("count", 1)))
    if kind == "drag":
        end = _required(_point(step, "to", "to_at", ctx), step)
        if step.get("from_pointer") is True:
            return r.drag_from_pointer(thought, end)
        start = _required(_point(step, "target", "at", ctx), step)
        return r.drag(thought, start, end)
    if kind == "scroll":
        where = None
        if step.get("target") is not None or step.get("at") is not None:
            where = _point(step, "target", "at", ctx)
        direction = str(step.get("direction", "down"))
        return r.scroll(thought, where, direction, int(step.get("amount", 3)))
    if kind == "type":
        return r.type_text(thought, str(step["text"]))
    if kind == "hotkey":
        return r.hotkey(thought, [str(k) for k in step["keys"]])
    if kind == "shell":
        return r.shell(thought, str(step["command"]))
    if kind == "wait":
        return r.wait(thought, float(step.get("seconds", 1.0)))
    if kind in ("finish", "fail"):
        return r.finish(thought, str(step.get("summary", "")), success=kind == "finish")
    if kind == "ask":
        return r.ask(thought, str(step["question"]))
    raise ValueError(f"step kind {kind!r} is not an answer the oracle renders")


def reply(step: Step, ctx: Context) -> str:
    """The model's full reply text for ``step`` in the context's dialect."""
    if step["do"] == "raw":
        return str(step["text"])
    if step["do"] == "plan":  # a planner replies in words (``deskhand.core.planning``)
        kind = next(k for k in ("next", "done", "fail") if k in step)
        thought = str(step.get("thought", "I look at the task and the screen."))
        return f"{thought}\n{kind.capitalize()}: {step[kind]}"
    if step["do"] == "several":
        return _together(ctx.dialect, [reply(sub, ctx) for sub in step["steps"]])
    renderer = RENDERERS[ctx.dialect](ctx.request_index)
    try:
        step = substitute(step, ctx.latest_text)
        thought = str(step.get("thought") or _default_thought(step))
        return _act(renderer, step, ctx, thought)
    except (_NotFound, MatchMissing) as why:
        reason = f"{why}."
        return renderer.finish(reason, reason, success=False)


def _together(dialect: str, replies: list[str]) -> str:
    """Several one-action replies as one reply, the way the family writes several actions:
    one JSON action list, several Qwen tool calls, several UI-TARS calls after one Action."""
    if dialect == "holo":  # one tool call per step object: the format cannot say two
        return "FAKE-OLLAMA SCRIPT ERROR: the holo format has one action per answer; fix the test's script."
    if dialect == "json":
        decisions = [json.loads(a) for a in replies]
        actions = [action for d in decisions for action in d["actions"]]
        return json.dumps({"thought": decisions[0]["thought"], "actions": actions}, ensure_ascii=False)
    marker = "<tool_call>" if dialect.startswith("qwen") else "Action:"
    tails = [
        a[a.index(marker) + (0 if marker == "<tool_call>" else len(marker)) :].strip() for a in replies[1:]
    ]
    return "\n\n".join([replies[0].rstrip(), *tails])


def step_text(step: Step, msgs: list[dict[str, Any]], *, dialect: str, request_index: int) -> str:
    """The text a chat reply carries for ``step``: what streams before a ``cut`` or a
    mid-stream ``error``, else the oracle's reply to ``msgs`` (Ollama's message shape:
    text ``content`` and base64 ``images``)."""
    if step["do"] == "cut":
        return str(step.get("text", CUT_DEFAULT))
    if step["do"] == "error":
        return str(step.get("text", "Thought: I"))
    images = [i for m in msgs for i in (m.get("images") or [])]
    ctx = Context(
        dialect=dialect,
        image=base64.b64decode(images[-1]) if images else None,
        latest_text=latest_text(msgs),
        request_index=request_index,
    )
    return reply(step, ctx)


def user_text(messages: list[dict[str, Any]]) -> str:
    """All user messages' text (a zoom request's marker may be in the task's own turn)."""
    return "\n".join(str(m.get("content") or "") for m in messages if m.get("role") == "user")


def latest_text(messages: list[dict[str, Any]]) -> str:
    """The text of the latest user or tool message (what ``pattern`` is matched against)."""
    for message in reversed(messages):
        if message.get("role") in ("user", "tool"):
            return str(message.get("content") or "")
    return ""
