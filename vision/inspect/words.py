"""Tesseract's TSV as words, and words as the phrases a UI shows ("Delete account").

Words read with confidence (>= ``MIN_CONFIDENCE``) make phrases.  A word read with less is
kept on its own as an *unreadable* phrase when it still looks like text -- two or more
letters or digits in a box wider than tall, of a UI text's height -- so the inspector can
tell "there is a label here that I cannot read" from "there is nothing here" (an icon, a
blank area, a picture's edges, which tesseract also turns into low-confidence junk).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from deskhand.core.geometry import Rect

__all__ = ["MIN_CONFIDENCE", "Phrase", "Word", "phrases", "words_of"]

MIN_CONFIDENCE = 40.0
TEXT_HEIGHT = (5.0, 48.0)  # screen units: from 7-pt text at 96 DPI to a big heading


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    left: float
    top: float
    width: float
    height: float
    confidence: float


@dataclass(frozen=True, slots=True)
class Phrase:
    """Words on one line, in the coordinates of the image read (until ``scaled``)."""

    text: str
    left: float
    top: float
    right: float
    bottom: float
    readable: bool = True

    def scaled(self, factor: float, dx: float, dy: float) -> Phrase:
        """The phrase in screen units (undo the enlargement, add the strip's offset)."""
        return Phrase(
            self.text,
            dx + self.left * factor,
            dy + self.top * factor,
            dx + self.right * factor,
            dy + self.bottom * factor,
            self.readable,
        )

    def distance(self, x: float, y: float, vertical: float = 1.0) -> float:
        """From the point to the box (0 inside); ``vertical`` weighs the vertical part."""
        dx = max(self.left - x, 0.0, x - self.right)
        dy = max(self.top - y, 0.0, y - self.bottom)
        return math.hypot(dx, vertical * dy)

    def looks_like_text(self) -> bool:
        """For an unreadable phrase in screen units: a word's shape, not an icon's or a line's."""
        height, width = self.bottom - self.top, self.right - self.left
        letters = sum(c.isalnum() for c in self.text)
        return letters >= 2 and width >= 0.8 * height and TEXT_HEIGHT[0] <= height <= TEXT_HEIGHT[1]

    def bounds(self) -> Rect:
        left, top = math.floor(max(0.0, self.left)), math.floor(max(0.0, self.top))
        return Rect(left, top, max(1, math.ceil(self.right) - left), max(1, math.ceil(self.bottom) - top))


def words_of(tsv: str) -> list[Word]:
    """The words of tesseract's ``tsv`` output (level 5 rows), with their confidence."""
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
        words.append(Word(cells[11].strip(), left, top, width, height, confidence))
    return words


def phrases(words: list[Word]) -> list[Phrase]:
    """Readable words side by side (same height band) with gaps about a space wide form a
    phrase; each unreadable word is a phrase of its own, marked so.

    Grouped by position, not by tesseract's line numbers: in sparse mode it may put each
    word of "Delete account" in a block of its own.
    """
    readable = [w for w in words if w.confidence >= MIN_CONFIDENCE]
    unreadable = [
        Phrase(w.text, w.left, w.top, w.left + w.width, w.top + w.height, readable=False)
        for w in words
        if w.confidence < MIN_CONFIDENCE
    ]
    lines: list[list[Word]] = []
    for word in sorted(readable, key=lambda w: w.top + w.height / 2):
        centre = word.top + word.height / 2
        line = lines[-1] if lines else None
        if (
            line
            and abs(centre - (line[-1].top + line[-1].height / 2)) < max(line[-1].height, word.height) / 2
        ):
            line.append(word)
        else:
            lines.append([word])
    found: list[Phrase] = []
    for line in lines:
        current: list[Word] = []
        for word in sorted(line, key=lambda w: w.left):
            if current:
                last = current[-1]
                if word.left - (last.left + last.width) > 1.2 * max(last.height, word.height):
                    found.append(_join(current))
                    current = []
            current.append(word)
        found.append(_join(current))
    return found + unreadable


def _join(words: list[Word]) -> Phrase:
    return Phrase(
        " ".join(w.text for w in words),
        min(w.left for w in words),
        min(w.top for w in words),
        max(w.left + w.width for w in words),
        max(w.top + w.height for w in words),
    )
