"""A Wayland desktop whose portal lacks RemoteDesktop (wlroots' -wlr, say): one line, exit 2."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.e2e.xsession import ROOT, wait_for
from tests.fakeollama import FakeOllama
from tests.wayland.session import PORTAL

pytestmark = pytest.mark.wayland


def test_no_remote_desktop_portal_says_what_to_do(ollama: FakeOllama) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="deskhand-noportal-"))
    runtime = tmp / "run"
    runtime.mkdir(mode=0o700)
    (tmp / "portals").mkdir()  # no backend at all: the portal offers no ScreenCast/RemoteDesktop
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "DBUS_SESSION_BUS_ADDRESS")}
    env.update(XDG_RUNTIME_DIR=str(runtime), DBUS_SESSION_BUS_ADDRESS=f"unix:path={runtime}/bus",
               WAYLAND_DISPLAY="wayland-none", XDG_CURRENT_DESKTOP="sway",
               XDG_DESKTOP_PORTAL_DIR=str(tmp / "portals"), XDG_CONFIG_HOME=str(tmp / "config"),
               HOME=str(tmp), PYTHONPATH=str(ROOT))  # fmt: skip
    procs = [subprocess.Popen(["dbus-daemon", "--session", "--nofork", f"--address=unix:path={runtime}/bus"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]  # fmt: skip
    try:
        wait_for((runtime / "bus").exists, 10, "the session bus")
        procs.append(
            subprocess.Popen([str(PORTAL)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        )
        exe = Path(sys.executable).with_name("deskhand")
        ollama.script([{"do": "finish"}])
        result = subprocess.run(
            [str(exe), "do", "Click OK", "--model", "qwen2.5vl:7b", "--host", ollama.url],
            env=env, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "deskhand: error: Tried to use the desktop portal's RemoteDesktop (input) on Wayland, but this "
        "desktop does not offer it. Install xdg-desktop-portal-wlr for the screen; input is unsupported "
        "there (xdg-desktop-portal-wlr has no RemoteDesktop), so run Deskhand in an X11 session."
    )
