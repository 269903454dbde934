"""A drag "from where the pointer is" (Qwen's `left_click_drag`) after a `mouse_move` made in
the turn before, as the Qwen cookbook's agent does it (one call per turn), on a real Qt
field: the drag selects the words between, and the next typing replaces them."""

from __future__ import annotations

import pytest

from tests.e2e.xsession import XSession, deskhand, read_events
from tests.fakeollama import FakeOllama

pytestmark = pytest.mark.desktop


# qwen3-vl differs only in how its answer reads (0-1000 coordinates): tests/unit/dialects' golden
# move_then_drag reads it, test_click_button clicks with it here; its drag here is `slow`.
@pytest.mark.parametrize("model", ["qwen2.5vl:7b", pytest.param("qwen3-vl:8b", marks=pytest.mark.slow)])
def test_a_move_then_a_drag_in_the_next_turn_drags(
    model: str, screen_768: XSession, ollama: FakeOllama
) -> None:
    log = screen_768.start_form()
    ollama.script(
        [
            {"do": "click", "target": "Name"},
            {"do": "type", "text": "alpha beta gamma"},
            {"do": "move", "target": "alpha"},
            {"do": "drag", "from_pointer": True, "to": "gamma"},
            {"do": "type", "text": "X"},
            {"do": "finish", "summary": "Replaced the middle."},
        ]
    )
    r = deskhand(screen_768, "do", "Replace the middle words with X", "--model", model, "--host", ollama.url)
    assert r.returncode == 0, r.stdout + r.stderr
    assert len(ollama.chat_requests) == 6  # one request per turn: the drag was not refused and asked again
    final = [e["text"] for e in read_events(log) if e["event"] == "text"][-1]
    # Pressed inside "alpha", released inside "gamma": " beta " was selected and replaced.
    assert "X" in final and "beta" not in final, final
    assert final.startswith("al") and final.endswith("ma"), final
