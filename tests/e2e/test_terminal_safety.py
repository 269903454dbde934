"""What `deskhand do` lets out of a task: no API key in any record, output or request, and
no escape sequence from the model reaching the terminal (issue 20, items 2 and 4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.xsession import XSession, deskhand
from tests.fakeollama import FakeOllama

pytestmark = pytest.mark.desktop

MODEL = ("--model", "qwen2.5vl:7b")
OPENAI_KEY = "sk-proj-4fJq9ZtW2mXvB7nR0cLkD8sYhE1uP6aG"
DESKHAND_KEY = "dh-live-Hx3Vq7Mz0Tn5Kw9Rb2Ly6Pc1Jf8Sd4"


def files_holding(folder: Path, secret: str) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]


def test_api_keys_reach_no_record_output_or_request(
    screen_1080: XSession, ollama: FakeOllama, tmp_path: Path
) -> None:
    ollama.script([
        {"do": "shell", "command": "printenv OPENAI_API_KEY"},
        {"do": "shell", "command": "echo $DESKHAND_API_KEY"},
        # The parent's environment still holds them: what is printed is redacted.
        {"do": "shell", "command": "tr '\\0' '\\n' < /proc/$PPID/environ"},
        {"do": "finish", "summary": "looked"},
    ])  # fmt: skip
    trace = tmp_path / "trace"
    env_before = dict(screen_1080.env)
    screen_1080.env.update(OPENAI_API_KEY=OPENAI_KEY, DESKHAND_API_KEY=DESKHAND_KEY)
    try:
        r = deskhand(
            screen_1080, "do", "show me the key", *MODEL, "--host", ollama.url, "--trace", str(trace)
        )
    finally:
        screen_1080.env.clear()
        screen_1080.env.update(env_before)
    assert r.returncode == 0, r.stdout + r.stderr
    requests = [json.dumps(rec.body) for rec in ollama.requests]
    assert "[redacted]" in requests[-1]  # the last answer's request carried the /proc output
    data = Path(screen_1080.env["XDG_DATA_HOME"])
    for secret in (OPENAI_KEY, DESKHAND_KEY):
        assert secret not in r.stdout + r.stderr
        assert files_holding(trace, secret) == []
        assert files_holding(data, secret) == []  # the audit log (and its journal)
        assert not [body for body in requests if secret in body]
    steps = [json.loads(line) for line in (trace / "steps.jsonl").read_text().splitlines()]
    assert steps[0]["outcome"] == "executed: exit code 1\nstdout:\n\nstderr:\n"
    assert steps[1]["outcome"] == "executed: exit code 0\nstdout:\n\n\nstderr:\n"
    assert "OPENAI_API_KEY=[redacted]\n" in steps[2]["outcome"]
    assert "DESKHAND_API_KEY=[redacted]\n" in steps[2]["outcome"]


def test_escape_sequences_from_the_model_are_shown_not_obeyed(
    screen_1080: XSession, ollama: FakeOllama
) -> None:
    keep = Path(screen_1080.env["HOME"]) / "keep.txt"
    keep.write_text("keep me")
    ollama.script([
        {"do": "shell", "command": "rm ~/keep.txt #\x1b[2K\x1b[1Gls -l", "thought": "tidy\x1b]0;owned\x07 up"},
        {"do": "finish", "summary": "done\x1b[31m, all\r\nfine"},
    ])  # fmt: skip
    r = deskhand(screen_1080, "do", "tidy\x1b[2J my home", *MODEL, "--host", ollama.url, stdin="n\n")
    assert r.returncode == 0, r.stdout + r.stderr
    assert keep.exists()
    assert "\x1b" not in r.stdout + r.stderr and "\x07" not in r.stdout and "\r" not in r.stdout
    lines = r.stdout.splitlines()
    assert lines[0].endswith(", task: tidy\\x1b[2J my home")
    assert "step 1: tidy\\x1b]0;owned\\x07 up" in lines
    assert "  ? run `rm ~/keep.txt #\\x1b[2K\\x1b[1Gls -l`" in lines
    assert lines[-1] == "finished: The task is done. done\\x1b[31m, all fine"
