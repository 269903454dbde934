"""Zoomed-in crops: a region of the screen cut from the grab an observation was made from.

The ``Zoomer`` port (``deskhand.core.ports``) for the grounding stage's second look at a
small target.  The crop comes from the *same* full-resolution frame the first screenshot
was made from (``frames``, kept by ``MssScreen``), never a new grab: the model must see
the screen it answered about.  It is resized onto the dialect's grid at about the pixel
count of a whole screenshot, so the region is enlarged (4x by default) and the model's own
resize stays the identity; its geometry maps its pixels to the desktop like any
observation's, which is how the refined point finds its way back exactly.
"""

from __future__ import annotations

import time

from deskhand.core.geometry import Grid, Rect, ScreenGeometry, Size
from deskhand.core.observation import Observation
from deskhand.vision.imaging import JPEG_QUALITY, encode_jpeg, from_bgra, grid_size, resize_to
from deskhand.vision.inspect.ocr import FrameSource

__all__ = ["FrameZoomer", "crop_size"]


def crop_size(region: Rect, grid: Grid) -> Size:
    """The image size a crop of ``region`` is sent at: the grid's budget, region's aspect."""
    big = 64  # enlarge far past the budget, and let the grid's resize bring it back inside
    return grid_size(Size(region.width * big, region.height * big), grid)


class FrameZoomer:
    """Crops of the observation's own full-resolution grab (``frames``)."""

    def __init__(self, frames: FrameSource, *, jpeg_quality: int = JPEG_QUALITY) -> None:
        self.frames = frames
        self.jpeg_quality = jpeg_quality

    def zoom(self, observation: Observation, region: Rect, grid: Grid) -> Observation | None:
        frame = self.frames(observation)
        if frame is None or frame.rect != observation.geometry.screen_rect:
            return None
        started = time.perf_counter()
        ratio = frame.size.width / frame.rect.width
        box = (
            round((region.x - frame.rect.x) * ratio),
            round((region.y - frame.rect.y) * ratio),
            round((region.x + region.width - frame.rect.x) * ratio),
            round((region.y + region.height - frame.rect.y) * ratio),
        )
        size = crop_size(region, grid)
        image = resize_to(from_bgra(frame.raw, frame.size).crop(box), size)
        data = encode_jpeg(image, self.jpeg_quality)
        geometry = ScreenGeometry(image_size=size, screen_rect=region, pixel_ratio=ratio)
        return Observation(
            id=f"{observation.id}-zoom",
            image=data,
            mime="image/jpeg",
            geometry=geometry,
            capture_ms=0.0,
            encode_ms=(time.perf_counter() - started) * 1000.0,
        )
