"""Two monitors of different sizes: clicks land through the monitor the screenshot showed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.xsession import XSession, deskhand, read_events, x_session
from tests.fakeollama import FakeOllama

pytestmark = pytest.mark.desktop

LEFT = (0, 0, 1920, 1080)
RIGHT = (1920, 0, 1366, 768)


@pytest.fixture(scope="module")
def two_monitors() -> Iterator[XSession]:
    with x_session(1920 + 1366, 1080, monitors=[LEFT, RIGHT]) as session:
        yield session


def first_step(trace: Path) -> dict[str, object]:
    return json.loads((trace / "steps.jsonl").read_text().splitlines()[0])


@pytest.mark.parametrize("model", ["qwen2.5vl:7b", "qwen3-vl:8b", "ui-tars-1.5:7b", "gemma3:4b"])
def test_default_monitor_is_the_one_with_the_focused_window(
    model: str, two_monitors: XSession, ollama: FakeOllama, tmp_path: Path
) -> None:
    log = two_monitors.start_form(at="2900,500", buttons="Apply,Cancel")
    ollama.script([{"do": "click", "target": "Cancel"}, {"do": "finish"}])
    trace = tmp_path / "trace"
    r = deskhand(
        two_monitors, "do", "Click Cancel", "--model", model, "--host", ollama.url, "--trace", str(trace)
    )
    assert r.returncode == 0, r.stdout + r.stderr
    step = first_step(trace)
    assert step["screen_rect"] == list(RIGHT)
    assert ollama.chat_requests[0].image_sizes[-1] == tuple(step["image_size"])
    clicks = [e for e in read_events(log) if e["event"] == "click"]
    assert [c["button"] for c in clicks] == ["Cancel"]
    x, y, w, h = clicks[0]["rect"]  # type: ignore[misc]
    assert x <= clicks[0]["x"] < x + w and y <= clicks[0]["y"] < y + h  # type: ignore[operator]


def test_explicit_monitor_and_the_whole_desktop(
    two_monitors: XSession, ollama: FakeOllama, tmp_path: Path
) -> None:
    log = two_monitors.start_form(at="2100,100", buttons="Apply")
    for monitor, rect in (("2", list(RIGHT)), ("0", [0, 0, 1920 + 1366, 1080])):
        ollama.script([{"do": "click", "target": "Apply"}, {"do": "finish"}])
        trace = tmp_path / f"m{monitor}"
        r = deskhand(two_monitors, "do", "Click Apply", "--model", "qwen2.5vl:7b", "--host", ollama.url,
                     "--monitor", monitor, "--trace", str(trace))  # fmt: skip
        assert r.returncode == 0, r.stdout + r.stderr
        assert first_step(trace)["screen_rect"] == rect
    assert [e["button"] for e in read_events(log) if e["event"] == "click"] == ["Apply", "Apply"]


def test_target_on_another_monitor_is_not_guessed(two_monitors: XSession, ollama: FakeOllama) -> None:
    log = two_monitors.start_form(at="2100,100", buttons="Apply")
    ollama.script([{"do": "click", "target": "Apply"}])
    r = deskhand(
        two_monitors, "do", "Click Apply", "--model", "qwen2.5vl:7b", "--host", ollama.url, "--monitor", "1"
    )
    assert r.returncode == 1, r.stdout + r.stderr  # the model (oracle) cannot see it on monitor 1
    assert not [e for e in read_events(log) if e["event"] == "click"]
