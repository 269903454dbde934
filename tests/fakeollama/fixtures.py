"""Pytest fixtures and helpers for the fake Ollama.

Use from a ``conftest.py``:  ``from tests.fakeollama.fixtures import fake_ollama  # noqa: F401``

* ``fake_ollama``          -- a running ``FakeOllama`` with ``DEFAULT_MODELS``
                              (qwen2.5vl:7b with vision, llama3.2:3b without).
* ``fake_ollama_factory``  -- ``make(**FakeOllama kwargs)``; every server it made is stopped.
* ``fake_ollama_process``  -- context manager running ``python -m tests.fakeollama`` as a
                              separate process (for CLI end-to-end tests); see ``Process``.
* ``unused_port()``        -- a local port nobody listens on ("server down").
"""

from __future__ import annotations

import json
import os
import selectors
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.fakeserver import started

from .server import FakeOllama

REPO_ROOT = Path(__file__).resolve().parents[2]


def unused_port() -> int:
    """A TCP port on 127.0.0.1 with nothing listening (connections are refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def fake_ollama() -> Iterator[FakeOllama]:
    with FakeOllama() as srv:
        yield srv


@pytest.fixture
def fake_ollama_factory() -> Iterator[Callable[..., FakeOllama]]:
    with started(FakeOllama) as make:
        yield make


@dataclass
class Process:
    """A fake Ollama running as a child process."""

    url: str
    popen: subprocess.Popen[str]
    record: Path
    stderr: Path

    def stderr_text(self) -> str:
        return self.stderr.read_text(encoding="utf-8", errors="replace")

    def records(self) -> list[dict[str, Any]]:
        """The requests answered so far (``RecordedRequest.summary()`` dicts)."""
        if not self.record.exists():
            return []
        lines = self.record.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def chat_records(self) -> list[dict[str, Any]]:
        return [r for r in self.records() if r["path"] == "/api/chat" and r["step"]]


@contextmanager
def fake_ollama_process(
    script: Sequence[Mapping[str, Any]] | Mapping[str, Any],
    *,
    models: Sequence[str] = (),
    dialect: str | None = None,
    extra_args: Sequence[str] = (),
    startup_timeout: float = 15.0,
) -> Iterator[Process]:
    """Run ``python -m tests.fakeollama`` with ``script``; yields its URL and record file.

    ``models`` are ``NAME`` or ``NAME=novision`` (default: the server's ``DEFAULT_MODELS``).
    """
    with tempfile.TemporaryDirectory(prefix="fakeollama-") as tmp:
        script_path = Path(tmp) / "script.json"
        script_path.write_text(json.dumps(script), encoding="utf-8")
        record = Path(tmp) / "requests.jsonl"
        argv = [sys.executable, "-m", "tests.fakeollama", "--port", "0"]
        argv += ["--script", str(script_path), "--record", str(record)]
        for model in models:
            argv += ["--model", model]
        if dialect is not None:
            argv += ["--dialect", dialect]
        argv += list(extra_args)
        paths = [str(REPO_ROOT), os.environ.get("PYTHONPATH", "")]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
        stderr = Path(tmp) / "stderr.txt"
        with stderr.open("w", encoding="utf-8") as err:
            popen = subprocess.Popen(
                argv, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=err, text=True
            )
        try:
            url = _read_url(popen, startup_timeout, stderr)
            yield Process(url=url, popen=popen, record=record, stderr=stderr)
        finally:
            popen.terminate()
            try:
                popen.wait(timeout=5)
            except subprocess.TimeoutExpired:
                popen.kill()
                popen.wait(timeout=5)
            if popen.stdout is not None:
                popen.stdout.close()


def _read_url(popen: subprocess.Popen[str], timeout: float, stderr: Path) -> str:
    assert popen.stdout is not None
    sel = selectors.DefaultSelector()
    sel.register(popen.stdout, selectors.EVENT_READ)
    try:
        if not sel.select(timeout):
            raise RuntimeError(f"the fake Ollama process printed no URL within {timeout} s")
        line = popen.stdout.readline().strip()
    finally:
        sel.close()
    if not line.startswith("FAKE_OLLAMA_URL="):
        err = stderr.read_text(encoding="utf-8", errors="replace")[-2000:]
        raise RuntimeError(f"the fake Ollama process did not start: {line!r}\n{err}")
    return line.removeprefix("FAKE_OLLAMA_URL=")
