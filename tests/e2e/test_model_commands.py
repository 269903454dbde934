"""`deskhand doctor`, `models` and `pull` against the fake Ollama server."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.xsession import XSession, deskhand
from tests.fakeollama import FakeOllama
from tests.fakeollama.fixtures import unused_port

pytestmark = pytest.mark.desktop


def test_models_lists_only_vision_models(screen_768: XSession, ollama: FakeOllama) -> None:
    r = deskhand(screen_768, "models", "--host", ollama.url)
    assert r.returncode == 0, r.stderr
    names = [line.split()[0] for line in r.stdout.splitlines()[1:]]
    assert set(names) == {"qwen2.5vl:7b", "ui-tars-1.5:7b", "qwen3-vl:8b", "gemma3:4b", "holo3.1:4b"}
    everything = deskhand(screen_768, "models", "--all", "--host", ollama.url)
    assert "llama3.2:3b" in everything.stdout


def test_models_shows_the_dialect_each_model_gets(screen_768: XSession, ollama: FakeOllama) -> None:
    r = deskhand(screen_768, "models", "--host", ollama.url)
    assert r.returncode == 0, r.stderr
    header, *rows = r.stdout.splitlines()
    assert header.split() == ["NAME", "SIZE", "PARAMS", "DIALECT", "VISION"]
    start = header.index("DIALECT")
    dialects = {row.split()[0]: row[start : header.index("VISION")].strip() for row in rows}
    assert dialects == {
        "qwen2.5vl:7b": "qwen2.5-vl (Qwen2.5-VL)",
        "ui-tars-1.5:7b": "ui-tars (UI-TARS-1.5)",
        "qwen3-vl:8b": "qwen3-vl (Qwen3-VL)",
        "gemma3:4b": "json",
        "holo3.1:4b": "holo (Holo3.1)",
    }


def test_pull_shows_progress_and_installs(screen_768: XSession) -> None:
    with FakeOllama(models={}, library={"qwen2.5vl:3b": True}) as server:
        r = deskhand(screen_768, "pull", "qwen2.5vl:3b", "--host", server.url)
        assert r.returncode == 0, r.stderr
        assert "100.0%" in r.stdout and "pulled qwen2.5vl:3b" in r.stdout
        listed = deskhand(screen_768, "models", "--host", server.url)
        assert "qwen2.5vl:3b" in listed.stdout


def test_pull_unknown_model(screen_768: XSession, ollama: FakeOllama) -> None:
    r = deskhand(screen_768, "pull", "no-such-model:1b", "--host", ollama.url)
    assert r.returncode == 2
    assert r.stderr.startswith("deskhand: error: Tried to pull no-such-model:1b")


def test_a_pull_error_starts_on_its_own_line(screen_768: XSession, ollama: FakeOllama) -> None:
    """In a terminal stdout and stderr share the screen: the open progress line ends first."""
    exe = Path(sys.executable).with_name("deskhand")
    r = subprocess.run(
        [str(exe), "pull", "nope:1b", "--host", ollama.url],
        env=screen_768.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=60,
        check=False,
    )
    assert r.returncode == 2
    lines = r.stdout.splitlines()
    assert lines[0] == "pulling manifest"
    assert lines[1].startswith("deskhand: error: Tried to pull nope:1b through Ollama at ")
    assert len(lines) == 2, r.stdout


def test_doctor_all_good(screen_768: XSession, ollama: FakeOllama) -> None:
    r = deskhand(screen_768, "doctor", "--host", ollama.url, "--model", "qwen2.5vl:7b")
    assert r.returncode == 0, r.stdout + r.stderr
    rows = {
        line.split()[0]: line.split()[1]
        for line in r.stdout.splitlines()
        if line and not line.startswith("all")
    }
    assert rows == {"display": "ok", "capture": "ok", "input": "ok", "ollama": "ok", "model": "ok"}
    assert "1366x768" in r.stdout


def test_doctor_reports_what_is_missing(screen_768: XSession, ollama: FakeOllama) -> None:
    down = deskhand(screen_768, "doctor", "--host", f"http://127.0.0.1:{unused_port()}")
    assert down.returncode == 2
    assert "ollama serve" in down.stdout
    no_vision = deskhand(screen_768, "doctor", "--host", ollama.url, "--model", "llama3.2:3b")
    assert no_vision.returncode == 2
    assert "model" in no_vision.stdout and "FAIL" in no_vision.stdout
