"""Screenshots with mss, resized onto the model's grid and JPEG-encoded.

One ``MssScreen`` serves one task: the monitor is chosen once (``--monitor N``, else the
one holding the focused window, else the primary), so the model's coordinate frame does
not jump between monitors mid-task.  Each observation records the monitor rectangle and
the image size it produced; that pair is how actions find their way back to the screen.

Resizing and encoding a 1080p grab costs ~25-40 ms, the grab itself ~1.5 ms.  So the
settler hands over each frame it believes still (``prepare``) and a helper thread encodes
it while the settler's still window runs out.  ``observe`` always grabs afresh and uses
that encoding only if the new grab is byte-identical to the prepared frame: the picture
the model gets is never older than the observation, whoever else (our own windows being
hidden, say) changed the screen in between -- a mismatch just means encoding it now.

The full-resolution grab behind the latest observation is kept (``frame``): the risk
policy's OCR reads labels from those pixels, not from the downscaled JPEG; the settler
asks ``fingerprint_of`` a still frame to tell whether an action changed what the model sees.
"""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import mss

from deskhand.core.errors import CaptureFailed, UsageError
from deskhand.core.geometry import Grid, Rect, ScreenGeometry, Size
from deskhand.core.observation import Observation
from deskhand.vision.focus import focused_window_rect, monitor_for
from deskhand.vision.imaging import JPEG_QUALITY, encode_jpeg, fingerprint, from_bgra, grid_size, resize_to

__all__ = ["Frame", "Grabber", "MssScreen", "choose_monitor", "grab_frame", "list_monitors"]

# A rectangle of the desktop as BGRA bytes and their pixel size (mss by default; the
# Wayland portal's stream frames on Wayland, ``deskhand.vision.portal``).
Grabber = Callable[[Rect], tuple[bytes | bytearray, Size]]


@dataclass(frozen=True, slots=True)
class Frame:
    """A grab at the screen's own resolution: BGRA bytes, their pixel size, and the desktop
    rectangle (input units) they show.  ``size.width / rect.width`` is the HiDPI ratio."""

    raw: bytes | bytearray
    size: Size
    rect: Rect


def grab_frame(rect: Rect) -> Frame:
    """``rect`` of the desktop as it is now, at full resolution; raises CaptureFailed."""
    try:
        with mss.MSS() as sct:
            shot = sct.grab({"left": rect.x, "top": rect.y, "width": rect.width, "height": rect.height})
    except mss.exception.ScreenShotError as exc:
        raise CaptureFailed(f"Tried to capture {tuple(rect)}, but the grab failed ({exc}).") from exc
    return Frame(shot.raw, Size(shot.width, shot.height), rect)


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


@dataclass(frozen=True, slots=True)
class _Encoded:
    data: bytes
    size: Size
    fingerprint: bytes


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A frame handed over by the settler, and its encoding (running or done)."""

    raw: bytearray
    size: Size
    encoded: Future[_Encoded]


class MssScreen:
    """The ``Screen`` port: grab one monitor, resize to the grid, encode as JPEG."""

    def __init__(
        self,
        monitor: Rect,
        grid: Grid,
        *,
        jpeg_quality: int = JPEG_QUALITY,
        pre_encode: bool = True,
        grab: Grabber | None = None,
    ) -> None:
        self.monitor = monitor
        self._grab = grab
        self.grid = grid
        self.jpeg_quality = jpeg_quality
        self.pre_encode = pre_encode
        self.reused = 0  # observations served from a prepared encoding (for benchmarks)
        self._local = threading.local()
        self._ids = itertools.count(1)
        self._task = uuid.uuid4().hex[:8]
        self._lock = threading.Lock()
        self._prepared: _Prepared | None = None
        self._encoder: ThreadPoolExecutor | None = None
        self._frame: tuple[str, Frame] | None = None  # the latest observation's full-res grab

    def _sct(self) -> mss.base.MSSBase:
        sct = getattr(self._local, "sct", None)
        if sct is None:
            sct = self._local.sct = mss.MSS()
        return sct

    def prepare(self, raw: bytearray, size: Size, rect: Rect) -> None:
        """Encode a (probably final) frame of this monitor in the background; see the module doc."""
        if not self.pre_encode or rect != self.monitor:
            return
        with self._lock:
            if self._encoder is None:
                self._encoder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="deskhand-encode")
            if self._prepared is not None:
                self._prepared.encoded.cancel()  # superseded; a no-op once it has started
            self._prepared = _Prepared(raw, size, self._encoder.submit(self._encode, raw, size))

    def observe(self) -> Observation:
        m = self.monitor
        start = time.perf_counter()
        raw, raw_size = self._grab(m) if self._grab is not None else self._grab_mss(m)
        grabbed = time.perf_counter()
        with self._lock:
            prepared, self._prepared = self._prepared, None
        if prepared is not None and prepared.size == raw_size and prepared.raw == raw:
            encoded = prepared.encoded.result()
            self.reused += 1
        else:
            encoded = self._encode(raw, raw_size)
        done = time.perf_counter()
        geometry = ScreenGeometry(
            image_size=encoded.size, screen_rect=m, pixel_ratio=raw_size.width / m.width
        )
        observation_id = f"{self._task}-{next(self._ids):04d}"
        self._frame = (observation_id, Frame(raw, raw_size, m))
        return Observation(
            id=observation_id,
            image=encoded.data,
            mime="image/jpeg",
            geometry=geometry,
            capture_ms=(grabbed - start) * 1000.0,
            encode_ms=(done - grabbed) * 1000.0,
            fingerprint=encoded.fingerprint,
        )

    def _grab_mss(self, m: Rect) -> tuple[bytes | bytearray, Size]:
        try:
            shot = self._sct().grab({"left": m.x, "top": m.y, "width": m.width, "height": m.height})
        except mss.exception.ScreenShotError as exc:
            raise CaptureFailed(f"Tried to capture monitor {m}, but the grab failed ({exc}).") from exc
        return shot.raw, Size(shot.width, shot.height)

    def frame(self, observation: Observation) -> Frame | None:
        """The full-resolution grab ``observation`` was made from, if it is the latest one."""
        kept = self._frame
        return kept[1] if kept is not None and kept[0] == observation.id else None

    def fingerprint_of(self, raw: bytearray, size: Size, rect: Rect) -> bytes:
        """The fingerprint an observation of this grab would carry (empty for another rect):
        what the settler compares, with the repeat guard's ``screens_alike``, to tell whether
        an action changed anything the model would see.

        The settler asks about the frame it just handed to ``prepare``, whose encoding (and
        fingerprint) is under way already; any other frame is fingerprinted here.
        """
        if rect != self.monitor:
            return b""
        with self._lock:
            prepared = self._prepared
        if (
            prepared is not None
            and not prepared.encoded.cancelled()
            and prepared.size == size
            and prepared.raw == raw
        ):
            return prepared.encoded.result().fingerprint
        return fingerprint(resize_to(from_bgra(raw, size), grid_size(size, self.grid)))

    def _encode(self, raw: bytes | bytearray, raw_size: Size) -> _Encoded:
        image = resize_to(from_bgra(raw, raw_size), grid_size(raw_size, self.grid))
        return _Encoded(encode_jpeg(image, self.jpeg_quality), Size(*image.size), fingerprint(image))

    def close(self) -> None:
        sct = getattr(self._local, "sct", None)
        if sct is not None:
            sct.close()
            self._local.sct = None
        with self._lock:
            encoder, self._encoder, self._prepared, self._frame = self._encoder, None, None, None
        if encoder is not None:
            encoder.shutdown(wait=True, cancel_futures=True)
