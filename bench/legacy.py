"""The parts as they were before the latency work, kept here to measure against.

``PreviousSettler`` is ``actions.settle.ScreenSettler`` as of commit a447a5c: sleep 30 ms,
then grab the whole monitor every 20 ms until three grabs in a row are identical.
``PreviousScreen`` encodes on the critical path from a copied buffer (``shot.bgra``).
"""

from __future__ import annotations

import itertools
import time

import mss
from mss.screenshot import ScreenShot

from deskhand.core.actions import Action, AskUser, Finish, RunShell, Wait
from deskhand.core.geometry import Grid, Rect, ScreenGeometry, Size
from deskhand.core.observation import Observation
from deskhand.vision.imaging import JPEG_QUALITY, encode_jpeg, from_bgra, grid_size, resize_to


class PreviousSettler:
    def __init__(self, *, min_wait: float = 0.03, interval: float = 0.02, stable_frames: int = 3,
                 cap: float = 1.5, quick_cap: float = 0.25) -> None:  # fmt: skip
        self.min_wait, self.interval, self.stable_frames = min_wait, interval, stable_frames
        self.cap, self.quick_cap = cap, quick_cap
        self._sct = mss.MSS()

    def settle(self, action: Action, observation: Observation) -> None:
        start = time.monotonic()
        match action:
            case Finish() | AskUser():
                return
            case Wait() | RunShell():
                first, cap = 0.0, self.quick_cap
            case _:
                first, cap = self.min_wait, self.cap
        time.sleep(first)
        r = observation.geometry.screen_rect
        region = {"left": r.x, "top": r.y, "width": r.width, "height": r.height}
        previous, same = self._sct.grab(region).raw, 1
        while same < self.stable_frames and time.monotonic() - start < cap:
            time.sleep(self.interval)
            frame = self._sct.grab(region).raw
            same = same + 1 if frame == previous else 1
            previous = frame

    def close(self) -> None:
        self._sct.close()


class GrabbedScreen:
    """A ``Screen`` for the bench's other ways of taking a screenshot: grab the whole
    monitor, ``encode`` the shot, and time both.  A subclass says how it encodes (the
    bytes and the image size) and what its observation ids start with (``prefix``)."""

    prefix: str
    mime: str

    def __init__(self, monitor: Rect) -> None:
        self.monitor = monitor
        self._sct = mss.MSS()
        self._ids = itertools.count(1)

    def encode(self, shot: ScreenShot) -> tuple[bytes, Size]:
        raise NotImplementedError

    def observe(self) -> Observation:
        m = self.monitor
        start = time.perf_counter()
        shot = self._sct.grab({"left": m.x, "top": m.y, "width": m.width, "height": m.height})
        grabbed = time.perf_counter()
        data, size = self.encode(shot)
        done = time.perf_counter()
        geometry = ScreenGeometry(image_size=size, screen_rect=m)
        return Observation(f"{self.prefix}-{next(self._ids):04d}", data, self.mime, geometry,
                           (grabbed - start) * 1000, (done - grabbed) * 1000)  # fmt: skip

    def close(self) -> None:
        self._sct.close()


class PreviousScreen(GrabbedScreen):
    prefix, mime = "prev", "image/jpeg"

    def __init__(self, monitor: Rect, grid: Grid) -> None:
        super().__init__(monitor)
        self.grid = grid

    def encode(self, shot: ScreenShot) -> tuple[bytes, Size]:
        raw_size = Size(shot.width, shot.height)
        image = resize_to(from_bgra(shot.bgra, raw_size), grid_size(raw_size, self.grid))
        return encode_jpeg(image, JPEG_QUALITY), Size(*image.size)
