"""ScreenSettler returns once the screen is still, and not before (bounds are generous)."""

from __future__ import annotations

import time

import pytest

from deskhand.actions.gui import GuiExecutor
from deskhand.actions.settle import FixedSettler, ScreenSettler
from deskhand.core.actions import Click, Finish, RunShell, Wait
from deskhand.core.geometry import ImagePoint
from tests.desktop.conftest import approved, never, observation

pytestmark = pytest.mark.desktop

CLICK = Click(at=ImagePoint(x=960, y=540))


def test_static_screen_settles_quickly(start_probe):
    start_probe()
    settler = ScreenSettler()
    start = time.monotonic()
    settler.settle(CLICK, observation())
    elapsed = time.monotonic() - start
    assert settler.last is not None and settler.last.settled
    assert settler.last.grabs >= 2
    assert elapsed >= settler.min_wait
    assert elapsed < 1.0


def test_settle_waits_for_an_animation_to_end(start_probe, gui: GuiExecutor):
    probe = start_probe("--animate-on-click", "300")
    # 80 ms of stillness asked for (not the default 40), so a loaded CI machine that stalls
    # the probe's repaints for a moment does not fake the end of the animation.
    settler = ScreenSettler(cap=5.0, interval=0.04)
    gui.execute(approved(CLICK), should_stop=never)
    probe.wait_events("animation_start", 1)
    settler.settle(CLICK, observation())
    returned = time.monotonic()
    done = probe.events("animation_done")
    assert done, "settle returned while the probe was still animating"
    assert done[0]["t"] <= returned  # both CLOCK_MONOTONIC on Linux
    assert settler.last is not None and settler.last.settled


def test_never_ending_animation_hits_the_cap(start_probe, gui: GuiExecutor):
    probe = start_probe("--animate-on-click", "10000")
    settler = ScreenSettler(cap=0.5)
    gui.execute(approved(CLICK), should_stop=never)
    probe.wait_events("animation_start", 1)
    start = time.monotonic()
    settler.settle(CLICK, observation())
    assert 0.45 <= time.monotonic() - start < 3.0
    assert settler.last is not None and not settler.last.settled


def test_wait_and_shell_get_only_a_quick_check(start_probe):
    start_probe()
    settler = ScreenSettler(min_wait=1.0)  # would show if it were applied
    for action in (Wait(seconds=1), RunShell(command="true")):
        start = time.monotonic()
        settler.settle(action, observation())
        assert time.monotonic() - start < 0.9
    start = time.monotonic()
    settler.settle(Finish(summary="done"), observation())
    assert time.monotonic() - start < 0.1


def test_fixed_settler_sleeps():
    start = time.monotonic()
    FixedSettler(0.2).settle(CLICK, observation())
    assert time.monotonic() - start >= 0.2
