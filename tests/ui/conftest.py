"""Fixtures for the tray app's tests: isolated dirs, a window manager, a tray host, the form.

pytest-xvfb starts Xvfb (1920x1080x24) and sets DISPLAY; pytest-qt makes the one
QApplication.  Everything the app writes goes to the test's tmp dirs (DESKHAND_DATA_DIR,
DESKHAND_CONFIG, XDG_*), never the real home.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from pytestqt.qtbot import QtBot
from Xlib.display import Display

from tests.e2e.xsession import form_command
from tests.fakeollama import FakeOllama

if TYPE_CHECKING:
    from deskhand.app.tray.controller import DeskhandApp

MODEL = "qwen2.5vl:7b"
ROOT = Path(__file__).resolve().parents[2]


def poll(check: Callable[[], object], timeout: float = 10.0, what: str = "condition") -> None:
    """For state outside Qt (X server, files, other processes); Qt state uses qtbot.waitUntil."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


def x(*argv: str, check: bool = True) -> str:
    return subprocess.run(list(argv), capture_output=True, text=True, check=check, timeout=20).stdout.strip()


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DESKHAND_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DESKHAND_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    return tmp_path


@pytest.fixture
def private_config(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The config file Settings saves to, one folder down so that saving must make it; none
    is there yet, and no OLLAMA_HOST or DESKHAND_MODEL from the shell stands in for it."""
    config = isolated / "config" / "config.toml"
    monkeypatch.setenv("DESKHAND_CONFIG", str(config))
    monkeypatch.delenv("OLLAMA_HOST", raising=False)
    monkeypatch.delenv("DESKHAND_MODEL", raising=False)
    return config


@pytest.fixture(autouse=True)
def threads_leave_widgets_alone() -> Iterator[None]:
    """Two ways a background thread crashes a Qt test run, both closed here for every test.

    * Python's cyclic GC runs on whichever thread happens to allocate.  If a worker (a model
      list call, the fake server, the agent loop) collects a dead window's cycle, Qt deletes
      those widgets off the GUI thread and the process segfaults.  So automatic collection is
      off during a test; the test's garbage is collected here, on the GUI thread (after
      pytest-qt closed the test's widgets).
    * A model-list or pull call left running would report into the next test.
    """
    gc.disable()
    try:
        yield
        from deskhand.app.windows.model_widgets import stop_server_jobs

        assert stop_server_jobs(10_000), "a server call did not end within 10 s of its test"
    finally:
        gc.collect()
        gc.enable()


def _wm_running() -> bool:
    return "_NET_SUPPORTING_WM_CHECK" in x("xprop", "-root", check=False)


@pytest.fixture(scope="session")
def window_manager() -> Iterator[None]:
    """openbox on pytest-xvfb's display, so focus and stacking behave as on a desktop."""
    if "DISPLAY" not in os.environ:
        pytest.skip("needs an X display (pytest-xvfb provides one)")
    proc = None
    if not _wm_running():
        proc = subprocess.Popen(
            ["openbox", "--sm-disable"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        poll(_wm_running, 30, "openbox")
    yield
    if proc is not None:
        proc.terminate()
        proc.wait(5)


def _tray_owner() -> bool:
    display = Display()
    try:
        atom = display.intern_atom(f"_NET_SYSTEM_TRAY_S{display.get_default_screen()}")
        owner = display.get_selection_owner(atom)
        return bool(getattr(owner, "id", owner))
    finally:
        display.close()


@pytest.fixture(scope="module")
def trayer(window_manager: None) -> Iterator[None]:
    """A system tray host (trayer) at the top right; QSystemTrayIcon embeds into it."""
    if shutil.which("trayer") is None:
        pytest.skip("trayer is not installed (make system-deps)")
    proc = subprocess.Popen(
        [
            "trayer",
            "--edge",
            "top",
            "--align",
            "right",
            "--widthtype",
            "pixel",
            "--width",
            "120",
            "--height",
            "28",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    poll(_tray_owner, 10, "trayer to own the system tray selection")
    yield
    proc.terminate()
    proc.wait(5)


@pytest.fixture
def settings_file(isolated: Path) -> Callable[..., Path]:
    """Write the config file the app reads (host, model, …)."""

    def write(**values: object) -> Path:
        path = isolated / "config.toml"
        lines = [f"{k} = {json.dumps(v)}" for k, v in values.items()]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    return write


@pytest.fixture
def ollama(settings_file: Callable[..., Path]) -> Iterator[FakeOllama]:
    with FakeOllama(models={MODEL: True}) as server:
        settings_file(host=server.url, model=MODEL, settle_cap=0.5)
        yield server


@pytest.fixture
def app(qtbot: QtBot, ollama: FakeOllama) -> Iterator[DeskhandApp]:
    """The tray app on the fake Ollama (``ollama`` wrote its config), shut down after the test."""
    from deskhand.app.tray.controller import DeskhandApp

    app = DeskhandApp()
    yield app
    app.shutdown()


class Form:
    """The test form (tests/e2e/apps/form.py) in its own process; every click is logged."""

    def __init__(self, log: Path, proc: subprocess.Popen[bytes]) -> None:
        self.log, self.proc = log, proc

    def events(self, kind: str | None = None) -> list[dict[str, object]]:
        lines = self.log.read_text(encoding="utf-8").splitlines() if self.log.exists() else []
        records = [json.loads(line) for line in lines if line.strip()]
        return [r for r in records if kind is None or r["event"] == kind]

    def window(self) -> str:
        return x("xdotool", "search", "--name", "Deskhand test form").splitlines()[0]


@pytest.fixture
def start_form(tmp_path: Path, window_manager: None) -> Iterator[Callable[..., Form]]:
    forms: list[Form] = []

    def start(place: str = "center", buttons: str = "Apply,Cancel") -> Form:
        log = tmp_path / f"form-{len(forms)}.jsonl"
        env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "xcb"}
        argv = form_command(log, place, buttons)
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        form = Form(log, proc)
        forms.append(form)
        poll(lambda: form.events("ready"), 20, "the test form")
        poll(
            lambda: x("xdotool", "search", "--onlyvisible", "--name", "Deskhand test form", check=False),
            10,
            "form window",
        )
        poll(
            lambda: x("xdotool", "getactivewindow", "getwindowpid", check=False) == str(proc.pid),
            10,
            "the window manager to place the form and give it the focus",
        )
        return form

    yield start
    for form in forms:
        form.proc.terminate()
        form.proc.wait(5)
