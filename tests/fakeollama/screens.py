"""Synthetic screenshots with known text at known places, and the truth about them."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


@dataclass(frozen=True)
class Label:
    text: str
    x: float  # top-left, as a fraction of the image width/height
    y: float
    size: int  # font size in pixels


LABELS = (
    Label("File", 0.01, 0.01, 13),
    Label("Save As", 0.30, 0.25, 12),
    Label("Terminal emulator", 0.45, 0.55, 11),
    Label("Search the web", 0.05, 0.80, 16),
    Label("Cancel", 0.72, 0.90, 14),
    Label("OK", 0.88, 0.90, 14),
)


@dataclass(frozen=True)
class Screen:
    data: bytes
    size: tuple[int, int]
    centres: dict[str, tuple[float, float]]  # label -> ink-box centre, image pixels


def render(size: tuple[int, int], labels: tuple[Label, ...] = LABELS, fmt: str = "JPEG") -> Screen:
    img = Image.new("RGB", size, (236, 236, 236))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, size[0], 22), fill=(250, 250, 250))
    centres = {}
    for label in labels:
        font = ImageFont.truetype(FONT, label.size)
        at = (round(label.x * size[0]), round(label.y * size[1]))
        draw.text(at, label.text, fill=(25, 25, 25), font=font)
        left, top, right, bottom = draw.textbbox(at, label.text, font=font)
        centres[label.text] = ((left + right) / 2, (top + bottom) / 2)
    out = io.BytesIO()
    img.save(out, format=fmt, **({"quality": 85} if fmt == "JPEG" else {}))
    return Screen(out.getvalue(), size, centres)
