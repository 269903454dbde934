"""Golden corpus: recorded-style model outputs per dialect and the actions they must give.

Each ``fixtures/<dialect>/<case>.txt`` is a raw answer; its sibling ``<case>.json`` holds
the image size it was answered for and the expected actions in image pixels, or
``{"unparseable": true, "problem": "<part of the problem sentence>"}``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from deskhand.core.actions import Action, Decision
from deskhand.core.geometry import Rect, ScreenGeometry, Size
from deskhand.core.observation import Observation
from deskhand.core.outcome import Unparseable
from deskhand.vision.dialects import DIALECT_NAMES, dialect_for

FIXTURES = Path(__file__).parent / "fixtures"
CASES = sorted(FIXTURES.glob("*/*.txt"))
ACTION: TypeAdapter[Action] = TypeAdapter(Action)


def observation(size: Size) -> Observation:
    geometry = ScreenGeometry(image_size=size, screen_rect=Rect(0, 0, 1920, 1080))
    return Observation("shot", b"jpeg", "image/jpeg", geometry, 1.0, 1.0)


def rounded(value: object) -> object:
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [rounded(v) for v in value]
    return value


def dumped(actions: Iterable[Action]) -> object:
    return rounded([ACTION.dump_python(a, mode="json") for a in actions])


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_golden_output(case: Path) -> None:
    expected = json.loads(case.with_suffix(".json").read_text(encoding="utf-8"))
    raw = case.read_text(encoding="utf-8")
    dialect = dialect_for("any-model", override=case.parent.name)

    result = dialect.parse(raw, observation(Size(*expected["image_size"])))

    if expected.get("unparseable"):
        assert isinstance(result, Unparseable), result
        assert result.raw == raw
        assert expected["problem"] in result.problem
        return
    assert isinstance(result, Decision), getattr(result, "problem", result)
    assert dumped(result.actions) == dumped(ACTION.validate_python(a) for a in expected["actions"])
    if "thought" in expected:
        assert result.thought == expected["thought"]


@pytest.mark.parametrize("name", DIALECT_NAMES)
def test_each_dialect_has_a_full_corpus(name: str) -> None:
    cases = sorted((FIXTURES / name).glob("*.txt"))
    broken = [c for c in cases if json.loads(c.with_suffix(".json").read_text()).get("unparseable")]
    assert len(cases) >= 12
    assert len(broken) >= 6
    assert len(cases) - len(broken) >= 12
    assert sorted(FIXTURES.glob(f"{name}/*.json")) == [c.with_suffix(".json") for c in cases]


@pytest.mark.parametrize("name", DIALECT_NAMES)
def test_problems_are_one_short_line(name: str) -> None:
    dialect = dialect_for("m", override=name)
    for case in sorted((FIXTURES / name).glob("broken_*.txt")):
        expected = json.loads(case.with_suffix(".json").read_text())
        result = dialect.parse(case.read_text(encoding="utf-8"), observation(Size(*expected["image_size"])))
        assert isinstance(result, Unparseable)
        assert "\n" not in result.problem
        assert 0 < len(result.problem) <= 300
