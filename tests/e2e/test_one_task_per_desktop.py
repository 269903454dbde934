"""Two `deskhand do` on one display: the second refuses at once, the first runs undisturbed."""

from __future__ import annotations

import signal

import pytest

from tests.e2e.xsession import XSession, deskhand, killed, read_events, task_started
from tests.fakeollama import FakeOllama

pytestmark = pytest.mark.desktop


def test_a_second_task_on_the_same_desktop_is_refused(screen_768: XSession, ollama: FakeOllama) -> None:
    log = screen_768.start_form()
    ollama.script([{"do": "hang", "seconds": 60, "then": {"do": "click", "target": "Apply"}}])
    first = task_started(screen_768, ollama, "Click Apply", output=True)
    try:
        second = deskhand(screen_768, "do", "Click Cancel", "--model", "qwen2.5vl:7b", "--host", ollama.url)
        assert second.returncode == 2, second.stdout + second.stderr
        lines = second.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("deskhand: error: "), second.stderr
        assert f"another task is running on this desktop (deskhand do, pid {first.pid})" in lines[0]
        assert len(ollama.chat_requests) == 1  # the second asked the model nothing
        first.send_signal(signal.SIGINT)  # the first still runs, and stops as asked
        out, err = first.communicate(timeout=60)
        assert first.returncode == 3, out + err
    finally:
        first.kill()
        first.wait()
    assert [e for e in read_events(log) if e["event"] == "click"] == []


def test_a_killed_task_leaves_the_desktop_free(screen_768: XSession, ollama: FakeOllama) -> None:
    ollama.script([{"do": "hang", "seconds": 60}])
    killed(task_started(screen_768, ollama, "wait forever"))
    ollama.script([{"do": "finish", "summary": "ok"}])
    r = deskhand(screen_768, "do", "anything", "--model", "qwen2.5vl:7b", "--host", ollama.url)
    assert r.returncode == 0, r.stdout + r.stderr
