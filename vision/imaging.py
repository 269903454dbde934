"""Resize screenshots onto a model family's grid and encode them for the wire.

JPEG, not PNG: at 1080p a PNG costs ~70-100 ms to encode and several times the bytes,
while the model sees no difference at quality 80.  Bilinear resize is the cheap choice
that keeps thin UI text legible at the ~0.69 scale a 1080p screen needs.
"""

from __future__ import annotations

import io

from PIL import Image

from deskhand.core.geometry import Grid, Size, smart_resize
from deskhand.core.observation import FINGERPRINT_SIZE

__all__ = [
    "DETAILS",
    "FINGERPRINT_SIZE",
    "HIGH_DETAIL_MAX_PIXELS",
    "JPEG_QUALITY",
    "detail_grid",
    "encode_jpeg",
    "fingerprint",
    "from_bgra",
    "grid_size",
    "image_tokens",
    "resize_to",
]

JPEG_QUALITY = 80
DETAILS = ("normal", "high")
# Ollama's current runtimes cap an image at 2<<20 pixels for both Qwen families
# (model/models/qwen25vl/process_image.go, .../qwen3vl/imageprocessor.go); older ones
# capped Qwen2.5-VL at 1280*28*28, which is why "normal" stays there.
HIGH_DETAIL_MAX_PIXELS = 2 << 20


def grid_size(raw: Size, grid: Grid) -> Size:
    """The size we send: exactly what the model family's own resize would produce."""
    return smart_resize(raw, grid)


def detail_grid(grid: Grid, detail: str) -> Grid:
    """The grid for a detail level.

    "normal" is the dialect's own grid (~1,200 image tokens for 1080p); "high" raises the
    pixel budget to the runtime's cap (1080p: 1904x1064 = ~2,600 tokens on the factor-28
    grid, 1920x1088 = 2,040 on Qwen3-VL's factor-32 one).  Only for dialects whose
    coordinates do not depend on the runtime's own resize -- the caller decides that.
    """
    if detail == "normal":
        return grid
    if detail == "high":
        return grid.model_copy(update={"max_pixels": max(grid.max_pixels, HIGH_DETAIL_MAX_PIXELS)})
    raise ValueError(f"unknown detail level {detail!r}; choose one of {', '.join(DETAILS)}")


def image_tokens(size: Size, grid: Grid) -> int:
    """Image tokens a Qwen-VL style model spends on an image of ``size`` sent on ``grid``."""
    seen = smart_resize(size, grid)
    return (seen.width // grid.factor) * (seen.height // grid.factor)


def resize_to(image: Image.Image, size: Size) -> Image.Image:
    if image.size == (size.width, size.height):
        return image
    return image.resize((size.width, size.height), Image.Resampling.BILINEAR, reducing_gap=None)


def encode_jpeg(image: Image.Image, quality: int = JPEG_QUALITY) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality, optimize=False, subsampling="4:2:0")
    return buffer.getvalue()


def from_bgra(raw: bytes | bytearray, size: Size) -> Image.Image:
    """Decode mss's BGRA buffer (``shot.raw``; ``shot.bgra`` would copy it first) as RGB."""
    return Image.frombuffer("RGB", (size.width, size.height), raw, "raw", "BGRX", 0, 1)


def fingerprint(image: Image.Image) -> bytes:
    """A 64x36 greyscale thumbnail (box-averaged): cheap to make (~1 ms) and to compare,
    fine enough that a ticked checkbox or a new line of text changes a cell."""
    return image.convert("L").resize(FINGERPRINT_SIZE, Image.Resampling.BOX).tobytes()
