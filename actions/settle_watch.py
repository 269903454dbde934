"""One settle, watched: grabbing the screen after an action until it has been still.

``settle.ScreenSettler`` decides what a settle waits for -- which action, how long at most,
which region, what the screen looked like before -- and hands it to a ``Watch``, which polls
the frames and tells when the screen last changed and whether it settled (``SettleStats``).

What is watched: the region around where the action lands (``region`` pixels each way)
every ``interval`` (5 ms: the settle ends at most that long after the window runs out;
10 ms cost 3 ms more a step, 2.5 ms saved 3 ms at twice the grabs), plus the whole monitor
whenever the region has gone still and again before returning.  A click's effect is often
elsewhere (a dialog in the middle, a status bar); a whole-monitor frame that differs at the
end restarts the wait and the whole monitor is watched from then on.  Frames are compared
as raw bytes: a ``memcmp`` of a 1080p frame is ~0.4 ms, cheaper than any downsampling we
tried, and exact; the region keeps the polling cheap where whole-monitor grabs are dear
(big screens, non-Xvfb servers).  The pointer is not in the grabs.

The last still frame is handed to ``on_still`` as soon as it is taken, before the still
window has run out: the screen (``vision.capture``) encodes it in the background, so the
next observation -- which grabs afresh and uses that encoding only if the screen is still
byte-identical -- costs a grab and a compare instead of a resize and an encode.

Whether the still screen "looks as before" the action is the repeat guard's own test
(``screens_alike`` on the fingerprints), plus, around a pointer action's landing point, the
frame's own pixels (``_crop``): a change there counts even where the fingerprint misses it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from deskhand.core.geometry import Rect, Size
from deskhand.core.repeat_guard import screens_alike

if TYPE_CHECKING:  # the settings a watch reads; settle.py imports this module
    from deskhand.actions.settle import ScreenSettler

__all__ = ["Before", "SettleStats", "Watch"]


@dataclass(frozen=True, slots=True)
class Before:
    """The screen before an action: its fingerprint (empty: don't wait for a first change)
    and, if known, its full-resolution frame of the monitor."""

    fingerprint: bytes = b""
    frame: tuple[bytes | bytearray, Size] | None = None


@dataclass(frozen=True, slots=True)
class SettleStats:
    """How the last settle went, for benchmarks and tests."""

    seconds: float
    grabs: int
    settled: bool  # False: the cap (or Stop) ended it while the screen was still changing
    first_change: float | None = None  # seconds from the action to the first change seen
    unchanged: bool = False  # the cap ran out with the screen looking as before the action


class Watch:
    """One settle: the region and whole-monitor frames, and when the screen last changed.

    ``before`` is the screen before the action; ``still`` the still screen the watch ended
    on (the next action's ``before`` in the same step).
    """

    def __init__(self, settler: ScreenSettler, monitor: Rect, landing: Rect | None, before: Before) -> None:
        self.s, self.monitor, self.landing, self.before = settler, monitor, landing, before
        self.start = time.monotonic()
        self.grabs = 0
        self.first_change: float | None = None
        self.still = Before()

    def _grab(self, rect: Rect) -> tuple[bytearray, Size]:
        self.grabs += 1
        return self.s.grab(rect)

    def run(self, first: float, cap: float) -> SettleStats:
        s = self.s
        watched = self.landing or self.monitor
        previous, _ = self._grab(watched)
        changed_at = self.start  # the action itself is the last known change
        anchor: bytearray | None = None  # the whole monitor, taken once the watch went still
        settled = False
        waiting = False  # still, but looking as before the action: waiting for a first change
        while True:
            time.sleep(s.first_change_poll if waiting else s.interval)
            now = time.monotonic()
            if s.should_stop() or now - self.start >= cap:
                break
            frame, size = self._grab(watched)
            if frame != previous:
                if self.first_change is None:
                    self.first_change = now - self.start
                previous, changed_at, anchor, waiting = frame, now, None, False
                continue
            if waiting:
                continue
            if anchor is None:
                anchor = self._whole(frame, size, watched)
            if now - changed_at < s.quiet or now - self.start < first:
                continue
            whole, size = (frame, size) if watched == self.monitor else self._grab(self.monitor)
            if whole == anchor:
                if self._looks_as_before(whole, size):
                    watched, previous, waiting = self.monitor, whole, True
                    continue
                settled = True
                break
            # Something changed outside the region: watch the whole monitor from now on.
            watched, previous, changed_at, anchor = self.monitor, whole, time.monotonic(), None
        elapsed = time.monotonic() - self.start
        return SettleStats(elapsed, self.grabs, settled or waiting, self.first_change, unchanged=waiting)

    def _looks_as_before(self, still: bytearray, size: Size) -> bool:
        """Whether the still monitor looks to the model as it did before the action, with
        nothing changed around a pointer action's target either."""
        if self.s.fingerprint is None:
            return False
        self.still = Before(self.s.fingerprint(still, size, self.monitor), (still, size))
        if not screens_alike(self.before.fingerprint, self.still.fingerprint):
            return False
        frame = self.before.frame
        if self.landing is None or frame is None or frame[1] != size:
            return True
        return _crop(frame[0], size, self.monitor, self.landing) == _crop(
            still, size, self.monitor, self.landing
        )

    def _whole(self, frame: bytearray, size: Size, watched: Rect) -> bytearray:
        """The whole monitor now (the frame itself when that is what is watched), handed on."""
        if watched != self.monitor:
            frame, size = self._grab(self.monitor)
        if self.s.on_still is not None:
            self.s.on_still(frame, size, self.monitor)
        return frame


def _crop(raw: bytes | bytearray, size: Size, monitor: Rect, region: Rect) -> bytes:
    """The BGRA bytes of ``region`` (screen units) in a grab of ``monitor``."""
    ratio = size.width / monitor.width
    x0, x1 = round((region.x - monitor.x) * ratio), round((region.x + region.width - monitor.x) * ratio)
    y0, y1 = round((region.y - monitor.y) * ratio), round((region.y + region.height - monitor.y) * ratio)
    row = 4 * size.width
    return b"".join(raw[y * row + 4 * x0 : y * row + 4 * x1] for y in range(y0, y1))
