"""Wayland tests: headless sessions (``tests.wayland.session``), the board app.

Starting a session (mutter, PipeWire, the portal) is the slow part, so the modules that need
the plain 1280x720 desktop share one for the whole run (``session``); a module needing
another monitor (scaled) overrides ``session`` with its own.

Each module is marked ``wayland`` (run by ``make test-wayland``, left out of ``make test``).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakeollama import FakeOllama
from tests.wayland.session import WaylandSession, missing_tools, wayland_session

MODEL = "qwen2.5vl:7b"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    missing = missing_tools()
    for item in items:
        if missing and "tests/wayland/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.skip(reason=f"missing {', '.join(missing)} (make wayland-deps)"))


def events(log: Path) -> list[dict[str, object]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


class Board:
    """The board app running in a session; ``widgets`` from its ready line."""

    def __init__(self, session: WaylandSession, log: Path) -> None:
        self.session, self.log = session, log
        deadline = time.monotonic() + 20
        while not any(e["event"] == "ready" for e in events(log)):
            if time.monotonic() > deadline:
                raise TimeoutError((session.tmp / "app.log").read_text()[-2000:])
            time.sleep(0.1)
        ready = next(e for e in events(log) if e["event"] == "ready")
        self.widgets: dict[str, list[int]] = ready["widgets"]  # type: ignore[assignment]
        self.size = ready["size"]

    def seen(self, kind: str) -> list[dict[str, object]]:
        return [e for e in events(self.log) if e["event"] == kind]


def start_board(session: WaylandSession) -> Board:
    log = session.tmp / f"board-{time.monotonic_ns()}.log"
    session.start_app("-m", "tests.wayland.apps.board", "--log", str(log))
    return Board(session, log)


def deskhand(session: WaylandSession, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("deskhand")
    return subprocess.run(
        [str(exe), *args], env=session.env, capture_output=True, text=True, timeout=timeout, check=False
    )


def do(
    session: WaylandSession, ollama: FakeOllama, task: str, *extra: str
) -> subprocess.CompletedProcess[str]:
    return deskhand(session, "do", task, "--model", MODEL, "--host", ollama.url, *extra)


def inside(rect: list[int], x: object, y: object) -> bool:
    rx, ry, w, h = rect
    return bool(rx <= x < rx + w and ry <= y < ry + h)  # type: ignore[operator]


@pytest.fixture
def ollama() -> Iterator[FakeOllama]:
    with FakeOllama(models={MODEL: True}) as server:
        yield server


@pytest.fixture(scope="session")
def session() -> Iterator[WaylandSession]:
    """One 1280x720 desktop for every module that does not bring its own."""
    with wayland_session(1280, 720) as s:
        yield s
