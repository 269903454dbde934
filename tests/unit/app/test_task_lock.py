"""One task per desktop: ``desktop_lock`` refuses a second holder, names the first, and
frees the desktop when its holder dies -- ``kill -9`` included."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from deskhand.app.platform.task_lock import DesktopBusy, desktop_lock, desktop_name, lock_path
from deskhand.core.errors import SetupError

HOLD = "from deskhand.app.platform.task_lock import desktop_lock\nwith desktop_lock('a test holder'):\n    print('held', flush=True)\n    input()\n"


@pytest.fixture(autouse=True)
def private_runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":41")


def test_a_second_holder_in_the_same_process_is_refused_with_the_first_named() -> None:
    with desktop_lock("deskhand do"), pytest.raises(DesktopBusy) as refused, desktop_lock("the tray app"):
        pass
    message = str(refused.value)
    assert isinstance(refused.value, SetupError)  # the CLI's exit 2
    assert f"another task is running on this desktop (deskhand do, pid {os.getpid()})" in message
    assert "\n" not in message
    with desktop_lock("the tray app"):  # released at the end of the block
        pass


def test_the_same_display_written_differently_is_one_desktop(monkeypatch: pytest.MonkeyPatch) -> None:
    with desktop_lock("deskhand do"):
        for spelling in (":41.0", "unix:41"):
            monkeypatch.setenv("DISPLAY", spelling)
            assert desktop_name() == ":41"
            with pytest.raises(DesktopBusy), desktop_lock("again"):
                pass
        monkeypatch.setenv("DISPLAY", ":42")  # another desktop: its own lock
        with desktop_lock("elsewhere"):
            pass
        monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-1")
        assert desktop_name() == "wayland-1"
        with desktop_lock("a Wayland session"):
            pass


def test_a_holder_in_another_process_blocks_until_it_is_killed(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=os.environ
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with pytest.raises(DesktopBusy, match=rf"\(a test holder, pid {holder.pid}\)"), desktop_lock("me"):
            pass
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
    finally:
        holder.kill()
        holder.wait()
    assert _can_lock()  # the kernel let go of the dead holder's lock
    assert lock_path().parent == tmp_path / "run" / "deskhand"


def _can_lock() -> bool:
    try:
        with desktop_lock("me"):
            return True
    except DesktopBusy:
        return False
