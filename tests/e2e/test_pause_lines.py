"""`deskhand do` while the model server is away: the pause is said once, then briefly.

A server that keeps failing for a while means several retries; the user needs the reason
once and then only when the next try is, not the same 300-character line again and again.
"""

from __future__ import annotations

import pytest

from tests.e2e.xsession import XSession, deskhand
from tests.fakeollama import FakeOllama

pytestmark = pytest.mark.desktop

MODEL = ("--model", "qwen2.5vl:7b")


def test_a_repeated_pause_is_said_once_then_briefly(screen_1080: XSession, ollama: FakeOllama) -> None:
    busy = {"do": "error", "status": 503, "message": "loading model"}
    ollama.script([busy, busy, busy, {"do": "finish", "summary": "opened"}])
    r = deskhand(screen_1080, "do", "open the report", *MODEL, "--host", ollama.url)
    assert r.returncode == 0, r.stdout + r.stderr
    lines = [line for line in r.stderr.splitlines() if line.startswith("deskhand: ")]
    paused = [line for line in lines if "loading model" in line]
    assert len(paused) == 1 and "Paused:" in paused[0], r.stderr
    retries = [line for line in lines if "still paused" in line]
    assert len(retries) == 2 and all(len(line) < 80 for line in retries), r.stderr
    assert "attempt 2" in retries[0] and "attempt 3" in retries[1]
    assert "Resumed" in lines[-1]
