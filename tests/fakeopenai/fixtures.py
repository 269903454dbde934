"""Pytest fixtures for the fake OpenAI-compatible server.

Use from a ``conftest.py``:  ``from tests.fakeopenai.fixtures import fake_openai  # noqa: F401``

* ``fake_openai``          -- a running ``FakeOpenAI`` (vLLM flavour, ``DEFAULT_MODELS``).
* ``fake_openai_factory``  -- ``make(**FakeOpenAI kwargs)``; every server it made is stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from .server import FakeOpenAI


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as srv:
        yield srv


@pytest.fixture
def fake_openai_factory() -> Iterator[Callable[..., FakeOpenAI]]:
    made: list[FakeOpenAI] = []

    def make(**kwargs: Any) -> FakeOpenAI:
        srv = FakeOpenAI(**kwargs).start()
        made.append(srv)
        return srv

    yield make
    for srv in made:
        srv.stop()
