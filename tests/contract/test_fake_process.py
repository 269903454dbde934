"""The fake as a separate process (``python -m tests.fakeollama``), as CLI end-to-end tests use it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from deskhand.core.errors import ModelUnavailable
from deskhand.core.observation import Conversation, Turn
from deskhand.vision.ollama_model import OllamaModel
from tests.fakeollama.fixtures import REPO_ROOT, fake_ollama_process
from tests.fakeollama.screens import render


def test_process_serves_the_script_and_records_requests() -> None:
    screen = render((1316, 728))
    script = {
        "steps": [{"do": "click", "target": "Cancel"}, {"do": "finish", "summary": "ok"}],
        "latency": {"first_token_ms": 20},
    }
    with fake_ollama_process(script, models=["qwen2.5vl:7b", "llama3.2:3b=novision"]) as proc:
        model = OllamaModel(host=proc.url, model="qwen2.5vl:7b")
        assert model.check().vision
        with pytest.raises(ModelUnavailable):
            OllamaModel(host=proc.url, model="llama3.2:3b").check()
        convo = Conversation(turns=(Turn("user", "go", screen.data),))
        first = model.complete(convo, should_stop=lambda: False)
        assert '"action": "left_click"' in first.text
        assert first.model_ms >= 20
        model.complete(convo, should_stop=lambda: False)
        chats = proc.chat_records()

    assert [c["step"]["do"] for c in chats] == ["click", "finish"]
    assert chats[0]["image_sizes"] == [[1316, 728]]
    assert chats[0]["body"]["messages"][0]["images"] == 1  # counted, not stored
    assert chats[0]["body"]["options"]["temperature"] == 0
    assert chats[1]["answer"].endswith('"status": "success"}}\n</tool_call>')


def test_dialect_flag_overrides_the_model_name() -> None:
    with fake_ollama_process([{"do": "finish", "summary": "ok"}], dialect="json") as proc:
        text = (
            OllamaModel(host=proc.url, model="qwen2.5vl:7b")
            .complete(Conversation(turns=(Turn("user", "x"),)), should_stop=lambda: False)
            .text
        )
    assert json.loads(text)["actions"][0]["kind"] == "finish"


def test_a_malformed_script_stops_the_process_with_a_message() -> None:
    with (
        pytest.raises(RuntimeError, match="unknown step kind 'dance'"),
        fake_ollama_process([{"do": "dance"}]),
    ):
        pass


def test_help_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tests.fakeollama", "--help"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert "--script" in done.stdout
