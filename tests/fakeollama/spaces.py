"""Which dialect a model name speaks, and the coordinate frame it answers in.

Written from DESIGN.md on purpose without importing Deskhand, so the oracle is an independent
check of ``deskhand.core.geometry`` and ``deskhand.vision.dialects``.
"""

from __future__ import annotations

import math

DIALECTS = ("json", "ui-tars", "qwen2.5-vl", "qwen3-vl", "holo")

# Ollama's Qwen2.5-VL image processing (UI-TARS-1.5 is a fine-tune): patch 14, merge 2.
QWEN25_FACTOR = 28
QWEN25_MIN_PIXELS = 56 * 56
QWEN25_MAX_PIXELS = 1280 * 28 * 28


def dialect_for(model: str) -> str:
    """The dialect DESIGN.md picks from a model name (case-insensitive)."""
    name = model.lower()
    if "ui-tars" in name or "uitars" in name:
        return "ui-tars"
    if "qwen2.5vl" in name or "qwen2.5-vl" in name:
        return "qwen2.5-vl"
    if "qwen3-vl" in name or "qwen3vl" in name:
        return "qwen3-vl"
    if any(h in name for h in ("holo-3.1", "holo3.1", "holo3-", "holo-3-", "holo3:")):
        return "holo"
    return "json"


def smart_resize(
    width: int,
    height: int,
    *,
    factor: int = QWEN25_FACTOR,
    min_pixels: int = QWEN25_MIN_PIXELS,
    max_pixels: int = QWEN25_MAX_PIXELS,
) -> tuple[int, int]:
    """Qwen2.5-VL's resize: sides to multiples of ``factor``, area inside the budget."""
    h_bar = max(factor, round(height / factor) * factor)
    w_bar = max(factor, round(width / factor) * factor)
    if h_bar * w_bar > max_pixels:
        beta = math.sqrt(height * width / max_pixels)
        h_bar = max(factor, math.floor(height / beta / factor) * factor)
        w_bar = max(factor, math.floor(width / beta / factor) * factor)
    elif h_bar * w_bar < min_pixels:
        beta = math.sqrt(min_pixels / (height * width))
        h_bar = math.ceil(height * beta / factor) * factor
        w_bar = math.ceil(width * beta / factor) * factor
    return w_bar, h_bar


def model_extent(dialect: str, image_size: tuple[int, int]) -> tuple[int, int]:
    """The size of the frame the dialect's coordinates live in, for an image of this size."""
    if dialect == "json":
        return image_size
    if dialect in ("qwen3-vl", "holo"):
        return (1000, 1000)
    return smart_resize(*image_size)


def to_model(dialect: str, point: tuple[float, float], image_size: tuple[int, int]) -> tuple[int, int]:
    """A point in pixels of the image sent, as this dialect's model would write it."""
    ew, eh = model_extent(dialect, image_size)
    iw, ih = image_size
    return round(point[0] * ew / iw), round(point[1] * eh / ih)
