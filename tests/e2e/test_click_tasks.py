"""`deskhand do` clicks real Qt buttons, for every dialect, screen size and screen corner.

The fake model finds the button on the screenshot it was sent (OCR) and answers in its
family's coordinate space; the form logs where the pointer really was when it got the click.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import DIALECT_MODELS
from tests.e2e.xsession import XSession, deskhand, read_events
from tests.fakeollama import FakeOllama

pytestmark = pytest.mark.desktop

# At 1080 with qwen2.5-vl, test_click_button already clicks in the centre and bottom right
# (and checks more); here those two are `slow`, the other corners run in make test.
PLACES = [
    pytest.param("center", marks=pytest.mark.slow),
    "top-left",
    pytest.param("bottom-right", marks=pytest.mark.slow),
    "top-right",
    "bottom-left",
]


def clicked(log: Path) -> list[dict[str, object]]:
    return [e for e in read_events(log) if e["event"] == "click"]


def assert_inside(event: dict[str, object]) -> None:
    x, y, w, h = event["rect"]  # type: ignore[misc]
    assert x <= event["x"] < x + w and y <= event["y"] < y + h, event  # type: ignore[operator]


@pytest.mark.parametrize("dialect", list(DIALECT_MODELS))
@pytest.mark.parametrize(
    ("size", "place"), [("1080", "center"), ("1080", "bottom-right"), ("768", "top-left")]
)
def test_click_button(
    dialect: str, size: str, place: str, request: pytest.FixtureRequest, ollama: FakeOllama, tmp_path: Path
) -> None:
    screen: XSession = request.getfixturevalue(f"screen_{size}")
    log = screen.start_form(place=place, buttons="Apply,Cancel")
    ollama.script([{"do": "click", "target": "Cancel"}, {"do": "finish", "summary": "Clicked Cancel."}])
    trace = tmp_path / "trace"
    result = deskhand(
        screen,
        "do",
        "Click Cancel",
        "--model",
        DIALECT_MODELS[dialect],
        "--host",
        ollama.url,
        "--trace",
        str(trace),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    events = clicked(log)
    assert [e["button"] for e in events] == ["Cancel"]
    assert_inside(events[0])
    steps = [json.loads(line) for line in (trace / "steps.jsonl").read_text().splitlines()]
    assert steps[0]["dialect"] == dialect
    assert steps[0]["screen_rect"] == [0, 0, screen.width, screen.height]
    assert steps[0]["actions"][0]["kind"] == "click"
    assert (trace / steps[0]["screenshot"]).read_bytes()[:2] == b"\xff\xd8"  # the JPEG the model saw


@pytest.mark.parametrize("place", PLACES)
def test_click_near_every_edge(place: str, screen_1080: XSession, ollama: FakeOllama) -> None:
    log = screen_1080.start_form(place=place, buttons="Apply,Cancel")
    ollama.script([{"do": "click", "target": "Apply"}, {"do": "finish"}])
    result = deskhand(screen_1080, "do", "Click Apply", "--model", "qwen2.5vl:7b", "--host", ollama.url)
    assert result.returncode == 0, result.stdout + result.stderr
    events = clicked(log)
    assert [e["button"] for e in events] == ["Apply"]
    assert_inside(events[0])
