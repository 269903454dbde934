"""`deskhand doctor`, `models` and `pull` with ``--backend openai`` against the fake server."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.classified import deskhand_seeing
from tests.e2e.xsession import XSession, deskhand
from tests.fakeollama.fixtures import unused_port
from tests.fakeopenai import FakeOpenAI

pytestmark = pytest.mark.desktop

VISION = "Qwen/Qwen2.5-VL-7B-Instruct"
TEXT_ONLY = "meta-llama/Llama-3.2-3B-Instruct"


@pytest.fixture
def screen(screen_768: XSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> XSession:
    monkeypatch.setitem(screen_768.env, "DESKHAND_CONFIG", str(tmp_path / "config.toml"))
    return screen_768


def rows(stdout: str) -> dict[str, str]:
    return {line.split()[0]: line.split()[1] for line in stdout.splitlines() if line and not line[0].isdigit()
            and not line.startswith("all")}  # fmt: skip


def test_doctor_checks_server_model_key_and_vision(screen: XSession) -> None:
    with FakeOpenAI(models={VISION: True}, flavor="vllm") as srv:
        r = deskhand(screen, "doctor", "--backend", "openai", "--host", srv.url, "--model", VISION)
        assert r.returncode == 0, r.stdout + r.stderr
        assert rows(r.stdout) == {"display": "ok", "capture": "ok", "input": "ok", "api-key": "ok", "server": "ok",
                                  "model": "ok"}  # fmt: skip
        assert f"{srv.url}: vLLM 0.9.2" in r.stdout
        assert f"{VISION} (vision, dialect qwen2.5-vl)" in r.stdout
        assert "no API key" in r.stdout
        assert len([q for q in srv.requests if q.method == "POST"]) == 1  # the image probe


def test_doctor_reports_a_text_only_model_and_a_server_that_is_down(screen: XSession) -> None:
    with FakeOpenAI(models={TEXT_ONLY: False}, flavor="vllm") as srv:
        r = deskhand(screen, "doctor", "--backend", "openai", "--host", srv.url, "--model", TEXT_ONLY)
        assert r.returncode == 2
        assert "cannot read images (the server refused the image" in r.stdout
    down = deskhand(screen, "doctor", "--backend", "openai", "--host", f"http://127.0.0.1:{unused_port()}/v1")
    assert down.returncode == 2 and "connection was refused" in down.stdout


def test_doctor_shows_the_privacy_rule_for_a_lan_host(screen: XSession) -> None:
    with FakeOpenAI(models={VISION: True}, flavor="llama.cpp") as srv:
        args = ("doctor", "--backend", "openai", "--host", srv.url, "--model", VISION)
        r = deskhand_seeing(screen, {"127.0.0.1": ["192.168.1.20"]}, *args)
        assert r.returncode == 2
        assert rows(r.stdout)["privacy"] == "FAIL"
        assert "allow it once with `deskhand do --allow-remote`" in r.stdout


def test_models_lists_vision_yes_no_or_unknown(screen: XSession) -> None:
    with FakeOpenAI(models={VISION: True, TEXT_ONLY: False}, flavor="lmstudio") as srv:
        r = deskhand(screen, "models", "--backend", "openai", "--host", srv.url)
        assert r.returncode == 0, r.stderr
        assert [line.split()[0] for line in r.stdout.splitlines()[1:]] == [VISION]
        everything = deskhand(screen, "models", "--all", "--backend", "openai", "--host", srv.url)
        assert f"{TEXT_ONLY}" in everything.stdout and everything.stdout.rstrip().endswith("no")
    with FakeOpenAI(models={VISION: True}, flavor="vllm") as srv:
        r = deskhand(screen, "models", "--backend", "openai", "--host", srv.url)
        assert r.returncode == 0, r.stderr
        assert r.stdout.splitlines()[1].split()[-1] == "unknown"
        assert "`deskhand doctor --model NAME` tries an image" in r.stdout


def test_pull_is_ollamas_only(screen: XSession) -> None:
    r = deskhand(screen, "pull", "qwen2.5vl:7b", "--backend", "openai")
    assert r.returncode == 2
    assert r.stderr.startswith("deskhand: error: Tried to pull qwen2.5vl:7b, but pulling is Ollama's")


def test_the_backend_can_come_from_the_config_file(screen: XSession) -> None:
    with FakeOpenAI(models={VISION: True}, flavor="llama.cpp") as srv:
        Path(screen.env["DESKHAND_CONFIG"]).write_text(f'backend = "openai"\nhost = "{srv.url}"\n')
        r = deskhand(screen, "models")
        assert r.returncode == 0, r.stderr
        assert VISION in r.stdout
