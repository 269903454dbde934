"""Pytest fixtures for the fake OpenAI-compatible server.

Use from a ``conftest.py``:  ``from tests.fakeopenai.fixtures import fake_openai  # noqa: F401``

* ``fake_openai``          -- a running ``FakeOpenAI`` (vLLM flavour, ``DEFAULT_MODELS``).
* ``fake_openai_factory``  -- ``make(**FakeOpenAI kwargs)``; every server it made is stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.fakeserver import started

from .server import FakeOpenAI


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as srv:
        yield srv


@pytest.fixture
def fake_openai_factory() -> Iterator[Callable[..., FakeOpenAI]]:
    with started(FakeOpenAI) as make:
        yield make
