"""Screenshots with mss, resized onto the model's grid and JPEG-encoded.

One ``MssScreen`` serves one task: the monitor is chosen once (``--monitor N``, else the
one holding the focused window, else the primary), so the model's coordinate frame does
not jump between monitors mid-task.  Each observation records the monitor rectangle and
the image size it produced; that pair is how actions find their way back to the screen.
"""

from __future__ import annotations

import itertools
import threading
import time
import uuid

import mss

from deskhand.core.errors import CaptureFailed, UsageError
from deskhand.core.geometry import Grid, Rect, ScreenGeometry, Size
from deskhand.core.observation import Observation
from deskhand.vision.focus import focused_window_rect, monitor_for
from deskhand.vision.imaging import JPEG_QUALITY, encode_jpeg, from_bgra, grid_size, resize_to


def list_monitors() -> list[Rect]:
    """Physical monitors in mss order (``--monitor 1`` is the first); raises CaptureFailed."""
    try:
        with mss.MSS() as sct:
            return [Rect(m["left"], m["top"], m["width"], m["height"]) for m in sct.monitors[1:]]
    except mss.exception.ScreenShotError as exc:
        raise CaptureFailed(
            f"Tried to list the monitors, but the screen could not be opened ({exc}). "
            "Run Deskhand inside a graphical session (check DISPLAY / WAYLAND_DISPLAY)."
        ) from exc


def choose_monitor(number: int | None) -> Rect:
    """``number`` as the user gave it (1-based; 0 = all monitors together), or the focused one."""
    monitors = list_monitors()
    if not monitors:
        raise CaptureFailed("Tried to find a monitor to watch, but the display reports none.")
    if number is None:
        return monitors[monitor_for(focused_window_rect(), monitors)]
    if number == 0:
        left = min(m.x for m in monitors)
        top = min(m.y for m in monitors)
        right = max(m.x + m.width for m in monitors)
        bottom = max(m.y + m.height for m in monitors)
        return Rect(left, top, right - left, bottom - top)
    if not 1 <= number <= len(monitors):
        raise UsageError(
            f"--monitor {number} does not exist; this display has monitors 1 to {len(monitors)} (0 = all)."
        )
    return monitors[number - 1]


class MssScreen:
    """The ``Screen`` port: grab one monitor, resize to the grid, encode as JPEG."""

    def __init__(self, monitor: Rect, grid: Grid, *, jpeg_quality: int = JPEG_QUALITY) -> None:
        self.monitor = monitor
        self.grid = grid
        self.jpeg_quality = jpeg_quality
        self._local = threading.local()
        self._ids = itertools.count(1)
        self._task = uuid.uuid4().hex[:8]

    def _sct(self) -> mss.base.MSSBase:
        sct = getattr(self._local, "sct", None)
        if sct is None:
            sct = self._local.sct = mss.MSS()
        return sct

    def observe(self) -> Observation:
        m = self.monitor
        start = time.perf_counter()
        try:
            shot = self._sct().grab({"left": m.x, "top": m.y, "width": m.width, "height": m.height})
        except mss.exception.ScreenShotError as exc:
            raise CaptureFailed(f"Tried to capture monitor {m}, but the grab failed ({exc}).") from exc
        grabbed = time.perf_counter()
        raw_size = Size(shot.width, shot.height)
        image = resize_to(from_bgra(shot.bgra, raw_size), grid_size(raw_size, self.grid))
        data = encode_jpeg(image, self.jpeg_quality)
        done = time.perf_counter()
        geometry = ScreenGeometry(
            image_size=Size(*image.size), screen_rect=m, pixel_ratio=shot.width / m.width
        )
        return Observation(
            id=f"{self._task}-{next(self._ids):04d}",
            image=data,
            mime="image/jpeg",
            geometry=geometry,
            capture_ms=(grabbed - start) * 1000.0,
            encode_ms=(done - grabbed) * 1000.0,
        )

    def close(self) -> None:
        sct = getattr(self._local, "sct", None)
        if sct is not None:
            sct.close()
            self._local.sct = None
