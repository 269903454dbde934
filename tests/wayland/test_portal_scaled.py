"""Scaled monitors (1920x1080 pixels at 2x and at mutter's fractional 1.5x): clicks mapped
through the frame the model saw still land on the button."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakeollama import FakeOllama
from tests.wayland.conftest import do, inside, start_board
from tests.wayland.session import WaylandSession, wayland_session

pytestmark = pytest.mark.wayland


@pytest.fixture(scope="module")
def session(request: pytest.FixtureRequest) -> Iterator[WaylandSession]:
    with wayland_session(1920, 1080, scale=request.param) as s:
        yield s


@pytest.mark.parametrize(
    ("session", "button", "board_size", "screen_rect"),
    [
        # mutter gives a scaled monitor's stream in its pixels, and takes pointer positions in
        # them too: the app sees a 960x540 logical window, the model a 1920x1080 picture.
        pytest.param(2, "Apply", [960, 540], [0, 0, 1920, 1080], id="2x"),
        # Under fractional scaling mutter streams pixels but the portal reports logical points.
        pytest.param(1.5, "Cancel", [1280, 720], [0, 0, 1280, 720], id="1.5x"),
    ],
    indirect=["session"],
)
def test_click_lands_on_a_scaled_monitor(
    session: WaylandSession,
    ollama: FakeOllama,
    tmp_path: Path,
    button: str,
    board_size: list[int],
    screen_rect: list[int],
) -> None:
    board = start_board(session)
    ollama.script([{"do": "click", "target": button}, {"do": "finish"}])
    result = do(session, ollama, f"Click {button}", "--trace", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    step = json.loads((tmp_path / "steps.jsonl").read_text().splitlines()[0])
    clicks = board.seen("click")
    assert [c["button"] for c in clicks] == [button], clicks
    x, y = clicks[0]["at"]  # type: ignore[misc]
    assert inside(board.widgets[button], x, y), clicks
    assert board.size == board_size
    assert step["screen_rect"] == screen_rect


@pytest.mark.parametrize("session", [pytest.param(1.5, id="1.5x")], indirect=True)
def test_a_point_gnome_cannot_reach_fails_instead_of_clicking_elsewhere(
    session: WaylandSession, ollama: FakeOllama
) -> None:
    """mutter 43 reads positions in pixels, portal 1.16 allows only up to the logical size:
    the far right third of a 1.5x monitor cannot be reached; the model is told so."""
    ollama.script([{"do": "click", "at": [1200, 600]}, {"do": "finish"}])
    result = do(session, ollama, "Click far right")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "GNOME's portal cannot reach it on a fractionally scaled monitor" in result.stdout
