"""``deskhand`` with no command, as a user starts it: a real process on its own X display."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.xsession import XSession, wait_for, x_session

pytestmark = pytest.mark.desktop

EXE = str(Path(sys.executable).with_name("deskhand"))


@pytest.fixture(scope="module")
def screen() -> Iterator[XSession]:
    with x_session(1280, 800) as session:
        yield session


class Running:
    def __init__(self, screen: XSession, tmp_path: Path) -> None:
        (tmp_path / "config.toml").write_text('host = "http://127.0.0.1:9"\nmodel = "qwen2.5vl:7b"\n')
        self.env = {
            **screen.env,
            "DESKHAND_DATA_DIR": str(tmp_path / "data"),
            "DESKHAND_CONFIG": str(tmp_path / "config.toml"),
        }
        self.err = tmp_path / "stderr.txt"
        self.started = time.monotonic()
        with self.err.open("wb") as err:
            self.proc = subprocess.Popen([EXE, "-v"], env=self.env, stdout=subprocess.DEVNULL, stderr=err)
        wait_for(lambda: "ready in" in self.stderr(), timeout=30, what="the app to be ready")
        self.ready_after = time.monotonic() - self.started

    def stderr(self) -> str:
        return self.err.read_text(errors="replace")

    def visible(self, title: str) -> bool:
        argv = ["xdotool", "search", "--onlyvisible", "--name", title]
        return subprocess.run(argv, env=self.env, capture_output=True, check=False).returncode == 0

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(15)


@pytest.fixture
def running(screen: XSession, tmp_path: Path) -> Iterator[Running]:
    app = Running(screen, tmp_path)
    yield app
    if app.proc.poll() is None:
        app.proc.kill()
        app.proc.wait()


def test_without_a_tray_it_says_so_and_shows_the_command_bar(running: Running) -> None:
    assert "no system tray was found" in running.stderr()
    assert "(tray False)" in running.stderr()
    wait_for(lambda: running.visible("Deskhand: new task"), timeout=10, what="the command bar")
    assert running.ready_after < 15
    assert running.stop() == 0


def test_a_second_start_wakes_the_first_and_exits(running: Running) -> None:
    wait_for(lambda: running.visible("Deskhand: new task"), timeout=10, what="the command bar")
    subprocess.run(["xdotool", "key", "Escape"], env=running.env, check=True)
    wait_for(lambda: not running.visible("Deskhand: new task"), timeout=10, what="the bar to close")
    started = time.monotonic()
    second = subprocess.run([EXE], env=running.env, capture_output=True, text=True, timeout=30, check=False)
    assert second.returncode == 0, second.stderr
    assert "already running" in second.stderr
    assert time.monotonic() - started < 10
    wait_for(lambda: running.visible("Deskhand: new task"), timeout=10, what="the first app's command bar")
    assert running.proc.poll() is None
    assert running.stop() == 0


def test_with_a_tray_host_the_icon_appears(screen: XSession, tmp_path: Path) -> None:
    trayer = screen.spawn(["trayer", "--edge", "top", "--align", "right", "--width", "10", "--height", "24"])
    try:
        wait_for(lambda: b'"panel"' in screen.run(["xwininfo", "-root", "-tree"]).stdout, what="trayer")
        app = Running(screen, tmp_path)
        try:
            assert "(tray True)" in app.stderr()
            wait_for(
                lambda: (
                    b'"Deskhand": ("deskhand" "Deskhand")'
                    in screen.run(["xwininfo", "-root", "-tree"]).stdout
                ),
                what="our icon in the tray",
            )
            assert not app.visible("Deskhand: new task")
            assert app.stop() == 0
        finally:
            if app.proc.poll() is None:
                app.proc.kill()
    finally:
        trayer.terminate()
        trayer.wait(5)
