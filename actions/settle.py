"""Waiting after an action until the screen has stopped changing -- and no longer.

Peers sleep a fixed 1-2 s after every action; most UI reactions are over in tens of
milliseconds, and some take longer than any fixed sleep.  ``ScreenSettler`` watches
instead and returns once the screen has been still for ``quiet`` seconds (or ``cap``
seconds have passed: a video or a spinner never settles).

The numbers come from measurement (``make bench``, Qt form under Xvfb at 1080p): an app's
first visible reaction to a click, key or wheel event came 2-5 ms after it, rarely up to
~30 ms; a caret blinks every 500 ms.  So the still window starts right after the action
(no separate first sleep by default; ``min_wait`` adds one), and 40 ms of stillness is the
floor -- above the 33 ms an animation drawn at 30 fps holds each frame, and above the
slowest reaction seen.  A longer polling ``interval`` lengthens the window to two intervals.
Here is what a settle waits for; how it is watched (the region around where the action
lands, the whole monitor, the still frame handed on) is ``settle_watch``'s.

A slow app is the other half: Mousepad's Save As saves and closes ~0.5 s after Enter, with
nothing drawn before.  Forty still milliseconds would call that settled, the model would
see the dialog unchanged and press Enter again.  So with ``fingerprint`` (the screen's own
fingerprint of a frame, ``MssScreen.fingerprint_of``) an input is settled only once the
still screen no longer looks like the screen before it -- by the repeat guard's own test,
``screens_alike``, so a blinking caret does not count -- or ``cap`` has run out: the guard
can only see "the same screen" again after that wait.  "Before it" is the observation for
a step's first action and the previous action's still frame for the next ones (type a
path, then Enter).  Until the first change the whole monitor is polled every
``first_change_poll`` seconds.  When the screen changes at once (most inputs) this costs
nothing: the still frame's fingerprint comes with its encoding, which ran anyway.

``should_stop`` ends the wait at once (the loop then stops before its next action).
``FixedSettler`` is the naive baseline the benchmarks compare against.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

import mss

from deskhand.actions.settle_watch import Before, SettleStats, Watch
from deskhand.core.actions import Action, AskUser, Finish, RunShell, Wait
from deskhand.core.errors import CaptureFailed
from deskhand.core.geometry import Rect, ScreenGeometry, Size
from deskhand.core.landing import landing_points
from deskhand.core.observation import Observation

__all__ = [
    "MIN_QUIET",
    "Fingerprinter",
    "FixedSettler",
    "FrameHandler",
    "Grab",
    "ScreenSettler",
    "SettleStats",
]

# A still frame: raw BGRA bytes, their pixel size, and the desktop rectangle they show.
FrameHandler = Callable[[bytearray, Size, Rect], None]
# The fingerprint an observation of such a frame would carry (b"" if unknown).
Fingerprinter = Callable[[bytearray, Size, Rect], bytes]


class Grab(Protocol):
    """A full-resolution grab of a monitor (``vision.capture.Frame`` is one)."""

    @property
    def raw(self) -> bytes | bytearray: ...
    @property
    def size(self) -> Size: ...
    @property
    def rect(self) -> Rect: ...


MIN_QUIET = 0.04


def _never() -> bool:
    return False


class ScreenSettler:
    """The ``Settler`` port: wait until the observed monitor has been still for ``quiet``."""

    def __init__(
        self,
        *,
        min_wait: float = 0.0,
        interval: float = 0.005,
        quiet: float | None = None,
        cap: float = 1.5,
        quick_cap: float = 0.25,
        region: int | None = 200,
        on_still: FrameHandler | None = None,
        fingerprint: Fingerprinter | None = None,
        baseline: Callable[[Observation], Grab | None] | None = None,
        first_change_poll: float = 0.02,
        should_stop: Callable[[], bool] | None = None,
        grabber: Callable[[Rect], tuple[bytearray, Size]] | None = None,
    ) -> None:
        if interval <= 0:
            raise ValueError("interval must be positive")
        self.min_wait = min_wait
        self.interval = interval
        self.quiet = max(MIN_QUIET, 2 * interval) if quiet is None else quiet
        self.cap = cap
        self.quick_cap = quick_cap
        self.region = region
        self.on_still = on_still
        self.fingerprint = fingerprint
        self.baseline = baseline
        self.first_change_poll = first_change_poll
        self.should_stop = should_stop or _never
        self.grabber = grabber  # instead of mss: the Wayland portal's stream frames
        self.last: SettleStats | None = None
        self._quiet_given = quiet
        self._local = threading.local()
        self._last: tuple[str, Before] = ("", Before())  # observation id, the screen after its last action

    def options(self) -> dict[str, Any]:
        """The constructor's arguments, to build a variant (benchmarks)."""
        return {"min_wait": self.min_wait, "interval": self.interval, "quiet": self._quiet_given,
                "cap": self.cap, "quick_cap": self.quick_cap, "region": self.region,
                "on_still": self.on_still, "fingerprint": self.fingerprint, "baseline": self.baseline,
                "first_change_poll": self.first_change_poll, "should_stop": self.should_stop,
                "grabber": self.grabber}  # fmt: skip

    def settle(self, action: Action, observation: Observation) -> None:
        """Return once the screen is still (or the cap is reached); never raises for motion."""
        match action:
            case Finish() | AskUser():
                return
            case Wait() | RunShell():
                # The wait itself (or the command's run) gave the screen its time; only
                # check that nothing is still being drawn, e.g. a window the command opened.
                first, cap, before = 0.0, self.quick_cap, Before()
            case _:  # an input: wait for it to show (see the module docstring)
                first, cap = self.min_wait, self.cap
                before = self._last[1] if self._last[0] == observation.id else self._observed(observation)
        geometry = observation.geometry
        watch = Watch(self, geometry.screen_rect, self._watched_region(action, geometry), before)
        self.last = watch.run(first, cap)
        self._last = (observation.id, watch.still)

    def _observed(self, observation: Observation) -> Before:
        grab = self.baseline(observation) if self.baseline is not None else None
        frame = (
            (grab.raw, grab.size)
            if grab is not None and grab.rect == observation.geometry.screen_rect
            else None
        )
        return Before(observation.fingerprint, frame)

    def _watched_region(self, action: Action, geometry: ScreenGeometry) -> Rect | None:
        """The region around where a pointer action landed, clipped to the monitor."""
        points = landing_points(action, geometry)
        if not points or self.region is None:
            return None
        screen, r, half = points[-1], geometry.screen_rect, self.region  # where it lands
        left, top = max(r.x, screen.x - half), max(r.y, screen.y - half)
        right = min(r.x + r.width, screen.x + half)
        bottom = min(r.y + r.height, screen.y + half)
        if right - left >= r.width and bottom - top >= r.height:
            return None  # the region would be the whole monitor anyway
        return Rect(left, top, right - left, bottom - top)

    def grab(self, rect: Rect) -> tuple[bytearray, Size]:
        if self.grabber is not None:
            return self.grabber(rect)
        sct = getattr(self._local, "sct", None)
        if sct is None:
            sct = self._local.sct = mss.MSS()  # one per thread: mss handles are not shareable
        region = {"left": rect.x, "top": rect.y, "width": rect.width, "height": rect.height}
        try:
            shot = sct.grab(region)
        except mss.exception.ScreenShotError as exc:
            raise CaptureFailed(
                f"Tried to watch {tuple(rect)} for the screen to settle, but the grab failed ({exc})."
            ) from exc
        return shot.raw, Size(shot.width, shot.height)

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
