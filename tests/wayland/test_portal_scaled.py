"""A 2x scaled monitor (logical 960x540 on 1920x1080 pixels): clicks mapped through the
frame the model saw still land on the button."""

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
    with wayland_session(1920, 1080, scale=2) as s:
        yield s


def test_click_lands_on_a_2x_monitor(session: WaylandSession, ollama: FakeOllama, tmp_path: Path) -> None:
    board = start_board(session)
    ollama.script([{"do": "click", "target": "Apply"}, {"do": "finish"}])
    result = do(session, ollama, "Click Apply", "--trace", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    step = json.loads((tmp_path / "steps.jsonl").read_text().splitlines()[0])
    clicks = board.seen("click")
    assert [c["button"] for c in clicks] == ["Apply"], clicks
    x, y = clicks[0]["at"]  # type: ignore[misc]
    assert inside(board.widgets["Apply"], x, y), clicks
    # mutter gives a scaled monitor's stream in its pixels, and takes pointer positions in
    # them too: the app sees a 960x540 logical window, the model a 1920x1080 picture.
    assert board.size == [960, 540]
    assert step["screen_rect"] == [0, 0, 1920, 1080]
