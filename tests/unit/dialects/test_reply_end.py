"""The early-stop hook: each dialect says where a partial answer already holds a complete one.

The property that matters: whatever prefix the stream has delivered, cutting where the hook
says gives exactly the actions the whole answer gives -- early stop may save tokens, never
change what is done.  And it must not fire while another action may still follow.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deskhand.core.actions import Decision
from deskhand.core.geometry import Size
from deskhand.vision.dialects import DIALECT_NAMES, dialect_for
from tests.unit.dialects.test_dialect_golden import CASES, dumped, observation

QWEN = dialect_for("m", override="qwen2.5-vl")
TARS = dialect_for("m", override="ui-tars")
JSON = dialect_for("m", override="json")

CLICK_CALL = '<tool_call>\n{"name": "computer_use", "arguments": {"action": "left_click", "coordinate": [10, 20]}}\n</tool_call>'
TYPE_CALL = '<tool_call>\n{"name": "computer_use", "arguments": {"action": "type", "text": "</tool_call> hi"}}\n</tool_call>'
DONE_CALL = '<tool_call>\n{"name": "computer_use", "arguments": {"action": "terminate", "status": "success"}}\n</tool_call>'


def end_of(dialect: object, text: str) -> int | None:
    return dialect.reply_end(text)  # type: ignore[attr-defined, no-any-return]


def _parseable(case: Path) -> bool:
    return not json.loads(case.with_suffix(".json").read_text(encoding="utf-8")).get("unparseable")


@pytest.mark.parametrize(
    "case", [c for c in CASES if _parseable(c)], ids=lambda p: f"{p.parent.name}/{p.stem}"
)
def test_cutting_any_prefix_where_the_hook_says_keeps_the_actions(case: Path) -> None:
    expected = json.loads(case.with_suffix(".json").read_text(encoding="utf-8"))
    raw = case.read_text(encoding="utf-8")
    dialect = dialect_for("m", override=case.parent.name)
    shot = observation(Size(*expected["image_size"]))
    whole = dialect.parse(raw, shot)
    assert isinstance(whole, Decision)
    for stop in range(1, len(raw) + 1):
        end = end_of(dialect, raw[:stop])
        if end is None:
            continue
        cut = dialect.parse(raw[:stop][:end], shot)
        assert isinstance(cut, Decision), (raw[:stop], end)
        assert dumped(cut.actions) == dumped(whole.actions), (raw[:stop], end)


@pytest.mark.parametrize("name", DIALECT_NAMES)
def test_every_dialect_has_the_hook(name: str) -> None:
    dialect = dialect_for("m", override=name)
    assert end_of(dialect, "") is None


@pytest.mark.parametrize(
    "text",
    [
        f"I click.\n{CLICK_CALL}",  # another call may follow
        f"I click.\n{CLICK_CALL}\n",
        f"I click.\n{CLICK_CALL}\n<tool_",  # ... and is starting to
        f"I click.\n{CLICK_CALL}\n{TYPE_CALL[:40]}",
        CLICK_CALL[:-3],
        f"<think>hmm {DONE_CALL}",  # calls inside unfinished reasoning
    ],
)
def test_qwen_waits_while_more_calls_may_come(text: str) -> None:
    assert end_of(QWEN, text) is None


def test_qwen_stops_after_the_model_moves_on() -> None:
    text = f"I click.\n{CLICK_CALL}\n{TYPE_CALL}\n<tool_response>\nclicked"
    assert text[: end_of(QWEN, text)].endswith(TYPE_CALL)
    chatter = f"I click.\n{CLICK_CALL}\nThat should do it."
    assert chatter[: end_of(QWEN, chatter)].endswith(CLICK_CALL)


def test_qwen_stops_right_after_terminate() -> None:
    text = f"All done.\n{DONE_CALL}"
    assert end_of(QWEN, text) == len(text)


def test_ui_tars_cases() -> None:
    click = "Thought: the button.\nAction: click(point='<point>10 20</point>')"
    assert end_of(TARS, click) is None  # a second action line may follow
    assert end_of(TARS, click + "\n\nThou") is None  # may still become a call name
    assert end_of(TARS, click + "\n\nThought: and then") == len(click)
    finished = "Thought: ok\nAction: finished(content='done')"
    assert end_of(TARS, finished) == len(finished)
    assert end_of(TARS, "Thought: ok\nAction: type(content='it's") is None


def test_json_ends_with_the_object() -> None:
    body = '{"thought": "t", "actions": [{"kind": "finish", "summary": "}"}]}'
    assert end_of(JSON, body[:-1]) is None
    assert end_of(JSON, body + "\n\n\n") == len(body)
    assert end_of(JSON, "```json\n" + body) is None  # fenced: read to the end, then unwrapped
