"""A private headless Wayland desktop: D-Bus, mutter, PipeWire, WirePlumber and the real
xdg-desktop-portal, with the test-only portal backend (``tests.wayland.portal_backend``).

All of it runs in a temporary ``XDG_RUNTIME_DIR`` with its own session bus, so nothing of
the machine's own desktop (if any) is touched.  ``XDG_CURRENT_DESKTOP=deskhandtest`` and
``XDG_DESKTOP_PORTAL_DIR`` make xdg-desktop-portal 1.16 pick our backend (it has no
portals.conf); the real portal still sits between Deskhand and the backend.

The consent dialog: the backend "shows" it by logging a ``dialog`` line to ``dialogs.log``
and waiting for ``answer`` to appear in the session folder; ``answer_dialogs`` is the test
answering it (as a person would click Allow or Cancel).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.e2e.xsession import ROOT, wait_for

DESKTOP = "deskhandtest"
REQUIRED = ("mutter", "pipewire", "wireplumber", "gst-launch-1.0", "dbus-daemon")
PORTAL = Path("/usr/libexec/xdg-desktop-portal")


def missing_tools() -> list[str]:
    missing = [tool for tool in REQUIRED if shutil.which(tool) is None]
    return missing + ([str(PORTAL)] if not PORTAL.exists() else [])


class WaylandSession:
    def __init__(self, width: int = 1280, height: int = 720, scale: float = 1) -> None:
        self.width, self.height, self.scale = width, height, scale
        self.tmp = Path(tempfile.mkdtemp(prefix="deskhand-wl-"))
        self.runtime = self.tmp / "run"
        self.runtime.mkdir(mode=0o700)
        for sub in ("home", "config", "data", "cache", "portals"):
            (self.tmp / sub).mkdir()
        (self.tmp / "portals" / f"{DESKTOP}.portal").write_text(
            "[portal]\n"
            f"DBusName=org.freedesktop.impl.portal.desktop.{DESKTOP}\n"
            "Interfaces=org.freedesktop.impl.portal.ScreenCast;org.freedesktop.impl.portal.RemoteDesktop;\n"
            f"UseIn={DESKTOP}\n"
        )
        self.env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DISPLAY", "XAUTHORITY", "DBUS_SESSION_BUS_ADDRESS")
        }
        self.env.update(
            {
                "XDG_RUNTIME_DIR": str(self.runtime),
                "DBUS_SESSION_BUS_ADDRESS": f"unix:path={self.runtime}/bus",
                "WAYLAND_DISPLAY": "wayland-test",
                "XDG_SESSION_TYPE": "wayland",
                "XDG_CURRENT_DESKTOP": DESKTOP,
                "XDG_DESKTOP_PORTAL_DIR": str(self.tmp / "portals"),
                "QT_QPA_PLATFORM": "wayland",
                "HOME": str(self.tmp / "home"),
                "XDG_CONFIG_HOME": str(self.tmp / "config"),
                "XDG_DATA_HOME": str(self.tmp / "data"),
                "XDG_CACHE_HOME": str(self.tmp / "cache"),
                "GSETTINGS_BACKEND": "memory",
                "NO_AT_BRIDGE": "1",
                "PYTHONPATH": str(ROOT),
                "DESKHAND_TEST_PORTAL_DIR": str(self.tmp),
            }
        )
        if scale != int(scale):
            # Fractional scales need mutter's logical layout ("scale-monitor-framebuffer"),
            # set through a keyfile GSettings backend as GNOME Settings would through dconf.
            settings = self.tmp / "config" / "glib-2.0" / "settings"
            settings.mkdir(parents=True)
            (settings / "keyfile").write_text(
                "[org/gnome/mutter]\nexperimental-features=['scale-monitor-framebuffer']\n"
            )
            self.env["GSETTINGS_BACKEND"] = "keyfile"
        self.processes: list[subprocess.Popen[bytes]] = []
        self.apps: list[subprocess.Popen[bytes]] = []
        self._answering: threading.Thread | None = None
        self._answer = "allow"
        self.answer_delay = 0.0  # seconds the "user" takes to answer
        self._done = threading.Event()

    # -- start and stop ------------------------------------------------------------------

    def _spawn(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        log = (self.tmp / f"{name}.log").open("wb")
        proc = subprocess.Popen(argv, env=self.env, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        self.processes.append(proc)
        return proc

    def start(self) -> None:
        bus = self.runtime / "bus"
        self._spawn("dbus", ["dbus-daemon", "--session", "--nofork", f"--address=unix:path={bus}"])
        wait_for(bus.exists, 10, "the session bus")
        self._spawn("mutter", ["mutter", "--headless", "--virtual-monitor", f"{self.width}x{self.height}",
                               "--wayland", "--no-x11", "--wayland-display", "wayland-test"])  # fmt: skip
        wait_for((self.runtime / "wayland-test").exists, 20, "mutter's Wayland socket")
        self._wait_name("org.gnome.Mutter.ScreenCast")
        if self.scale != 1:
            self._run_helper("scale", str(self.scale))
        self._spawn("pipewire", ["pipewire"])
        wait_for((self.runtime / "pipewire-0").exists, 10, "PipeWire's socket")
        self._spawn("wireplumber", ["wireplumber"])
        self._spawn("backend", [sys.executable, "-m", "tests.wayland.portal_backend"])
        self._wait_name(f"org.freedesktop.impl.portal.desktop.{DESKTOP}")
        self._spawn("portal", [str(PORTAL), "--replace"])
        self._wait_name("org.freedesktop.portal.Desktop")
        self._answering = threading.Thread(target=self._answer_loop, daemon=True)
        self._answering.start()

    def _run_helper(self, *args: str) -> str:
        out = subprocess.run(
            [sys.executable, "-m", "tests.wayland.bus_helper", *args],
            env=self.env, capture_output=True, text=True, timeout=20, check=False,
        )  # fmt: skip
        if out.returncode != 0:
            raise RuntimeError(f"bus helper {args} failed: {out.stderr}")
        return out.stdout

    def _wait_name(self, name: str) -> None:
        wait_for(lambda: self._run_helper("has-name", name).strip() == "yes", 20, name)

    def stop(self) -> None:
        self._done.set()
        for proc in reversed(self.apps + self.processes):
            proc.terminate()
        for proc in self.apps + self.processes:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- the consent dialog --------------------------------------------------------------

    @property
    def dialogs(self) -> list[dict[str, object]]:
        """Every dialog the backend showed (each was answered by ``answer_dialogs``)."""
        log = self.tmp / "dialogs.log"
        if not log.exists():
            return []
        return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]

    def answer_dialogs(self, answer: str) -> None:
        """How later dialogs are answered: "allow" or "deny"."""
        self._answer = answer

    def revoke(self) -> None:
        """Forget every permission given so far (the user revoking it in Settings)."""
        (self.tmp / "revoked").write_text(str(time.time()))

    def _answer_loop(self) -> None:
        pending = self.tmp / "pending"
        while not self._done.wait(0.05):
            if pending.exists():
                time.sleep(self.answer_delay)
                (self.tmp / "answer.tmp").write_text(self._answer)
                pending.unlink()
                os.replace(self.tmp / "answer.tmp", self.tmp / "answer")

    # -- apps ----------------------------------------------------------------------------

    def start_app(self, *argv: str) -> subprocess.Popen[bytes]:
        log = (self.tmp / "app.log").open("ab")
        proc = subprocess.Popen([sys.executable, *argv], env=self.env, stdout=log, stderr=log)
        self.apps.append(proc)
        return proc


@contextmanager
def wayland_session(width: int = 1280, height: int = 720, scale: float = 1) -> Iterator[WaylandSession]:
    session = WaylandSession(width, height, scale)
    try:
        session.start()
        yield session
    finally:
        session.stop()
