"""Every dialect parser is total, keeps points inside the image, and never guesses."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deskhand.core.actions import Click, Decision, Drag, Move, Scroll
from deskhand.core.geometry import ImagePoint
from deskhand.core.observation import Observation
from deskhand.core.outcome import Unparseable
from deskhand.vision.dialects import DIALECT_NAMES, dialect_for
from tests.unit.fuzz.strategies import garbage, json_replies, observations, qwen_replies, ui_tars_replies

answers = st.one_of(st.text(), garbage, ui_tars_replies(), qwen_replies(), json_replies())
QUICK = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def points(decision: Decision) -> list[ImagePoint]:
    found: list[ImagePoint] = []
    for action in decision.actions:
        match action:
            case Click(at=p) | Move(at=p):
                found.append(p)
            case Drag(start=a, end=b):
                found += [a, b]
            case Scroll(at=p) if p is not None:
                found.append(p)
    return found


def check(raw: str, observation: Observation) -> None:
    width, height = observation.geometry.image_size
    for name in DIALECT_NAMES:
        result = dialect_for("m", override=name).parse(raw, observation)  # must not raise
        assert isinstance(result, Decision | Unparseable)
        if isinstance(result, Decision):
            for p in points(result):
                assert math.isfinite(p.x) and math.isfinite(p.y)
                assert 0 <= p.x <= width - 1 and 0 <= p.y <= height - 1, (name, raw, p)


def check_garbage(raw: str, observation: Observation) -> None:
    for name in DIALECT_NAMES:
        result = dialect_for("m", override=name).parse(raw, observation)
        assert isinstance(result, Unparseable), f"{name} made {result!r} out of {raw!r}"


def check_out_of_frame(observation: Observation, dx: int, dy: int) -> None:
    """A point past the model's frame is refused, never clamped onto the edge."""
    for name in DIALECT_NAMES:
        dialect = dialect_for("m", override=name)
        w, h = dialect.model_space(observation.geometry.image_size).extent
        x, y = w + dx, h + dy
        raw = {
            "ui-tars": f"Thought: t\nAction: click(point='<point>{x} {y}</point>')",
            "json": f'{{"thought": "t", "actions": [{{"kind": "click", "at": {{"x": {x}, "y": {y}}}}}]}}',
            "holo": f'{{"thought": "t", "tool_call": {{"tool_name": "click", "x": {x}, "y": {y}}}}}',
        }.get(
            name,
            f'<tool_call>{{"name": "computer_use", "arguments": {{"action": "left_click", "coordinate": [{x}, {y}]}}}}</tool_call>',
        )
        assert isinstance(dialect.parse(raw, observation), Unparseable), (name, raw)


@QUICK
@given(answers, observations())
def test_parsers_are_total_and_in_bounds(raw: str, observation: Observation) -> None:
    check(raw, observation)


@QUICK
@given(garbage, observations())
def test_garbage_is_unparseable(raw: str, observation: Observation) -> None:
    check_garbage(raw, observation)


@QUICK
@given(observations(), st.integers(1, 10**6), st.integers(-(10**6), 10**6))
def test_points_outside_the_frame_are_refused(observation: Observation, dx: int, dy: int) -> None:
    check_out_of_frame(observation, dx, 0)
    check_out_of_frame(observation, 0, dx)
    check_out_of_frame(observation, dx, dy)


@pytest.mark.slow
@SLOW
@given(answers, observations())
def test_parsers_are_total_and_in_bounds_slow(raw: str, observation: Observation) -> None:
    check(raw, observation)


@pytest.mark.slow
@SLOW
@given(garbage, observations())
def test_garbage_is_unparseable_slow(raw: str, observation: Observation) -> None:
    check_garbage(raw, observation)
