"""The marker shows where an action lands without hiding what is there."""

from __future__ import annotations

import io

from PIL import Image, ImageChops, ImageDraw, ImageFont
from PySide6.QtCore import QBuffer, QIODevice
from pytestqt.qtbot import QtBot

from deskhand.app.windows.marker import landing_crop
from deskhand.core.actions import Click
from deskhand.core.geometry import ImagePoint, Rect, ScreenGeometry, Size
from deskhand.core.observation import Observation

# One image pixel per screen pixel, so the crop's place is exact and any changed pixel is the marker's.
GEOMETRY = ScreenGeometry(image_size=Size(1316, 728), screen_rect=Rect(0, 0, 1316, 728))
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def test_the_marker_leaves_the_label_under_the_point_readable(qtbot: QtBot) -> None:
    """A small "Send" button: the label's pixels stay as they were, except a dot smaller
    than a letter on the point itself."""
    image = Image.new("RGB", GEOMETRY.image_size, "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((255, 276, 307, 296), fill="#e0e0e0", outline="#888888")
    draw.text((281, 286), "Send", fill="black", font=ImageFont.truetype(FONT, 11), anchor="mm")
    data = io.BytesIO()
    image.save(data, "PNG")  # lossless, so any changed pixel is the marker's
    observation = Observation("o", data.getvalue(), "image/png", GEOMETRY, 1.0, 1.0)
    crop = landing_crop(observation, Click(at=ImagePoint(x=281, y=286)))
    assert crop is not None
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    crop.save(buffer, "PNG")
    marked = Image.open(io.BytesIO(bytes(buffer.data()))).convert("RGB")
    left, top = 281 - crop.width() // 2, 286 - crop.height() // 2
    original = image.crop((left, top, left + crop.width(), top + crop.height()))
    # The label's line of text: 40 x 12 image pixels around the point.
    box = (crop.width() // 2 - 20, crop.height() // 2 - 6, crop.width() // 2 + 20, crop.height() // 2 + 6)
    diff = ImageChops.difference(marked.crop(box), original.crop(box)).convert("L")
    changed = diff.point(lambda v: 255 if v > 40 else 0).histogram()[255]
    assert changed <= 16, "the marker hides the label under the point"
    # ... and it is there: the marker's pink just below the point.
    below = ImageChops.difference(marked, original).crop((box[0], box[3], box[2], box[3] + 20)).convert("L")
    assert below.getextrema()[1] > 100
