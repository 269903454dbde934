"""The oracle's script: one step per /api/chat request, checked when it is handed over.

A step is a plain JSON-able dict (so a CLI test can keep its script in a file).  Every step
may also carry ``"thought"`` (the model's words) and ``"first_token_ms"`` /
``"per_chunk_ms"`` (latency for this request only).

    {"do": "click", "target": "OK", "button": "left", "count": 1}   also "at": [x, y]
    {"do": "move", "target": "File"}
    {"do": "drag", "target": "A", "to": "B"}                         also "at" / "to_at"
    {"do": "drag", "from_pointer": true, "to": "B"}    only the end: drag from where the pointer is
    {"do": "scroll", "target": "text or null", "direction": "down", "amount": 5}
    {"do": "type", "text": "{match}", "pattern": "RESULT=(\\S+)"}
    {"do": "hotkey", "keys": ["ctrl", "s"]}
    {"do": "shell", "command": "echo RESULT=$((6*7))"}
    {"do": "wait", "seconds": 1}
    {"do": "finish", "summary": "..."}   {"do": "fail", "summary": "..."}
    {"do": "ask", "question": "..."}
    {"do": "raw", "text": "literal model output"}
    {"do": "error", "status": 500, "message": "...", "mid_stream": false}
    {"do": "cut", "text": "partial answer streamed before the connection drops"}
        ("mode": "partial_line" ends the body cleanly after half a JSON line instead)
    {"do": "hang", "seconds": 30, "then": {...optional step...}}
    {"do": "plan", "next": "Click the \"OK\" button"}   a planner's words (also "done" / "fail")
    {"do": "several", "steps": [{...}, {...}]}   several actions in one answer, one screenshot

A pointing step may carry ``"miss": [dx, dy]``: a fixed grounding error in pixels of the
image the request carried, added to the target's centre (kept inside the image) -- as a
real model's error, it is the same in every image it is sent, so in a zoomed-in crop it
is smaller on the screen.  A *zoom request* (a user message's text holds
``ZOOM_MARKER``, as Deskhand's second look at a small target does) takes no new step: the
last step is answered again, its target found anew in the crop that request carries (a step
whose point is explicit, ``"at"``, has no truthful answer there: the fake gives up on it).

Targets are found by OCR on the last image of the request; ``"index": n`` picks the n-th
equally good match in reading order (default 0).  ``"at"`` points are pixels of that image.
``{match}`` in text, command, summary, question or target is replaced by the first match (group 1 if
the pattern has groups) of ``"pattern"`` in the latest user/tool message; if it does not
match, the oracle gives up saying so, so the test fails loudly.  A request that finds the
script empty gets HTTP 500 "fake ollama: the script has no step left for chat request #n".
"""

from __future__ import annotations

import re
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any

Step = dict[str, Any]

_REQUIRED: dict[str, tuple[str, ...]] = {
    "click": (),
    "move": (),
    "drag": (),
    "scroll": (),
    "type": ("text",),
    "hotkey": ("keys",),
    "shell": ("command",),
    "wait": (),
    "finish": (),
    "fail": (),
    "ask": ("question",),
    "raw": ("text",),
    "error": (),
    "cut": (),
    "hang": ("seconds",),
    "plan": (),
    "several": ("steps",),
}
_POINTED = {"click", "move", "drag"}
ZOOM_MARKER = "Zoomed-in view:"
_SUBSTITUTED = ("text", "command", "summary", "question", "target")


class ScriptError(ValueError):
    """A script step is malformed (raised when the test hands the script over)."""


class MatchMissing(LookupError):
    """A step's ``pattern`` did not match the latest user/tool message."""


def validate(step: Mapping[str, Any]) -> Step:
    """Check one step's shape and return it as a fresh dict."""
    if not isinstance(step, Mapping):
        raise ScriptError(f"a script step must be a JSON object, got {step!r}")
    kind = step.get("do")
    if kind not in _REQUIRED:
        known = ", ".join(sorted(_REQUIRED))
        raise ScriptError(f"unknown step kind {kind!r} in {dict(step)!r}; known: {known}")
    missing = [k for k in _REQUIRED[kind] if k not in step]
    if missing:
        raise ScriptError(f"step {dict(step)!r} lacks {missing}")
    from_pointer = kind == "drag" and step.get("from_pointer") is True
    if kind in _POINTED and "target" not in step and "at" not in step and not from_pointer:
        raise ScriptError(f"step {dict(step)!r} needs a 'target' text or an 'at' point")
    if kind == "drag" and "to" not in step and "to_at" not in step:
        raise ScriptError(f"drag step {dict(step)!r} needs 'to' (text) or 'to_at' (point)")
    if kind == "plan" and len([k for k in ("next", "done", "fail") if k in step]) != 1:
        raise ScriptError(f"plan step {dict(step)!r} needs exactly one of 'next', 'done', 'fail'")
    if kind == "several":
        for sub in step["steps"]:
            validate(sub)
    if kind == "hang" and isinstance(step.get("then"), Mapping):
        validate(step["then"])
    if "pattern" in step:
        re.compile(step["pattern"])
    miss = step.get("miss")
    if miss is not None and not (
        isinstance(miss, list | tuple) and len(miss) == 2 and all(isinstance(v, int | float) for v in miss)
    ):
        raise ScriptError(f"step {dict(step)!r}: 'miss' must be [dx, dy] in image pixels")
    return dict(step)


def substitute(step: Step, latest_text: str) -> Step:
    """Fill ``{match}`` placeholders from the latest user/tool message, if the step asks."""
    pattern = step.get("pattern")
    if pattern is None:
        return step
    found = re.search(pattern, latest_text)
    if found is None:
        raise MatchMissing(
            f"pattern {pattern!r} not found in the latest user/tool message: {latest_text[-300:]!r}"
        )
    value = found.group(1) if found.re.groups else found.group(0)
    out = dict(step)
    for key in _SUBSTITUTED:
        if isinstance(out.get(key), str):
            out[key] = out[key].replace("{match}", value)
    return out


class Script:
    """A thread-safe queue of steps; each chat request takes the next one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._steps: deque[Step] = deque()
        self._consumed = 0
        self._last: Step | None = None
        self.zooms = 0  # zoom requests answered

    def replace(self, steps: Iterable[Mapping[str, Any]]) -> None:
        checked = [validate(s) for s in steps]
        with self._lock:
            self._steps = deque(checked)

    def extend(self, steps: Iterable[Mapping[str, Any]]) -> None:
        checked = [validate(s) for s in steps]
        with self._lock:
            self._steps.extend(checked)

    def next(self) -> Step | None:
        with self._lock:
            if not self._steps:
                return None
            self._consumed += 1
            self._last = self._steps.popleft()
            return self._last

    def take(self, user_text: str) -> Step | None:
        """The step a chat request gets: the next one, or the last one again for a zoom request."""
        if ZOOM_MARKER not in user_text:
            return self.next()
        with self._lock:
            if self._last is None:
                return None
            self.zooms += 1
            return {**self._last, "zoomed": True}

    @property
    def remaining(self) -> int:
        with self._lock:
            return len(self._steps)

    @property
    def consumed(self) -> int:
        with self._lock:
            return self._consumed
