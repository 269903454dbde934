"""Waiting after an action until the screen has stopped changing -- and no longer.

Peers sleep a fixed 1-2 s after every action; most UI reactions are over in tens of
milliseconds, and some take longer than any fixed sleep.  ``ScreenSettler`` watches
instead: after a short minimum wait (input has to reach the app and be drawn), it grabs
the monitor the step was observed on until ``stable_frames`` grabs in a row are
identical, or ``cap`` seconds have passed (a video or a spinner never settles).

The whole monitor is watched, not just the area around the action: a click's effect is
often elsewhere (a dialog in the middle, a status bar), and settling early costs a model
call on a stale screen, which is far dearer than a few extra grabs.  Frames are compared
whole -- a raw 1920x1080 grab is ~2 ms and comparing two is a 0.3 ms ``memcmp``, cheaper
than downsampling or hashing, and exact.  The pointer is not in the grabs.

Three identical grabs 20 ms apart (two equal comparisons) is the default rather than two:
an animation drawn at 30 fps -- common under load or software rendering -- holds each
frame for 33 ms and would look still to a single comparison.

``FixedSettler`` is the naive baseline the benchmarks compare against.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import mss

from deskhand.core.actions import Action, AskUser, Finish, RunShell, Wait
from deskhand.core.errors import CaptureFailed
from deskhand.core.geometry import Rect
from deskhand.core.observation import Observation

__all__ = ["FixedSettler", "ScreenSettler", "SettleStats"]


@dataclass(frozen=True, slots=True)
class SettleStats:
    """How the last settle went, for benchmarks and tests."""

    seconds: float
    grabs: int
    settled: bool  # False: the cap ended it while the screen was still changing


class ScreenSettler:
    """The ``Settler`` port: wait until the observed monitor shows the same picture twice."""

    def __init__(
        self,
        *,
        min_wait: float = 0.03,
        interval: float = 0.02,
        stable_frames: int = 3,
        cap: float = 1.5,
        quick_cap: float = 0.25,
    ) -> None:
        if stable_frames < 2:
            raise ValueError("stable_frames must be at least 2: one frame cannot show stillness")
        self.min_wait = min_wait
        self.interval = interval
        self.stable_frames = stable_frames
        self.cap = cap
        self.quick_cap = quick_cap
        self.last: SettleStats | None = None
        self._local = threading.local()

    def settle(self, action: Action, observation: Observation) -> None:
        """Return once the screen is still (or the cap is reached); never raises for motion."""
        start = time.monotonic()
        match action:
            case Finish() | AskUser():
                return
            case Wait() | RunShell():
                # The wait itself (or the command's run) gave the screen its time; only
                # check that nothing is still being drawn, e.g. a window the command opened.
                first, cap = 0.0, self.quick_cap
            case _:
                first, cap = self.min_wait, self.cap
        time.sleep(first)
        rect = observation.geometry.screen_rect
        previous, same, grabs = self._grab(rect), 1, 1
        while same < self.stable_frames and time.monotonic() - start < cap:
            time.sleep(self.interval)
            frame = self._grab(rect)
            grabs += 1
            same = same + 1 if frame == previous else 1
            previous = frame
        self.last = SettleStats(time.monotonic() - start, grabs, same >= self.stable_frames)

    def _grab(self, rect: Rect) -> bytearray:
        sct = getattr(self._local, "sct", None)
        if sct is None:
            sct = self._local.sct = mss.MSS()  # one per thread: mss handles are not shareable
        region = {"left": rect.x, "top": rect.y, "width": rect.width, "height": rect.height}
        try:
            return sct.grab(region).raw
        except mss.exception.ScreenShotError as exc:
            raise CaptureFailed(
                f"Tried to watch monitor {tuple(rect)} for the screen to settle, but the grab failed ({exc})."
            ) from exc

    def close(self) -> None:
        """Release this thread's capture handle."""
        sct = getattr(self._local, "sct", None)
        if sct is not None:
            sct.close()
            self._local.sct = None


class FixedSettler:
    """Sleeps a fixed time after every executed action, like most peers do."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def settle(self, action: Action, observation: Observation) -> None:
        if not isinstance(action, Finish | AskUser):
            time.sleep(self.seconds)
