"""Finding the calls in a Qwen answer: its ``<tool_call>{json}</tool_call>`` blocks.

Why apart from what the calls mean (``qwen_calls``): the same reading serves two
callers -- the parser, once the answer is complete, and the stream's early stop
(``reply_end``), which must agree with the parser on where a block ends or it would cut
an answer the parser then refuses.  The JSON is read with ``json`` only; a block must
hold exactly one object, a cut-off block is refused, and text outside the blocks (with a
reasoning model's ``<think>`` preface) becomes the thought.
"""

from __future__ import annotations

import json
import re

from deskhand.vision.dialects.common import Reject, strip_fences

__all__ = ["DECODER", "reply_end", "split_tool_calls"]

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


DECODER = json.JSONDecoder(parse_int=_parse_int)  # for all JSON a model writes


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
        value, end = DECODER.raw_decode(text, pos)
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


def reply_end(partial: str) -> int | None:
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
