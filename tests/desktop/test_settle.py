"""ScreenSettler returns once the screen is still, and not before (bounds are generous)."""

from __future__ import annotations

import time

import pytest

from deskhand.actions.gui import GuiExecutor
from deskhand.actions.settle import FixedSettler, ScreenSettler
from deskhand.core.actions import Click, Finish, RunShell, Wait
from deskhand.core.geometry import ImagePoint
from tests.desktop.conftest import FULL, approved, never, observation, screen_pixels, wait_until

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
    # 200 ms of stillness asked for (not the default 40): on a loaded CI machine the probe can
    # miss a few 10 ms repaints in a row, and a 40 ms gap would look like the end of the
    # animation. The cap is still what must end it: the probe repaints for 10 s.
    settler = ScreenSettler(cap=0.5, quiet=0.2)
    gui.execute(approved(CLICK), should_stop=never)
    probe.wait_events("animation_start", 1)
    _wait_until_animating()
    start = time.monotonic()
    settler.settle(CLICK, observation())
    assert 0.45 <= time.monotonic() - start < 3.0
    assert settler.last is not None and not settler.last.settled


def _wait_until_animating(frames: int = 3) -> None:
    """Wait until the probe has drawn ``frames`` different frames in a row: it is really
    animating before the settle starts (a starved probe has not painted yet)."""
    seen = [screen_pixels()]

    def changed() -> bool:
        frame = screen_pixels()
        if frame != seen[-1]:
            seen.append(frame)
        return len(seen) > frames

    wait_until(changed, 30, "the probe to animate")


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


def test_quiet_window_defaults_to_two_intervals_and_at_least_40_ms():
    assert ScreenSettler().quiet == pytest.approx(0.04)
    assert ScreenSettler(interval=0.04).quiet == pytest.approx(0.08)
    assert ScreenSettler(interval=0.04, quiet=0.05).quiet == pytest.approx(0.05)
    with pytest.raises(ValueError, match="interval"):
        ScreenSettler(interval=0)


def test_a_change_outside_the_watched_region_is_still_waited_for(start_probe, gui: GuiExecutor):
    # The click lands in the canvas's corner, 100 px away from the animated area, and only
    # 40 px around it are polled: the whole-monitor check must catch the animation.
    probe = start_probe("--animate-on-click", "400")
    corner = Click(at=ImagePoint(x=20, y=20))
    settler = ScreenSettler(region=40, cap=5.0, interval=0.02)
    gui.execute(approved(corner), should_stop=never)
    probe.wait_events("animation_start", 1)
    settler.settle(corner, observation())
    returned = time.monotonic()
    done = probe.events("animation_done")
    assert done, "settle returned while the animation outside its region was still running"
    assert done[0]["t"] <= returned
    assert settler.last is not None and settler.last.settled


def test_stop_ends_the_wait_at_once(start_probe, gui: GuiExecutor):
    probe = start_probe("--animate-on-click", "10000")
    stopping = {"now": False}
    settler = ScreenSettler(cap=5.0, should_stop=lambda: stopping["now"])
    gui.execute(approved(CLICK), should_stop=never)
    probe.wait_events("animation_start", 1)
    stopping["now"] = True
    start = time.monotonic()
    settler.settle(CLICK, observation())
    assert time.monotonic() - start < 0.1
    assert settler.last is not None and not settler.last.settled


def test_the_still_frame_is_encoded_ahead_and_reused_only_if_unchanged(start_probe, gui: GuiExecutor):
    from deskhand.vision.capture import MssScreen
    from deskhand.vision.dialects.common import QWEN25_GRID

    # Long enough that the screen is still changing when a frame of it has been seen.
    probe = start_probe("--animate-on-click", "3000")
    screen = MssScreen(FULL.screen_rect, QWEN25_GRID)
    try:
        settler = ScreenSettler(cap=5.0, on_still=screen.prepare)
        settler.settle(CLICK, observation())
        reused = screen.observe()
        assert screen.reused == 1
        fresh = MssScreen(FULL.screen_rect, QWEN25_GRID, pre_encode=False)
        try:
            assert fresh.observe().image == reused.image  # the same picture, encoded earlier
        finally:
            fresh.close()
        # A frame handed over and then made stale by a change is not used.
        settler.settle(CLICK, observation())
        handed_over = screen_pixels()
        gui.execute(approved(CLICK), should_stop=never)
        probe.wait_events("animation_start", 1)
        wait_until(lambda: screen_pixels() != handed_over, 5, "an animation frame drawn")
        screen.observe()
        assert screen.reused == 1
    finally:
        screen.close()
