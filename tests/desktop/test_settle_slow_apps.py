"""An input that changes nothing visible at once is waited on: a slow app's reaction (a
"Save As" dialog that saves and closes 0.5 s after Enter) is in the next screenshot, not
missed -- while an input the screen shows at once still settles in tens of milliseconds."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from deskhand.actions.dispatch import ActionExecutor
from deskhand.actions.settle import ScreenSettler
from deskhand.core.actions import Action, Click, Hotkey, TypeText
from deskhand.core.geometry import ScreenPoint
from deskhand.core.repeat_guard import screens_alike
from deskhand.vision.capture import MssScreen
from deskhand.vision.dialects.common import QWEN25_GRID
from tests.desktop.conftest import (
    FULL,
    active_window,
    approved,
    never,
    wait_screen_still,
    wait_until,
)
from tests.e2e.xsession import ROOT, form_command, read_events

pytestmark = pytest.mark.desktop

ENTER = Hotkey(keys=("enter",))


@dataclass
class SlowSave:
    log: Path
    folder: Path

    def events(self, kind: str) -> list[dict[str, object]]:
        return [e for e in read_events(self.log) if e["event"] == kind]


@pytest.fixture
def slow_save(tmp_path: Path) -> Iterator[SlowSave]:
    app = SlowSave(tmp_path / "slow.jsonl", tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.e2e.apps.slow_save", "--log", str(app.log), "--folder", str(tmp_path)],
        cwd=ROOT, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_until(lambda: app.log.exists() and app.events("ready"), 20, "the slow Save As dialog")
        wait_until(lambda: active_window() == "Save As", 10, "the dialog to have the focus")
        wait_screen_still()  # the window manager has redrawn the focused frame
        yield app
    finally:
        proc.terminate()
        proc.wait(5)


@pytest.fixture
def screen() -> Iterator[MssScreen]:
    grabber = MssScreen(FULL.screen_rect, QWEN25_GRID)
    yield grabber
    grabber.close()


def settler_for(screen: MssScreen, cap: float) -> ScreenSettler:
    """As ``app.wiring`` builds it."""
    return ScreenSettler(
        cap=cap, on_still=screen.prepare, fingerprint=screen.fingerprint_of, baseline=screen.frame
    )


def act(executor: ActionExecutor, settler: ScreenSettler, action: Action, observation) -> float:  # type: ignore[no-untyped-def]
    executor.execute(approved(action), should_stop=never)
    start = time.monotonic()
    settler.settle(action, observation)
    return time.monotonic() - start


def test_enter_in_a_slow_dialog_is_settled_only_once_it_has_reacted(
    slow_save: SlowSave, screen: MssScreen, executor: ActionExecutor
) -> None:
    settler = settler_for(screen, cap=3.0)
    typed = screen.observe()
    took = act(executor, settler, TypeText(text="notes.txt"), typed)
    assert took < 0.5 and settler.last is not None and not settler.last.unchanged  # shown at once
    took = act(executor, settler, ENTER, typed)  # the same step: compared with the typed screen
    returned = time.monotonic()
    saved = slow_save.events("saved")
    assert saved, f"settle returned after {took:.2f} s, before the dialog reacted"
    assert saved[0]["t"] <= returned and took >= 0.4  # type: ignore[operator]
    assert settler.last is not None and settler.last.settled and not settler.last.unchanged
    after = screen.observe()
    assert not screens_alike(typed.fingerprint, after.fingerprint)  # the model sees the dialog gone
    assert len(slow_save.events("enter")) == 1


def test_an_input_that_never_shows_waits_out_the_cap_and_no_longer(
    slow_save: SlowSave, screen: MssScreen, executor: ActionExecutor
) -> None:
    settler = settler_for(screen, cap=0.8)
    took = act(executor, settler, Hotkey(keys=("shift",)), screen.observe())
    assert 0.75 <= took < 1.5, took
    assert settler.last is not None and settler.last.unchanged and settler.last.settled


def test_without_the_fingerprint_the_settle_is_as_quick_as_before(
    slow_save: SlowSave, screen: MssScreen, executor: ActionExecutor
) -> None:
    """The same Enter, settled only by stillness: the dialog is still there when it returns."""
    settler = ScreenSettler(cap=3.0, on_still=screen.prepare)
    observed = screen.observe()
    act(executor, settler, TypeText(text="notes.txt"), observed)
    took = act(executor, settler, ENTER, observed)
    assert took < 0.4 and not slow_save.events("saved")


@pytest.fixture
def form(tmp_path: Path) -> Iterator[dict[str, list[int]]]:
    log = tmp_path / "form.jsonl"
    proc = subprocess.Popen(
        [*form_command(log, "center", "Apply,Cancel"), "--point-size", "9"],
        cwd=ROOT,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: log.exists() and "ready" in log.read_text(), 20, "the test form")
        wait_until(lambda: active_window() == "Deskhand test form", 10, "the form to have the focus")
        wait_screen_still()
        yield next(e for e in read_events(log) if e["event"] == "ready")["centres"]  # type: ignore[misc]
    finally:
        proc.terminate()
        proc.wait(5)


def click_at(observation, x: int, y: int) -> Click:  # type: ignore[no-untyped-def]
    """A click on screen point (x, y) as the model would give it on ``observation``."""
    image = observation.geometry.to_image(ScreenPoint(x=x, y=y))
    return Click(at=image)


def test_a_click_the_screen_shows_is_settled_at_once_and_a_dead_one_waits_out_the_cap(
    form: dict[str, list[int]], screen: MssScreen, executor: ActionExecutor
) -> None:
    settler = settler_for(screen, cap=1.0)
    seen = screen.observe()
    took = act(executor, settler, click_at(seen, *form["Apply"]), seen)
    assert took < 0.6 and settler.last is not None and not settler.last.unchanged, settler.last
    for _ in range(2):  # the first click on the bare desktop may take the focus from the form
        seen = screen.observe()
        took = act(executor, settler, click_at(seen, 1900, 1060), seen)
    assert took >= 0.95 and settler.last is not None and settler.last.unchanged, settler.last
