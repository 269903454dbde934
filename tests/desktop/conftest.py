"""Desktop fixtures: a window manager on pytest-xvfb's display, the probe window, helpers.

pytest-xvfb starts Xvfb (1920x1080x24, from pyproject) and sets DISPLAY before any fixture
runs.  Without a window manager nothing gets keyboard focus the way it does on a real
desktop, so an openbox is started once per session (unless one already runs) and stopped
at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import mss
import pytest
from Xlib import X
from Xlib.display import Display

from deskhand.actions.dispatch import ActionExecutor
from deskhand.actions.gui import GuiExecutor
from deskhand.core.actions import Action
from deskhand.core.approval import Approved, UserAnswer, approve
from deskhand.core.geometry import Rect, ScreenGeometry, Size
from deskhand.core.observation import Observation
from deskhand.core.policy import assess
from tests.a11y import Bus, accessibility_bus

T = TypeVar("T")
PROBE = Path(__file__).parent / "apps" / "probe_window.py"
FULL = ScreenGeometry(image_size=Size(1920, 1080), screen_rect=Rect(0, 0, 1920, 1080))


def wait_until(check: Callable[[], T], timeout: float = 5.0, what: str = "condition") -> T:
    """Poll ``check`` until it returns something truthy; fail the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


def _wm_running(display: Display) -> bool:
    atom = display.intern_atom("_NET_SUPPORTING_WM_CHECK")
    return display.screen().root.get_full_property(atom, X.AnyPropertyType) is not None


@pytest.fixture(scope="session", autouse=True)
def window_manager() -> Iterator[None]:
    if "DISPLAY" not in os.environ:
        pytest.skip("desktop tests need an X display (pytest-xvfb provides one)")
    display = Display()
    proc = None
    if not _wm_running(display):
        proc = subprocess.Popen(
            ["openbox", "--sm-disable"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_until(lambda: _wm_running(display), 10, "openbox to start")
    yield
    display.close()
    if proc is not None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def bus() -> Iterator[Bus]:
    """A private session bus with the accessibility bus on it, one per test module."""
    with accessibility_bus() as found:
        yield found


def approved(action: Action, geometry: ScreenGeometry = FULL) -> Approved[Action]:
    """Pass the real gate, answering yes where the policy asks."""
    result = approve(action, assess(action), geometry, user=UserAnswer.ALLOW_ONCE)
    assert result is not None, f"the policy blocks {action!r}"
    return result


def never() -> bool:
    return False


def observation(geometry: ScreenGeometry = FULL) -> Observation:
    return Observation(id="test", image=b"", mime="image/jpeg", geometry=geometry, capture_ms=0, encode_ms=0)


@dataclass
class Probe:
    """A running probe window and the events it logged."""

    proc: subprocess.Popen[bytes]
    log: Path
    ready: dict[str, Any]

    def events(self, kind: str | None = None) -> list[dict[str, Any]]:
        lines = self.log.read_text(encoding="utf-8").splitlines()
        records = [json.loads(line) for line in lines if line.strip()]
        return [r for r in records if kind is None or r["type"] == kind]

    def wait_events(self, kind: str, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        return wait_until(
            lambda: found if len(found := self.events(kind)) >= count else [],
            timeout,
            f"{count} {kind} event(s); have {self.events()[-8:]}",
        )

    def text(self) -> str:
        texts = self.events("text")
        return texts[-1]["value"] if texts else ""

    def wait_text(self, expected: str, timeout: float = 5.0) -> None:
        wait_until(lambda: self.text() == expected, timeout, f"text {expected!r}, have {self.text()!r}")


@pytest.fixture
def start_probe(tmp_path: Path) -> Iterator[Callable[..., Probe]]:
    """Start probe windows; each is closed at the end of the test."""
    started: list[subprocess.Popen[bytes]] = []

    def start(*args: str) -> Probe:
        log = tmp_path / f"probe-{len(started)}.jsonl"
        log.touch()
        proc = subprocess.Popen([sys.executable, str(PROBE), str(log), *args], stderr=subprocess.DEVNULL)
        started.append(proc)
        probe = Probe(proc, log, {})
        probe.ready = wait_until(lambda: probe.events("ready"), 15, "the probe window")[0]
        wait_until(lambda: active_window_pid() == proc.pid, 10, "the probe window to have the focus")
        return probe

    yield start
    for proc in started:
        proc.terminate()
        proc.wait(5)


@pytest.fixture
def gui() -> Iterator[GuiExecutor]:
    executor = GuiExecutor()
    yield executor
    executor.close()


@pytest.fixture
def executor() -> Iterator[ActionExecutor]:
    combined = ActionExecutor()
    yield combined
    combined.close()


def held_modifiers_and_buttons() -> tuple[list[int], int]:
    """Keycodes of modifier keys the server sees down, and the pointer's button mask."""
    display = Display()
    try:
        keymap = display.query_keymap()
        held = [
            code
            for codes in display.get_modifier_mapping()
            for code in codes
            if code and keymap[code // 8] & (1 << (code % 8))
        ]
        mask = display.screen().root.query_pointer().mask
        buttons = mask & (X.Button1Mask | X.Button2Mask | X.Button3Mask | X.Button4Mask | X.Button5Mask)
        return held, buttons
    finally:
        display.close()


def active_window() -> str:
    """The title of the window with the keyboard focus; "" when none has it."""
    try:
        return xdotool("getactivewindow", "getwindowname").strip()
    except subprocess.CalledProcessError:  # no window has the focus at this moment
        return ""


def active_window_pid() -> int | None:
    try:
        return int(xdotool("getactivewindow", "getwindowpid"))
    except (subprocess.CalledProcessError, ValueError):  # no focus, or a window without a pid
        return None


def screen_pixels() -> bytes:
    """The whole screen's raw pixels, to tell whether anything at all was drawn."""
    with mss.MSS() as sct:
        return bytes(sct.grab(sct.monitors[0]).bgra)


def wait_screen_still(timeout: float = 10.0) -> None:
    """Wait until two screenshots in a row are the same: whatever was being drawn (a window
    manager's frame, a terminal's first lines) is on screen.  A blinking caret can make one
    pair differ; the next pair is alike again."""
    last = screen_pixels()

    def still() -> bool:  # wait_until's own pause is the gap between the two shots
        nonlocal last
        shot = screen_pixels()
        same, last = shot == last, shot
        return same

    wait_until(still, timeout, "the screen to stop changing")


def xdotool(*args: str) -> str:
    exe = shutil.which("xdotool")
    if exe is None:
        pytest.skip("xdotool is not installed")
    return subprocess.run([exe, *args], capture_output=True, text=True, check=True, timeout=20).stdout
