"""Small targets at 2560x1440: a fixed grounding error misses them, the zoomed-in second look hits.

The fake model finds the button by OCR on whatever image it is sent and adds a fixed error
of 9 pixels *of that image* (``miss``), as a real model's error is.  On the 1316x728
screenshot of a 2560x1440 screen that is ~18 screen pixels: from the small "Cancel"
button's centre it lands on "Apply" above it.  Zoomed in 4x, the same 9 pixels are ~4.4
screen pixels, inside "Cancel".  The form logs which button really got the click.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import DIALECT_MODELS, MODELS
from tests.e2e.window_ready import wait_until_ready
from tests.e2e.xsession import (
    XSession,
    a11y_session,
    deskhand,
    form_command,
    read_events,
    settings,
    steps_of,
    wait_for,
)
from tests.fakeollama import FakeOllama

pytestmark = pytest.mark.desktop

MISS = [0, -9]  # image pixels, up: from "Cancel" onto "Apply" on the downscaled screenshot
SCRIPT = [{"do": "click", "target": "Cancel", "miss": MISS}, {"do": "finish", "summary": "Clicked Cancel."}]


@pytest.fixture(scope="module")
def desktop() -> Iterator[XSession]:
    """A 2560x1440 session with an accessibility bus."""
    with a11y_session(2560, 1440) as session:
        yield session


def small_form(session: XSession) -> Path:
    """The test form in a 9-pt font: its buttons are ~11 image pixels tall."""
    log = session.tmp / f"form-{time.monotonic_ns()}.jsonl"
    session.start_app([*form_command(log, "center", "Apply,Cancel"), "--point-size", "9"])
    wait_for(lambda: log.exists() and "ready" in log.read_text(), timeout=20, what="the test form")
    wait_until_ready(session, "Deskhand test form", read_events(log)[0]["centres"])  # type: ignore[arg-type]
    return log


def run(session: XSession, ollama: FakeOllama, model: str, toml: str, trace: Path) -> tuple[str, list[dict]]:
    log = small_form(session)
    ollama.script(SCRIPT)
    with settings(session, toml):
        result = deskhand(session, "do", "Click Cancel", "--model", model, "--host", ollama.url,
                          "--trace", str(trace))  # fmt: skip
    session.close_apps()
    assert result.returncode == 0, result.stdout + result.stderr
    clicks = [e for e in read_events(log) if e["event"] == "click"]
    assert len(clicks) == 1, clicks
    steps = steps_of(trace)
    return str(clicks[0]["button"]), steps


@pytest.fixture
def ollama() -> Iterator[FakeOllama]:
    with FakeOllama(models=MODELS) as server:
        yield server


def test_without_zoom_the_error_clicks_the_wrong_button(
    desktop: XSession, ollama: FakeOllama, tmp_path: Path
) -> None:
    off = "element_list = false\nsnap_to_elements = false\nzoom_small_targets = false\n"
    button, steps = run(desktop, ollama, "qwen2.5vl:7b", off, tmp_path / "trace")
    assert button == "Apply"
    assert steps[0]["grounding"] == []
    assert len([r for r in ollama.requests if r.path == "/api/chat" and r.step]) == 2  # no extra call


@pytest.mark.parametrize("dialect", ["qwen2.5-vl", "qwen3-vl", "json", "holo"])
def test_zoom_in_hits_the_small_button(
    dialect: str, desktop: XSession, ollama: FakeOllama, tmp_path: Path
) -> None:
    button, steps = run(
        desktop, ollama, DIALECT_MODELS[dialect], "snap_to_elements = false\n", tmp_path / "t"
    )
    assert button == "Cancel"
    zoom = steps[0]["grounding"][0]["zoom"]
    assert zoom["reason"].startswith(("ambiguous", "small target")), zoom
    assert "skipped" not in zoom, zoom
    assert zoom["crop"][2:] == [640, 360]  # a quarter of the screen's sides, around the first answer
    first, refined = zoom["first"], zoom["refined"]
    assert refined[1] > first[1]  # moved down, from "Apply" onto "Cancel"
    assert steps[0]["elements"] >= 3  # the form's buttons and field were listed
    chats = [r for r in ollama.requests if r.path == "/api/chat" and r.step]
    assert len(chats) == 3  # one extra model call for the zoom, none for the finish step


def test_zoom_works_from_the_inspector_without_the_element_list(
    desktop: XSession, ollama: FakeOllama, tmp_path: Path
) -> None:
    toml = "element_list = false\n"
    button, steps = run(desktop, ollama, "ui-tars-1.5:7b", toml, tmp_path / "trace")
    assert button == "Cancel"
    assert steps[0]["elements"] is None
    assert steps[0]["grounding"][0]["zoom"]["reason"].startswith("small target")
