from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.xsession import XSession, x_session
from tests.fakeollama import FakeOllama

MODELS = {
    "qwen2.5vl:7b": True,
    "ui-tars-1.5:7b": True,
    "qwen3-vl:8b": True,
    "gemma3:4b": True,
    "holo3.1:4b": True,
    "llama3.2:3b": False,
}
# One model per dialect; the dialect comes from the name, as for a user.
DIALECT_MODELS = {
    "qwen2.5-vl": "qwen2.5vl:7b",
    "ui-tars": "ui-tars-1.5:7b",
    "qwen3-vl": "qwen3-vl:8b",
    "json": "gemma3:4b",
    "holo": "holo3.1:4b",
}


@pytest.fixture(scope="module")
def screen_1080() -> Iterator[XSession]:
    with x_session(1920, 1080) as session:
        yield session


@pytest.fixture(scope="module")
def screen_768() -> Iterator[XSession]:
    with x_session(1366, 768) as session:
        yield session


@pytest.fixture
def ollama() -> Iterator[FakeOllama]:
    with FakeOllama(models=MODELS) as server:
        yield server
