"""A private X display per test module: Xvfb at a chosen size, openbox, and app launchers.

The end-to-end tests run the real `deskhand` CLI as a subprocess against this display, so
each screen size gets its own server instead of reusing pytest-xvfb's.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.a11y import accessibility_bus
from tests.fakeollama import FakeOllama

ROOT = Path(__file__).resolve().parents[2]


def wait_for(condition: Callable[[], bool], timeout: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise TimeoutError(f"timed out after {timeout} s waiting for {what}")


class XSession:
    def __init__(
        self, width: int, height: int, monitors: list[tuple[int, int, int, int]] | None = None
    ) -> None:
        self.width, self.height = width, height
        self.monitors = monitors or []
        self.number = -1  # chosen by Xvfb in start()
        self.tmp = Path(tempfile.mkdtemp(prefix="deskhand-x-"))
        xauth = self.tmp / "Xauthority"
        xauth.touch()
        self.env = {
            **os.environ,
            "DISPLAY": "",
            "XAUTHORITY": str(xauth),
            "QT_QPA_PLATFORM": "xcb",
            "DESKHAND_DISPLAY": "x11",  # an X server of its own, also when run from a Wayland desktop
            "HOME": str(self.tmp / "home"),
            "XDG_CONFIG_HOME": str(self.tmp / "config"),
            "XDG_DATA_HOME": str(self.tmp / "data"),
            "XDG_CACHE_HOME": str(self.tmp / "cache"),
            "PYTHONPATH": str(ROOT),
        }
        (self.tmp / "home").mkdir()
        self.processes: list[subprocess.Popen[bytes]] = []
        self.apps: list[subprocess.Popen[bytes]] = []

    def start(self) -> None:
        # A real cookie, as a desktop session has. Xvfb picks a free display itself
        # (-displayfd), so parallel test runs cannot race for the same number.
        cookie = secrets.token_hex(16)
        xauth = self.env["XAUTHORITY"]
        self.run(["xauth", "-f", xauth, "add", ":0", ".", cookie])
        read_end, write_end = os.pipe()
        argv = ["Xvfb", "-displayfd", str(write_end), "-screen", "0", f"{self.width}x{self.height}x24",
                "-nolisten", "tcp", "-noreset", "-auth", xauth]  # fmt: skip
        proc = subprocess.Popen(argv, env=self.env, pass_fds=(write_end,), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)  # fmt: skip
        self.processes.append(proc)
        os.close(write_end)
        with os.fdopen(read_end) as numbers:
            self.number = int(numbers.readline().strip())
        self.env["DISPLAY"] = f":{self.number}"
        self.run(["xauth", "-f", xauth, "add", f":{self.number}", ".", cookie])
        wait_for(lambda: self.run(["xdpyinfo"]).returncode == 0, what="Xvfb")
        with (self.tmp / "openbox.log").open("wb") as wm_log:
            self.processes.append(subprocess.Popen(["openbox"], env=self.env, stdout=wm_log, stderr=wm_log))
        for n, (x, y, w, h) in enumerate(self.monitors):
            # RandR 1.5 monitors: how a multi-head desktop looks to mss, Qt and window managers.
            output = "screen" if n == 0 else "none"
            self.run(["xrandr", "--setmonitor", f"DH{n}", f"{w}/{w // 4}x{h}/{h // 4}+{x}+{y}", output])
        try:
            wait_for(lambda: b"_NET_SUPPORTING_WM_CHECK" in self.run(["xprop", "-root"]).stdout, timeout=30)
        except TimeoutError:
            wm = self.processes[-1]
            log = (self.tmp / "openbox.log").read_text(errors="replace")
            xprop = self.run(["xprop", "-root"])
            raise TimeoutError(
                f"openbox did not start on :{self.number} (exit {wm.poll()}): {log!r}; "
                f"xprop rc {xprop.returncode} {xprop.stderr[-300:]!r} {xprop.stdout[-300:]!r}"
            ) from None

    def run(self, argv: list[str], **kw: object) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(argv, env=self.env, capture_output=True, timeout=30, check=False, **kw)  # type: ignore[call-overload]

    def spawn(self, argv: list[str]) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(argv, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.processes.append(proc)
        return proc

    def start_app(self, argv: list[str]) -> subprocess.Popen[bytes]:
        """Start a test application, closing the previous ones so only it is on screen."""
        self.close_apps()
        proc = self.spawn(argv)
        self.apps.append(proc)
        return proc

    def close_apps(self) -> None:
        for proc in self.apps:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.apps.clear()

    def start_form(
        self,
        place: str = "center",
        buttons: str = "Apply,Cancel",
        long_list: bool = False,
        at: str | None = None,
    ) -> Path:
        log = self.tmp / f"form-{len(self.processes)}.jsonl"
        argv = form_command(log, place, buttons, long_list=long_list, at=at)
        self.start_app(argv)
        wait_for(lambda: log.exists() and "ready" in log.read_text(), timeout=20, what="the test form")
        # The form says "ready" once placed; the window manager then gives it the focus.
        wait_for(lambda: self.focused("Deskhand test form"), 10, "the test form to have the focus")
        return log

    def start_xterm(self, geometry: str = "100x20+100+100") -> None:
        """An xterm with the focus, its shell at the first prompt (``PROMPT_COMMAND`` runs
        just before bash shows a prompt and leaves a file to say so)."""
        prompt = self.tmp / f"prompt-{time.monotonic_ns()}"
        self.start_app(["env", f"PROMPT_COMMAND=: > {prompt}", "xterm", "-geometry", geometry])
        wait_for(lambda: prompt.exists() and self.focused("xterm"), 20, "the xterm's first prompt")

    def focused(self, name: str) -> bool:
        """Whether the window with the keyboard focus has ``name`` in its title."""
        active = self.run(["xdotool", "getactivewindow", "getwindowname"])
        return active.returncode == 0 and name.encode() in active.stdout

    def close(self) -> None:
        for proc in reversed(self.processes):
            proc.terminate()
        for proc in reversed(self.processes):
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)


@contextmanager
def x_session(
    width: int, height: int, monitors: list[tuple[int, int, int, int]] | None = None
) -> Iterator[XSession]:
    session = XSession(width, height, monitors)
    try:
        session.start()
        yield session
    finally:
        session.close()


@contextmanager
def a11y_session(width: int, height: int, data_dir: Path | None = None) -> Iterator[XSession]:
    """An ``x_session`` with an accessibility bus, as a desktop with a screen reader has;
    ``data_dir``: Deskhand's data folder (skills, memory) for every run on it."""
    with accessibility_bus() as bus, x_session(width, height) as session:
        session.env["DBUS_SESSION_BUS_ADDRESS"] = bus.session
        if data_dir is not None:
            session.env["DESKHAND_DATA_DIR"] = str(data_dir)
        yield session


@contextmanager
def settings(session: XSession, toml: str) -> Iterator[None]:
    """The session's config.toml holds ``toml`` for the block, and is gone after it."""
    config = Path(session.env["XDG_CONFIG_HOME"]) / "deskhand" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(toml)
    try:
        yield
    finally:
        config.unlink()


def steps_of(trace: Path) -> list[dict[str, object]]:
    """The step records a ``--trace`` folder holds, in order."""
    return [json.loads(line) for line in (trace / "steps.jsonl").read_text().splitlines()]


def form_command(
    log: Path, place: str, buttons: str, *, long_list: bool = False, at: str | None = None
) -> list[str]:
    """How to start the test form (tests/e2e/apps/form.py) logging to ``log``."""
    argv = [sys.executable, "-m", "tests.e2e.apps.form", "--log", str(log), "--place", place,
            "--buttons", buttons]  # fmt: skip
    if long_list:
        argv.append("--long-list")
    if at:
        argv += ["--at", at]
    return argv


def read_events(log: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


EXE = Path(sys.executable).with_name("deskhand")


def deskhand(
    session: XSession, *args: str, stdin: str = "", timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run the installed CLI the way a user would, on this display."""
    return subprocess.run(
        [str(EXE), *args],
        env=session.env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def do_traced(session: XSession, trace: Path, task: str, *options: str) -> subprocess.CompletedProcess[str]:
    """``deskhand do TASK OPTIONS --trace TRACE``, which must succeed (read its steps with
    ``steps_of(trace)``)."""
    result = deskhand(session, "do", task, *options, "--trace", str(trace))
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def deskhand_started(session: XSession, *args: str, output: bool = False) -> subprocess.Popen[str]:
    """Start the installed CLI in the background on this display; ``output``: keep its stdout/stderr."""
    sink = subprocess.PIPE if output else subprocess.DEVNULL
    return subprocess.Popen([str(EXE), *args], env=session.env, stdout=sink, stderr=sink, text=True)


def task_started(
    session: XSession, ollama: FakeOllama, task: str, *options: str, requests: int = 1, output: bool = False
) -> subprocess.Popen[str]:
    """``deskhand do TASK`` on the fake's qwen2.5-vl model, in the background; returns once the
    fake has had ``requests`` model requests (the task is under way)."""
    proc = deskhand_started(session, "do", task, *options, "--model", "qwen2.5vl:7b", "--host", ollama.url,
                            output=output)  # fmt: skip
    try:
        wait_for(lambda: len(ollama.chat_requests) >= requests, timeout=60, what=f"model request {requests}")
    except TimeoutError:
        proc.kill()
        proc.communicate()
        raise
    return proc


def pids_of(argv: list[str]) -> list[int]:
    """Pids of the processes whose command line is exactly ``argv`` (any display, any parent)."""
    wanted = "\0".join(argv).encode() + b"\0"
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "cmdline").read_bytes() == wanted:
                pids.append(int(entry.name))
        except OSError:  # gone meanwhile
            continue
    return pids


def killed(proc: subprocess.Popen[str]) -> None:
    """SIGKILL, as a crash or the OOM killer ends a process: nothing of it runs on exit."""
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
