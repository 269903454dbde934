"""The last resort: a small picture of the target, and finding it again on the screen.

The crop is cut from the screen's full-resolution grab around the point (greyscale PNG,
base64 in the skill file).  Matching is a sum of squared differences computed with FFTs
(numpy only), at the grab's own scale: a skill replays on the same kind of display, and
a widget's pixels do not change when its window moves.  The match must be close, and the
second-best place (away from the best) clearly worse -- two identical buttons are
"ambiguous", never a guess.
"""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

from deskhand.core.geometry import Rect, ScreenPoint
from deskhand.vision.capture import Frame
from deskhand.vision.imaging import from_bgra

__all__ = ["CROP_HALF", "bounds_of", "crop_around", "match_crop"]

CROP_HALF = (48, 16)  # screen units either side of the point: a button's label and edges
MAX_ERROR = 0.004  # mean squared difference (0-1 grey scale) a match may have
CLEAR_MARGIN = 3.0  # the second-best place must be this many times worse


def _grey(frame: Frame) -> Image.Image:
    return from_bgra(frame.raw, frame.size).convert("L")


def crop_around(frame: Frame, point: ScreenPoint) -> str:
    """A base64 PNG of the screen around ``point`` ("" if the point is off ``frame``)."""
    ratio = frame.size.width / frame.rect.width
    hw, hh = CROP_HALF
    left = round((point.x - hw - frame.rect.x) * ratio)
    top = round((point.y - hh - frame.rect.y) * ratio)
    right, bottom = left + round(2 * hw * ratio), top + round(2 * hh * ratio)
    if left < 0 or top < 0 or right > frame.size.width or bottom > frame.size.height:
        return ""
    buffer = io.BytesIO()
    _region(frame, left, top, right, bottom).convert("L").save(buffer, "PNG", optimize=True)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _region(frame: Frame, left: int, top: int, right: int, bottom: int) -> Image.Image:
    """The frame's pixels in the box, decoded alone: the same pixels as decoding the whole
    grab and cropping it, without decoding the other ~99 % of a 1080p screen (this runs as
    each click of a task is about to start)."""
    stride = frame.size.width * 4  # BGRA rows
    start = top * stride + left * 4
    rows = bytes(frame.raw[start : (bottom - 1) * stride + right * 4])  # the box's rows only
    return Image.frombuffer("RGB", (right - left, bottom - top), rows, "raw", "BGRX", stride, 1)


def match_crop(crop: str, frame: Frame) -> tuple[ScreenPoint | None, str]:
    """Where the crop's centre is on ``frame`` now, or ``None`` and why not."""
    try:
        template = np.asarray(Image.open(io.BytesIO(base64.b64decode(crop))).convert("L"), dtype=np.float64)
    except (ValueError, OSError) as exc:
        return None, f"the stored picture is unreadable ({exc})"
    screen = np.asarray(_grey(frame), dtype=np.float64) / 255.0
    template = template / 255.0
    th, tw = template.shape
    sh, sw = screen.shape
    if th > sh or tw > sw or th == 0 or tw == 0:
        return None, "the stored picture is larger than the screen"
    errors = _mean_squared(screen, template)
    best = np.unravel_index(int(np.argmin(errors)), errors.shape)
    best_error = float(errors[best])
    if best_error > MAX_ERROR:
        return None, "its picture is not on the screen"
    y0, x0 = int(best[0]), int(best[1])
    masked = errors.copy()
    masked[max(0, y0 - th // 2) : y0 + th // 2 + 1, max(0, x0 - tw // 2) : x0 + tw // 2 + 1] = np.inf
    second = float(masked.min()) if np.isfinite(masked).any() else np.inf
    if second < max(best_error * CLEAR_MARGIN, MAX_ERROR / 4):
        return None, "its picture is on the screen more than once"
    ratio = frame.size.width / frame.rect.width
    centre = ScreenPoint(
        x=frame.rect.x + round((x0 + tw / 2) / ratio), y=frame.rect.y + round((y0 + th / 2) / ratio)
    )
    return centre, ""


def _mean_squared(screen: np.ndarray, template: np.ndarray) -> np.ndarray:
    """Mean squared difference of ``template`` at every placement in ``screen``."""
    th, tw = template.shape
    sh, sw = screen.shape
    shape = (sh + th - 1, sw + tw - 1)
    fshape = tuple(int(2 ** np.ceil(np.log2(n))) for n in shape)
    cross = np.fft.irfft2(np.fft.rfft2(screen, fshape) * np.fft.rfft2(template[::-1, ::-1], fshape), fshape)
    cross = cross[th - 1 : sh, tw - 1 : sw]
    squares = np.pad(np.cumsum(np.cumsum(screen**2, axis=0), axis=1), ((1, 0), (1, 0)))
    window = squares[th:, tw:] - squares[:-th, tw:] - squares[th:, :-tw] + squares[:-th, :-tw]
    total = window - 2 * cross + float((template**2).sum())
    result: np.ndarray = np.maximum(total, 0.0) / (th * tw)
    return result


def bounds_of(point: ScreenPoint) -> Rect:
    hw, hh = CROP_HALF
    return Rect(point.x - hw, point.y - hh, 2 * hw, 2 * hh)
