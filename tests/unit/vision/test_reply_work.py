"""Reading a long answer costs work in proportion to its length, and a runaway one is cut.

The early-stop hook (a dialect's ``reply_end``) scans the whole answer so far each time it
looks, so looking after every piece of a long answer is quadratic: 1 MB in 12-character
pieces took minutes.  These tests count the characters handed to the hook -- the work, not
the time -- for the tester's two inputs: 1,000 tool calls (~100 KB) and 1 MB of text.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from deskhand.vision.dialects.qwen_blocks import reply_end
from deskhand.vision.model_errors import ReplyTooLong
from deskhand.vision.streaming import CHECK_EVERY_PIECE, MAX_REPLY_CHARS, read_reply

PIECE = 12
CALL = '<tool_call>{{"name": "computer_use", "arguments": {{"action": "left_click", "coordinate": [{i}, 20]}}}}</tool_call>\n'


def pieces(text: str) -> list[tuple[str, bool]]:
    """The answer as a server streams it: 12-character pieces, then an empty final chunk."""
    return [(text[i : i + PIECE], False) for i in range(0, len(text), PIECE)] + [("", True)]


class Counting:
    """``reply_end`` with a tally of the characters it was handed."""

    def __init__(self) -> None:
        self.calls = 0
        self.chars = 0

    def __call__(self, partial: str) -> int | None:
        self.calls += 1
        self.chars += len(partial)
        return reply_end(partial)


def read(chunks: list[tuple[str, bool]], hook: Counting) -> str:
    def open_stream() -> Iterator[tuple[str, bool]]:
        return iter(chunks)

    def fail(exc: Exception, received: int) -> Exception:
        return exc

    got = read_reply(
        open_stream, lambda chunk: chunk, should_stop=lambda: False, limit=600, reply_end=hook,
        cut="cut", fail=fail,
    )  # fmt: skip
    assert got.scanned == hook.chars
    return got.text


def test_a_thousand_tool_calls_are_scanned_a_bounded_number_of_times_over() -> None:
    answer = "".join(CALL.format(i=i) for i in range(1000))
    assert 90_000 < len(answer) < MAX_REPLY_CHARS
    hook = Counting()
    assert read(pieces(answer), hook) == answer  # calls chained to the end: nothing cut early
    # Looking after every piece would hand over ~len(answer)**2 / (2 * PIECE) = 400 M characters.
    assert hook.chars <= CHECK_EVERY_PIECE**2 // PIECE + 6 * len(answer)
    assert hook.chars < 20 * len(answer)


def test_a_one_megabyte_answer_is_cut_at_the_cap_with_an_error() -> None:
    hook = Counting()
    with pytest.raises(ReplyTooLong) as caught:
        read(pieces("x" * 1_000_000), hook)
    assert str(caught.value) == f"the answer grew past {MAX_REPLY_CHARS:,} characters without ending"
    assert hook.chars <= CHECK_EVERY_PIECE**2 // PIECE + 6 * MAX_REPLY_CHARS


def test_a_short_answer_is_still_cut_at_the_first_piece_that_completes_it() -> None:
    first = CALL.format(i=7)
    hook = Counting()
    text = read(pieces(first + "I clicked it. " * 40), hook)
    assert text == first.rstrip()
    assert hook.calls == len(first) // PIECE + 1  # looked after every piece up to "I"
