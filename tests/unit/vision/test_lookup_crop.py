"""A skill step's picture is cut from the grab's own bytes around the point: the same
picture as decoding the whole grab and cropping it (what it did before), at every place,
on a scaled monitor too, and nothing for a point too near an edge."""

from __future__ import annotations

import base64
import io
import random

from PIL import Image

from deskhand.core.geometry import Rect, ScreenPoint, Size
from deskhand.vision.capture import Frame
from deskhand.vision.imaging import from_bgra
from deskhand.vision.lookup.pixels import CROP_HALF, crop_around


def whole_then_cropped(frame: Frame, point: ScreenPoint) -> Image.Image | None:
    ratio = frame.size.width / frame.rect.width
    hw, hh = CROP_HALF
    left = round((point.x - hw - frame.rect.x) * ratio)
    top = round((point.y - hh - frame.rect.y) * ratio)
    right, bottom = left + round(2 * hw * ratio), top + round(2 * hh * ratio)
    if left < 0 or top < 0 or right > frame.size.width or bottom > frame.size.height:
        return None
    return from_bgra(frame.raw, frame.size).crop((left, top, right, bottom)).convert("L")


def test_the_crop_is_the_whole_grab_s_pixels_around_the_point() -> None:
    rng = random.Random(3)
    for size, rect in (
        (Size(320, 200), Rect(0, 0, 320, 200)),
        (Size(400, 240), Rect(1920, 40, 200, 120)),  # a HiDPI monitor right of another
    ):
        frame = Frame(bytearray(rng.randbytes(size.width * size.height * 4)), size, rect)
        cut = 0
        for _ in range(60):
            point = ScreenPoint(
                x=rng.randint(rect.x - 10, rect.x + rect.width + 10),
                y=rng.randint(rect.y - 10, rect.y + rect.height + 10),
            )
            expected = whole_then_cropped(frame, point)
            got = crop_around(frame, point)
            if expected is None:
                assert got == ""
                continue
            picture = Image.open(io.BytesIO(base64.b64decode(got)))
            assert picture.mode == "L" and picture.size == expected.size
            assert picture.tobytes() == expected.tobytes()
            cut += 1
        assert cut >= 10  # the points were not all too near an edge
