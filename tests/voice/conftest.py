"""Fixtures for the voice tests: real espeak-ng speech, and a place to report measurements."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.summary import section

# Shared fixtures; ``threads_leave_widgets_alone`` (autouse) keeps Python's cycle collector off
# the worker threads, as in the UI tests: the voice tests run the tray app's tasks too.
from tests.ui.conftest import (  # noqa: F401
    isolated,
    ollama,
    settings_file,
    threads_leave_widgets_alone,
    window_manager,
)
from tests.voice.speech import Speech, have_tools


@pytest.fixture(scope="session")
def speech(tmp_path_factory: pytest.TempPathFactory) -> Speech:
    if not have_tools():
        pytest.skip("needs espeak-ng and sox (make system-deps)")
    return Speech(tmp_path_factory.mktemp("speech"))


@pytest.fixture
def report(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """Keep a measurement line for the end of the run (captured output would hide it)."""
    return section(request.config, "voice measurements").append


@pytest.fixture
def no_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may reach the real model hub."""
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")


def write_config(path: Path, **values: object) -> Path:
    import json

    path.write_text("".join(f"{k} = {json.dumps(v)}\n" for k, v in values.items()), encoding="utf-8")
    return path
