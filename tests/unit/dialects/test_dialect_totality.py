"""Parsers are total: whatever a model writes, the answer is a Decision or an Unparseable."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deskhand.core.actions import Decision
from deskhand.core.geometry import Rect, ScreenGeometry, Size
from deskhand.core.observation import Observation
from deskhand.core.outcome import Unparseable
from deskhand.vision.dialects import DIALECT_NAMES, dialect_for

OBSERVATION = Observation(
    "shot",
    b"jpeg",
    "image/jpeg",
    ScreenGeometry(image_size=Size(1316, 728), screen_rect=Rect(0, 0, 1920, 1080)),
    1.0,
    1.0,
)

# Pieces of every dialect's grammar, so random answers get deep into the parsers.
FRAGMENTS = [
    "Thought: ", "Action: ", "\n", "\n\n", " ", "click(", "type(", "drag(", "hotkey(", "scroll(", "call_user(",
    "finished(", "point=", "start_box=", "end_point=", "content=", "key=", "direction=", "'", '"', "\\'", "\\",
    ")", ",", "<point>", "</point>", "<|box_start|>", "<|box_end|>", "(", "[", "]", "12", "-3", "1e9", "0.5",
    "<tool_call>", "</tool_call>", "<think>", "</think>", "{", "}", ":", '"name"', '"computer_use"', '"run_shell"',
    '"arguments"', '"action"', '"left_click"', '"left_click_drag"', '"key"', '"keys"', '"coordinate"', "[1, 2]",
    '"pixels"', '"terminate"', '"status"', '"answer"', '"text"', "null", "true", '"kind"', '"click"', '"at"',
    '"x"', '"y"', '"actions"', '"thought"', "```json", "```", "ü", "東",
]  # fmt: skip


def check(raw: str) -> None:
    for name in DIALECT_NAMES:
        result = dialect_for("m", override=name).parse(raw, OBSERVATION)
        assert isinstance(result, Decision | Unparseable)
        if isinstance(result, Unparseable):
            assert result.raw == raw and result.problem
            assert len(result.problem) <= 300 and "\n" not in result.problem


@settings(max_examples=300)
@given(st.text())
def test_any_text(raw: str) -> None:
    check(raw)


@settings(max_examples=1000)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join))
def test_grammar_soup(raw: str) -> None:
    check(raw)


@pytest.mark.parametrize("name", DIALECT_NAMES)
def test_huge_garbage_is_refused_quickly(name: str) -> None:
    raw = "click(" * 5000 + "<tool_call>{" * 2000
    assert isinstance(dialect_for("m", override=name).parse(raw, OBSERVATION), Unparseable)


@pytest.mark.parametrize(
    "raw",
    [
        "<tool_call>" + "[" * 100_000,
        "{" + "[" * 100_000,
        '{"actions": ' + "[" * 100_000,
        '<tool_call>{"name": "computer_use", "arguments": "' + "[" * 100_000 + '"}</tool_call>',
        "Action: " + "(" * 100_000,
        "Action: type(content='" + "\\" * 100_001,
    ],
    ids=["tool-call-array", "bare-array", "json-actions", "string-arguments", "parens", "backslashes"],
)
def test_deep_nesting_is_refused_not_raised(raw: str) -> None:
    check(raw)


NINES = "9" * 5000


@pytest.mark.parametrize(
    "arguments",
    [
        f'{{"action": "left_click", "coordinate": [{NINES}, 1]}}',
        f'{{"action": "left_click", "coordinate": [-{NINES[:400]}, 1]}}',
        '{"action": "left_click", "coordinate": [1e400, NaN]}',
        f'{{"action": "scroll", "pixels": {NINES[:400]}}}',
        '{"action": "scroll", "pixels": Infinity}',
        f'{{"action": "wait", "time": {NINES}}}',
        f'"{{\\"action\\": \\"left_click\\", \\"coordinate\\": [{NINES}, 1]}}"',
    ],
    ids=["huge-int", "long-negative", "inf-nan", "huge-scroll", "infinite-scroll", "huge-wait", "as-string"],
)
def test_absurd_numbers_are_refused_not_raised(arguments: str) -> None:
    check(f'<tool_call>{{"name": "computer_use", "arguments": {arguments}}}</tool_call>')
    check(f'{{"actions": [{{"kind": "click", "at": {{"x": {NINES}, "y": 1}}}}]}}')
    check(f"Action: click(point='<point>{NINES} 1</point>')")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
ARGUMENT_KEYS = [
    "action",
    "keys",
    "text",
    "coordinate",
    "start_coordinate",
    "pixels",
    "time",
    "status",
    "command",
]
ACTION_NAMES = [
    "key", "type", "mouse_move", "left_click", "left_click_drag", "right_click", "middle_click",
    "double_click", "triple_click", "scroll", "hscroll", "wait", "terminate", "answer", "swipe",
]  # fmt: skip
arguments = st.dictionaries(st.sampled_from(ARGUMENT_KEYS), json_values, max_size=5).flatmap(
    lambda args: st.one_of(st.just(args), st.sampled_from(ACTION_NAMES).map(lambda a: {**args, "action": a}))
)


@settings(max_examples=300)
@given(
    st.lists(
        st.tuples(st.sampled_from(["computer_use", "run_shell", "other"]), arguments | json_values),
        min_size=1,
        max_size=4,
    )
)
def test_random_tool_call_arguments(calls: list[tuple[str, object]]) -> None:
    blocks = [json.dumps({"name": name, "arguments": args}) for name, args in calls]
    check("".join(f"<tool_call>{block}</tool_call>" for block in blocks))
