"""Read the words under a point from the screen's own pixels (``tesseract``), as a fallback.

OCR knows nothing about roles or focus, but it reads what is *visibly* on top.  It reads
the full-resolution grab the observation was made from (``frames``, kept by the screen),
never the JPEG sent to the model: that one is downscaled (1080p to 1316x728), and a
normal 9-pt "Send" button there reads as "Ser" -- a risky button judged harmless.  Where
no such grab is kept, the region is grabbed from the screen now, through the
observation's geometry (its monitor rectangle; on HiDPI screens the grab has more pixels
than the rectangle has points, and ``Frame`` keeps that ratio).

A strip around the point is cut out, enlarged to ~2.5x a 96-DPI rendering, read with
``tesseract`` (one process per lookup, ~0.3-0.8 s here), the words grouped into phrases
("Delete account"), and the phrase under -- or else nearest to -- the point wins.  Words
tesseract finds but cannot read with confidence are kept apart: when such a word is what
lies under the point, the answer is ``UNREADABLE_ROLE`` (the policy then asks), rather
than the readable label next to it or nothing.

``prepare`` (called as the model is asked) schedules a read of the *whole* grab in a helper
thread, started only if the model has not answered within ``prefetch_after`` seconds: a
local VLM takes seconds per step, so by then the words are known.  That read is coarser
(a pixel budget), so it is trusted only for a readable phrase under the point; for
anything else the strip is read, as it is when the model answers quickly.

Keyboard focus is not visible to OCR; for typing, the field last clicked stands in for it.
No ``tesseract`` on the PATH, or a point on another monitor, give ``None``.  Windows and
macOS use this same path (they have no AT-SPI).
"""

from __future__ import annotations

import io
import logging
import math
import os
import shutil
import subprocess
from collections.abc import Callable

from PIL import Image, ImageDraw, ImageFont, ImageOps

from deskhand.core.element_info import UNREADABLE_ROLE, ElementInfo
from deskhand.core.errors import CaptureFailed
from deskhand.core.geometry import Rect, ScreenPoint
from deskhand.core.observation import Observation
from deskhand.vision.capture import Frame, grab_frame
from deskhand.vision.imaging import from_bgra
from deskhand.vision.inspect.prefetch import Prefetch
from deskhand.vision.inspect.words import Phrase, phrases, words_of

__all__ = ["FrameSource", "OcrInspector"]

log = logging.getLogger(__name__)

FrameSource = Callable[[Observation], Frame | None]
STRIP_ZOOM = 2.5  # text read at ~2.5x its size on a 96-DPI screen


class OcrInspector:
    """The phrase of text at (or nearest to) a point of the screen."""

    def __init__(
        self,
        *,
        frames: FrameSource | None = None,
        tesseract: str | None = None,
        half_width: int = 240,  # screen pixels around the point
        half_height: int = 40,
        reach: int = 60,  # how far (screen pixels, vertical ones x3) from the point a phrase may be
        timeout: float = 4.0,
        language: str = "eng",
        prefetch_after: float | None = 0.3,  # None: never read the whole screen ahead
        prefetch_pixels: int = 6_000_000,  # the most pixels a whole-screen read may enlarge to
    ) -> None:
        self.frames = frames
        self.tesseract = tesseract
        self.half_width = half_width
        self.half_height = half_height
        self.reach = reach
        self.timeout = timeout
        self.language = language
        self.prefetch_after = prefetch_after
        self.prefetch_pixels = prefetch_pixels
        self._cache: dict[tuple[str, int, int], Phrase | None] = {}
        self._cache_id = ""
        self._prefetch: Prefetch[list[Phrase] | None] | None = None
        self._clicked: ScreenPoint | None = None  # stands in for keyboard focus

    def prepare(self, observation: Observation) -> None:
        """Read the whole screen in the background if the model is slow to answer."""
        if self._prefetch is not None:
            self._prefetch.cancel()
        self._prefetch = None
        if self.prefetch_after is not None:
            self._prefetch = Prefetch(observation, self.prefetch_after, self._read_whole)

    def inspect(self, point: ScreenPoint, observation: Observation) -> ElementInfo | None:
        self._clicked = point
        found = self._phrase_at(point, observation)
        return _element_info(found) if found is not None else None

    def read_ahead(self, point: ScreenPoint, observation: Observation) -> ElementInfo | None:
        """What the finished read-ahead found at ``point`` -- no OCR run now (``None`` if the
        read is not done): a free second opinion after the accessibility tree answered."""
        if not self.read_ahead_done(observation) or self._prefetch is None:
            return None
        found = self._nearest(self._prefetch.take(0) or [], point)
        return _element_info(found) if found is not None else None

    def focused(self, observation: Observation) -> ElementInfo | None:
        """The words at the field last clicked -- focus is not visible in pixels, and typing
        usually goes where the last click went.  Only readable words (a "Password" label)."""
        point = self._clicked
        if point is None:
            return None
        found = self._phrase_at(point, observation)
        return ElementInfo(found.text, "text", "ocr", found.bounds()) if found and found.readable else None

    def version(self) -> str | None:
        """The tesseract version this inspector would run, or ``None`` if it cannot run one."""
        exe = self.tesseract or shutil.which("tesseract")
        if exe is None:
            return None
        try:
            done = subprocess.run(  # noqa: S603 (fixed argv)
                [exe, "--version"], capture_output=True, text=True, timeout=self.timeout, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        first = (done.stdout or done.stderr).strip().splitlines()
        return first[0] if done.returncode == 0 and first else None

    def reads_labels(self) -> bool:
        """Whether a 9-pt button label ("Send" at 12 px) drawn here is read back correctly."""
        image = Image.new("L", (2 * self.half_width, 2 * self.half_height), 235)  # a strip, as read
        ImageDraw.Draw(image).text(
            (self.half_width - 14, self.half_height - 7), "Send", fill=20, font=ImageFont.load_default(12)
        )
        found = self._read(image, Rect(0, 0, image.width, image.height), 1.0, STRIP_ZOOM) or []
        return any(p.readable and p.text.casefold() == "send" for p in found)

    def read_ahead_done(self, observation: Observation) -> bool:
        """Whether the whole screen has been read, so a lookup may cost no OCR."""
        prefetch = self._prefetch
        return prefetch is not None and prefetch.observation_id == observation.id and prefetch.done

    def _phrase_at(self, point: ScreenPoint, observation: Observation) -> Phrase | None:
        if observation.id != self._cache_id:
            self._cache, self._cache_id = {}, observation.id
        key = (observation.id, point.x, point.y)
        if key not in self._cache:
            self._cache[key] = self._look_up(point, observation)
        return self._cache[key]

    def _look_up(self, point: ScreenPoint, observation: Observation) -> Phrase | None:
        if not observation.geometry.screen_rect.contains(point.x, point.y):
            return None
        if self.read_ahead_done(observation) and self._prefetch is not None:
            ahead = self._nearest(self._prefetch.take(0) or [], point)
            if ahead is not None and ahead.readable and ahead.distance(point.x, point.y) == 0:
                return ahead
        return self._nearest(self._read_strip(point, observation) or [], point)

    def _nearest(self, found: list[Phrase], point: ScreenPoint) -> Phrase | None:
        """What is under the point, else the nearest phrase within ``reach``.

        Distances count three times vertically: a click on a wide button's edge is beside
        its label, on the same line, while the label above belongs to something else.
        """
        if not found:
            return None
        best = min(found, key=lambda p: (p.distance(point.x, point.y, 3.0), not p.readable))
        return best if best.distance(point.x, point.y, 3.0) <= self.reach else None

    def _read_strip(self, point: ScreenPoint, observation: Observation) -> list[Phrase] | None:
        """Phrases (in screen coordinates) of a strip around ``point``."""
        r = observation.geometry.screen_rect
        left, top = max(r.x, point.x - self.half_width), max(r.y, point.y - self.half_height)
        right = min(r.x + r.width, point.x + self.half_width + 1)
        bottom = min(r.y + r.height, point.y + self.half_height + 1)
        pixels = self._pixels(observation, Rect(left, top, right - left, bottom - top))
        if pixels is None:
            return None
        image, rect, ratio = pixels
        return self._read(image, rect, ratio, max(1.0, STRIP_ZOOM / ratio))

    def _read_whole(self, observation: Observation) -> list[Phrase] | None:
        """Phrases of the whole monitor, enlarged as far as ``prefetch_pixels`` allows."""
        pixels = self._pixels(observation, observation.geometry.screen_rect)
        if pixels is None:
            return None
        image, rect, ratio = pixels
        budget = math.sqrt(self.prefetch_pixels / (image.width * image.height))
        return self._read(image, rect, ratio, max(1.0, min(STRIP_ZOOM / ratio, budget)))

    def _pixels(self, observation: Observation, rect: Rect) -> tuple[Image.Image, Rect, float] | None:
        """``rect`` of the screen in grey at full resolution, with pixels per screen unit:
        from the observation's own grab if the screen kept it, else grabbed now."""
        frame = self.frames(observation) if self.frames is not None else None
        if frame is None or frame.rect != observation.geometry.screen_rect:
            try:
                frame = grab_frame(rect)
            except CaptureFailed as exc:
                log.info("cannot grab the screen for OCR: %s", exc)
                return None
        ratio = frame.size.width / frame.rect.width
        image = from_bgra(frame.raw, frame.size)
        box = (
            round((rect.x - frame.rect.x) * ratio),
            round((rect.y - frame.rect.y) * ratio),
            round((rect.x + rect.width - frame.rect.x) * ratio),
            round((rect.y + rect.height - frame.rect.y) * ratio),
        )
        return image.crop(box).convert("L"), rect, ratio

    def _read(self, image: Image.Image, rect: Rect, ratio: float, zoom: float) -> list[Phrase] | None:
        """Phrases of ``image`` (showing ``rect`` at ``ratio`` pixels per unit), in screen units."""
        exe = self.tesseract or shutil.which("tesseract")
        if exe is None:
            return None
        crop = ImageOps.autocontrast(image)
        crop = crop.resize(
            (max(1, round(crop.width * zoom)), max(1, round(crop.height * zoom))), Image.Resampling.LANCZOS
        )
        tsv = self._ocr(exe, crop)
        if tsv is None:
            return None
        scale = 1 / (zoom * ratio)
        found = (p.scaled(scale, rect.x, rect.y) for p in phrases(words_of(tsv)))
        return [p for p in found if p.readable or p.looks_like_text()]

    def _ocr(self, exe: str, crop: Image.Image) -> str | None:
        buffer = io.BytesIO()
        crop.save(buffer, "PNG")
        # --psm 11: sparse text -- a UI is scattered labels, not a page of paragraphs.
        command = [exe, "stdin", "stdout", "-l", self.language, "--psm", "11", "tsv"]
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # one small image: threads only cost start-up time
        try:
            done = subprocess.run(  # noqa: S603 (fixed argv, our own PNG on stdin)
                command,
                input=buffer.getvalue(),
                capture_output=True,
                timeout=self.timeout,
                env=env,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            log.info("tesseract failed: %s", exc)
            return None
        if done.returncode != 0:
            log.info("tesseract failed: %s", done.stderr.decode(errors="replace").strip()[:200])
            return None
        return done.stdout.decode("utf-8", errors="replace")


def _element_info(found: Phrase) -> ElementInfo:
    if not found.readable:
        return ElementInfo("", UNREADABLE_ROLE, "ocr", found.bounds())
    return ElementInfo(found.text, "text", "ocr", found.bounds())
