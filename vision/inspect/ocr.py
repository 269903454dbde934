"""Read the words under a point from the screenshot itself (``tesseract``), as a fallback.

OCR knows nothing about roles or focus, but it reads what is *visibly* on top, from the
same picture the model decided on: ``observation.image`` is the JPEG sent to the model,
and ``observation.geometry`` maps the screen point into it.  A strip around the point is
cut out, enlarged (screenshots are downscaled for the model; small text needs pixels),
read with ``tesseract`` (one process per lookup, ~0.3-0.8 s here), the words grouped into
phrases ("Delete account"), and the phrase under -- or else nearest to -- the point wins.

That lookup would sit between the model's answer and the click.  So ``prepare`` (called as
the model is asked) schedules a read of the *whole* screenshot in a helper thread, started
only if the model has not answered within ``prefetch_after`` seconds: a local VLM takes
seconds per step, a full read ~1 s, so by the time it answers the words are known and the
lookup is instant.  A model faster than that gets the strip read, as without ``prepare``.

No ``tesseract`` on the PATH, an empty image, or a point on another monitor give ``None``.
Works the same on Windows and macOS when tesseract is installed.
"""

from __future__ import annotations

import io
import logging
import math
import os
import shutil
import subprocess
from dataclasses import dataclass

from PIL import Image, ImageOps

from deskhand.core.geometry import ImagePoint, Rect, ScreenPoint
from deskhand.core.observation import Observation
from deskhand.core.target import TargetInfo
from deskhand.vision.inspect.prefetch import Prefetch

__all__ = ["OcrInspector"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Word:
    text: str
    left: float
    top: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class _Phrase:
    text: str
    left: float
    top: float
    right: float
    bottom: float

    def scaled(self, factor: float, dx: float, dy: float) -> _Phrase:
        """The phrase in the frame it was cut from (undo the enlargement, add the offset)."""
        return _Phrase(
            self.text,
            dx + self.left * factor,
            dy + self.top * factor,
            dx + self.right * factor,
            dy + self.bottom * factor,
        )

    def distance(self, x: float, y: float) -> float:
        dx = max(self.left - x, 0.0, x - self.right)
        dy = max(self.top - y, 0.0, y - self.bottom)
        return math.hypot(dx, dy)


class OcrInspector:
    """The phrase of text at (or nearest to) a point of the screenshot."""

    def __init__(
        self,
        *,
        tesseract: str | None = None,
        half_width: int = 240,  # screen pixels around the point
        half_height: int = 40,
        reach: int = 30,  # how far (screen pixels) from the point a phrase may be
        timeout: float = 4.0,
        language: str = "eng",
        prefetch_after: float | None = 0.3,  # None: never read the whole screenshot ahead
        prefetch_pixels: int = 4_000_000,  # the most pixels a whole-screenshot read may enlarge to
    ) -> None:
        self.tesseract = tesseract
        self.half_width = half_width
        self.half_height = half_height
        self.reach = reach
        self.timeout = timeout
        self.language = language
        self.prefetch_after = prefetch_after
        self.prefetch_pixels = prefetch_pixels
        self._cache: dict[tuple[str, int, int], TargetInfo | None] = {}
        self._cache_id = ""
        self._prefetch: Prefetch[list[_Phrase] | None] | None = None

    def prepare(self, observation: Observation) -> None:
        """Read the whole screenshot in the background if the model is slow to answer."""
        if self._prefetch is not None:
            self._prefetch.cancel()
        self._prefetch = None
        if self.prefetch_after is not None and observation.image:
            self._prefetch = Prefetch(observation, self.prefetch_after, self._read_whole)

    def inspect(self, point: ScreenPoint, observation: Observation) -> TargetInfo | None:
        if observation.id != self._cache_id:
            self._cache, self._cache_id = {}, observation.id
        key = (observation.id, point.x, point.y)
        if key not in self._cache:
            self._cache[key] = self._look_up(point, observation)
        return self._cache[key]

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

    def read_ahead_done(self, observation: Observation) -> bool:
        """Whether the whole screenshot has been read, so a lookup costs no OCR."""
        prefetch = self._prefetch
        return prefetch is not None and prefetch.observation_id == observation.id and prefetch.done

    def focused(self, observation: Observation) -> TargetInfo | None:
        return None  # pixels do not show keyboard focus reliably

    def _look_up(self, point: ScreenPoint, observation: Observation) -> TargetInfo | None:
        at = observation.geometry.to_image(point)
        if at is None:
            return None
        prefetch = self._prefetch
        phrases = (
            prefetch.take(self.timeout) if prefetch and prefetch.observation_id == observation.id else None
        )
        if phrases is None:
            phrases = self._read_strip(at, observation)
        if not phrases:
            return None
        per_screen = observation.geometry.image_size.width / observation.geometry.screen_rect.width
        best = min(phrases, key=lambda p: p.distance(at.x, at.y))
        if best.distance(at.x, at.y) > self.reach * per_screen:
            return None
        to_screen = observation.geometry.to_screen
        top_left = to_screen(ImagePoint(x=max(0.0, best.left), y=max(0.0, best.top)))
        bottom_right = to_screen(ImagePoint(x=best.right, y=best.bottom))
        bounds = Rect(
            top_left.x, top_left.y, max(1, bottom_right.x - top_left.x), max(1, bottom_right.y - top_left.y)
        )
        return TargetInfo(best.text, "text", "ocr", bounds)

    def _read_strip(self, at: ImagePoint, observation: Observation) -> list[_Phrase] | None:
        """Phrases (in image pixels) of a strip around ``at``, enlarged for small text."""
        image = _grey(observation)
        if image is None:
            return None
        per_screen = observation.geometry.image_size.width / observation.geometry.screen_rect.width
        box = (
            max(0, int(at.x - self.half_width * per_screen)),
            max(0, int(at.y - self.half_height * per_screen)),
            min(image.width, int(at.x + self.half_width * per_screen) + 1),
            min(image.height, int(at.y + self.half_height * per_screen) + 1),
        )
        return self._read_box(image, box, max(1.0, 2.5 / per_screen))  # text at ~2.5x on-screen size

    def _read_whole(self, observation: Observation) -> list[_Phrase] | None:
        """Phrases of the whole screenshot, enlarged as far as ``prefetch_pixels`` allows."""
        image = _grey(observation)
        if image is None:
            return None
        per_screen = observation.geometry.image_size.width / observation.geometry.screen_rect.width
        zoom = min(2.0 / per_screen, math.sqrt(self.prefetch_pixels / (image.width * image.height)))
        return self._read_box(image, (0, 0, image.width, image.height), max(1.0, zoom))

    def _read_box(
        self, image: Image.Image, box: tuple[int, int, int, int], zoom: float
    ) -> list[_Phrase] | None:
        exe = self.tesseract or shutil.which("tesseract")
        if exe is None:
            return None
        crop = ImageOps.autocontrast(image.crop(box))
        crop = crop.resize(
            (max(1, round(crop.width * zoom)), max(1, round(crop.height * zoom))), Image.Resampling.LANCZOS
        )
        words = self._ocr(exe, crop)
        if words is None:
            return None
        return [p.scaled(1 / zoom, box[0], box[1]) for p in _phrases(words)]

    def _ocr(self, exe: str, crop: Image.Image) -> list[_Word] | None:
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
        return _words(done.stdout.decode("utf-8", errors="replace"))


def _words(tsv: str) -> list[_Word]:
    words = []
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5" or not cells[11].strip():
            continue
        try:
            confidence = float(cells[10])
            left, top, width, height = (float(c) for c in cells[6:10])
        except ValueError:
            continue
        if confidence >= 40:
            words.append(_Word(cells[11].strip(), left, top, width, height))
    return words


def _phrases(words: list[_Word]) -> list[_Phrase]:
    """Words side by side (same height band) with gaps about a space wide form a phrase.

    Grouped by position, not by tesseract's line numbers: in sparse mode it may put each
    word of "Delete account" in a block of its own.
    """
    lines: list[list[_Word]] = []
    for word in sorted(words, key=lambda w: w.top + w.height / 2):
        centre = word.top + word.height / 2
        line = lines[-1] if lines else None
        if (
            line
            and abs(centre - (line[-1].top + line[-1].height / 2)) < max(line[-1].height, word.height) / 2
        ):
            line.append(word)
        else:
            lines.append([word])
    phrases: list[_Phrase] = []
    for line in lines:
        current: list[_Word] = []
        for word in sorted(line, key=lambda w: w.left):
            if current:
                last = current[-1]
                if word.left - (last.left + last.width) > 1.2 * max(last.height, word.height):
                    phrases.append(_join(current))
                    current = []
            current.append(word)
        phrases.append(_join(current))
    return phrases


def _join(words: list[_Word]) -> _Phrase:
    return _Phrase(
        " ".join(w.text for w in words),
        min(w.left for w in words),
        min(w.top for w in words),
        max(w.left + w.width for w in words),
        max(w.top + w.height for w in words),
    )


def _grey(observation: Observation) -> Image.Image | None:
    if not observation.image:
        return None
    try:
        return Image.open(io.BytesIO(observation.image)).convert("L")
    except (OSError, ValueError) as exc:
        log.info("cannot read the screenshot for OCR: %s", exc)
        return None
