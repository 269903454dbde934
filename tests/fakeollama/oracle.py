"""Find a text label in a screenshot with the ``tesseract`` CLI, the way a person would.

The image is turned grey and upscaled (3x, or 2x for big screens) before OCR, since small UI
fonts read badly at 1x.  No single preparation reads every screen (a dark desktop around a
small window, an isolated word, mixed themes defeat one or another), so several passes run
(``_PASSES``) until one finds the target exactly.  Tesseract's TSV output gives word boxes
grouped in lines; a target of one or more words matches consecutive words of one line.
Matches are ranked: exact words, then case/punctuation-insensitive words, then words
tesseract split or merged differently, then (targets of 4+ letters) a substring of a line.
The best rank wins; among equals the ``index``-th in reading order.  Nothing is ever
guessed: no match means ``None``.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageFilter, ImageOps

_PUNCT = ".,:;!?\"'()[]{}<>…«»“”‘’*|"
# (image variant, page segmentation mode).  "flat" first paints large areas of the dominant
# colour white: a big dark desktop around small windows defeats tesseract's page layout.
# Then plain grey / Otsu-binarised, sparse text or a block; then local contrast, for mixed
# themes (dark text on a light button on a dark window, ...): "local-dark" keeps pixels much
# darker than their neighbourhood, "local-light" the reverse.
_PASSES = (
    ("flat", 11),
    ("otsu", 11),
    ("grey", 11),
    ("grey", 6),
    ("otsu", 6),
    ("inverted", 11),
    ("local-light", 11),
    ("local-dark", 11),
)
_LOCAL_CONTRAST = {"local-dark": 60, "local-light": 40}


@dataclass(frozen=True, slots=True)
class Box:
    """A box in pixels of the image that was searched."""

    left: float
    top: float
    width: float
    height: float

    @property
    def centre(self) -> tuple[float, float]:
        return (self.left + self.width / 2, self.top + self.height / 2)

    def union(self, other: Box) -> Box:
        left, top = min(self.left, other.left), min(self.top, other.top)
        right = max(self.left + self.width, other.left + other.width)
        bottom = max(self.top + self.height, other.top + other.height)
        return Box(left, top, right - left, bottom - top)


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    box: Box
    line: tuple[int, int, int]


class OcrFailed(RuntimeError):
    """Tesseract could not be run on the image."""


_cache: dict[tuple[str, str, int], list[Word]] = {}
_cache_lock = threading.Lock()


def _norm(word: str) -> str:
    return word.strip(_PUNCT).lower()


def _otsu(grey: Image.Image) -> int:
    """The grey level that best splits the histogram in two (Otsu's method)."""
    hist = grey.histogram()[:256]
    total = sum(hist)
    sum_all = sum(i * h for i, h in enumerate(hist))
    best, level, weight, sum_low = -1.0, 128, 0, 0.0
    for i, h in enumerate(hist):
        weight += h
        if weight == 0 or weight == total:
            continue
        sum_low += i * h
        mean_low = sum_low / weight
        mean_high = (sum_all - sum_low) / (total - weight)
        between = weight * (total - weight) * (mean_low - mean_high) ** 2
        if between > best:
            best, level = between, i
    return level


def _flattened(grey: Image.Image) -> Image.Image:
    """Paint white every pixel deep inside an area of the image's most common grey level."""
    hist = grey.histogram()[:256]
    mode = max(range(256), key=hist.__getitem__)
    near = grey.point(lambda v: 255 if abs(v - mode) <= 12 else 0)
    deep = near.filter(ImageFilter.MinFilter(7))
    return Image.composite(Image.new("L", grey.size, 255), grey, deep)


def _prepared(image: bytes, variant: str) -> tuple[bytes, int]:
    with Image.open(io.BytesIO(image)) as opened:
        grey = opened.convert("L")
    scale = 3 if max(grey.size) <= 2000 else 2
    size = (grey.width * scale, grey.height * scale)
    if variant == "flat":
        big = _flattened(grey).resize(size, Image.Resampling.LANCZOS)
    elif variant == "grey":
        big = grey.resize(size, Image.Resampling.LANCZOS)
    elif variant in _LOCAL_CONTRAST:
        big = grey.resize(size, Image.Resampling.BICUBIC)
        around = big.filter(ImageFilter.GaussianBlur(8 * scale / 3))
        pair = (around, big) if variant == "local-dark" else (big, around)
        contrast = _LOCAL_CONTRAST[variant]
        big = ImageChops.subtract(*pair).point(lambda v: 0 if v > contrast else 255)
    else:
        big = grey.resize(size, Image.Resampling.BICUBIC)
        level = _otsu(big)
        big = big.point(lambda v: 255 if v > level else 0)
        if variant == "inverted":
            big = ImageOps.invert(big)
    png = io.BytesIO()
    big.save(png, format="PNG")
    return png.getvalue(), scale


def ocr_words(image: bytes, *, variant: str = "otsu", psm: int = 11) -> list[Word]:
    """All words tesseract reads in ``image`` (any PIL format), boxes in image pixels."""
    key = (hashlib.sha1(image).hexdigest(), variant, psm)  # noqa: S324 - a cache key
    with _cache_lock:
        if key in _cache:
            return _cache[key]
    png, scale = _prepared(image, variant)
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        done = subprocess.run(
            ["tesseract", "stdin", "stdout", "--psm", str(psm), "-l", "eng", "tsv"],
            input=png,
            capture_output=True,
            timeout=60,
            check=True,
            env=env,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise OcrFailed(f"tesseract failed: {exc}") from exc
    words = _parse_tsv(done.stdout.decode("utf-8", "replace"), scale)
    with _cache_lock:
        _cache[key] = words
    return words


def _parse_tsv(tsv: str, scale: int) -> list[Word]:
    words = []
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
            continue
        left, top, width, height = (float(c) / scale for c in cols[6:10])
        line = (int(cols[2]), int(cols[3]), int(cols[4]))
        words.append(Word(cols[11].strip(), Box(left, top, width, height), line))
    return words


def _lines(words: list[Word]) -> list[list[Word]]:
    grouped: dict[tuple[int, int, int], list[Word]] = {}
    for w in words:
        grouped.setdefault(w.line, []).append(w)
    return list(grouped.values())


def _rank(window: list[Word], target: list[str], raw_target: list[str]) -> int | None:
    texts = [w.text for w in window]
    if len(window) == len(target):
        if texts == raw_target:
            return 0
        if [_norm(t) for t in texts] == target:
            return 1
    joined = "".join(_norm(t) for t in texts)
    wanted = "".join(target)
    if joined == wanted:
        return 2
    if len(wanted) >= 4 and wanted in joined:
        return 3
    return None


def _candidates(words: list[Word], target: str) -> list[tuple[int, Box]]:
    raw_target = target.split()
    wanted = [_norm(t) for t in raw_target]
    found: list[tuple[int, Box]] = []
    for line in _lines(words):
        for start in range(len(line)):
            for size in range(1, len(wanted) + 3):
                window = line[start : start + size]
                if len(window) < size:
                    break
                rank = _rank(window, wanted, raw_target)
                if rank is None:
                    continue
                box = window[0].box
                for w in window[1:]:
                    box = box.union(w.box)
                found.append((rank, box))
                break
    return found


def _best(found: list[tuple[int, Box]], index: int) -> tuple[int, Box] | None:
    if not found:
        return None
    rank = min(r for r, _ in found)
    boxes = sorted((b for r, b in found if r == rank), key=lambda b: (round(b.top / 8), b.left))
    return (rank, boxes[index]) if index < len(boxes) else None


def locate(image: bytes, target: str, *, index: int = 0) -> Box | None:
    """The box of ``target`` (one or more words, case-insensitive) in ``image``, or None.

    The first pass usually finds it; if it does not find exact words, the other passes run
    in parallel and the best-ranked match of any pass wins (earlier passes break ties).
    """
    if not target.split():
        raise ValueError("an empty target cannot be located")
    variant, psm = _PASSES[0]
    first = _best(_candidates(ocr_words(image, variant=variant, psm=psm), target), index)
    if first is not None and first[0] <= 1:
        return first[1]
    workers = max(1, min(len(_PASSES) - 1, os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        rest = pool.map(lambda p: ocr_words(image, variant=p[0], psm=p[1]), _PASSES[1:])
        results = [first, *(_best(_candidates(words, target), index) for words in rest)]
    found = [r for r in results if r is not None]
    return min(found, key=lambda r: r[0])[1] if found else None
