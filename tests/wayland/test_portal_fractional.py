"""A 1.5x fractionally scaled monitor (mutter's logical layout: 1280x720 points on
1920x1080 pixels): clicks mapped through the frame the model saw still land."""

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
def session() -> Iterator[WaylandSession]:
    with wayland_session(1920, 1080, scale=1.5) as s:
        yield s


def test_click_lands_on_a_1_5x_monitor(session: WaylandSession, ollama: FakeOllama, tmp_path: Path) -> None:
    board = start_board(session)
    ollama.script([{"do": "click", "target": "Cancel"}, {"do": "finish"}])
    result = do(session, ollama, "Click Cancel", "--trace", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    step = json.loads((tmp_path / "steps.jsonl").read_text().splitlines()[0])
    clicks = board.seen("click")
    assert [c["button"] for c in clicks] == ["Cancel"], clicks
    x, y = clicks[0]["at"]  # type: ignore[misc]
    assert inside(board.widgets["Cancel"], x, y), clicks
    # Under fractional scaling mutter streams pixels but the portal reports logical points.
    assert board.size == [1280, 720]
    assert step["screen_rect"] == [0, 0, 1280, 720]


def test_a_point_gnome_cannot_reach_fails_instead_of_clicking_elsewhere(
    session: WaylandSession, ollama: FakeOllama
) -> None:
    """mutter 43 reads positions in pixels, portal 1.16 allows only up to the logical size:
    the far right third of a 1.5x monitor cannot be reached; the model is told so."""
    ollama.script([{"do": "click", "at": [1200, 600]}, {"do": "finish"}])
    result = do(session, ollama, "Click far right")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "GNOME's portal cannot reach it on a fractionally scaled monitor" in result.stdout
