"""Coordinate spaces and the only place where points move between them.

Three spaces matter, and each has its own type so they cannot be mixed up:

* ``ModelPoint`` -- what the model wrote: pixels of the image *as the model saw it*
  (Qwen2.5-VL, UI-TARS), or 0..1000 on each axis (Qwen3-VL).  A ``ModelSpace`` says which.
* ``ImagePoint`` -- pixels of the JPEG we actually sent (and saved in the trace).
* ``ScreenPoint`` -- desktop coordinates the input layer uses (pyautogui / XTest), already
  including the captured monitor's offset.

``ScreenGeometry`` binds one screenshot to the monitor rectangle it was grabbed from, so every
action is mapped through the picture it was decided on, never through "the current screen".
On HiDPI screens the raw capture has more pixels than the input layer has points; because
the screen rectangle is kept in *input* units, that ratio never enters the mapping (it is
kept in ``pixel_ratio`` for the record only).
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "Frame",
    "Grid",
    "ImageBox",
    "ImagePoint",
    "ModelPoint",
    "ModelSpace",
    "Rect",
    "ScreenGeometry",
    "ScreenPoint",
    "Size",
    "smart_resize",
    "through_crop",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Size(NamedTuple):
    width: int
    height: int


class Rect(NamedTuple):
    x: int
    y: int
    width: int
    height: int

    def contains(self, x: int, y: int) -> bool:
        return self.x <= x < self.x + self.width and self.y <= y < self.y + self.height


class ImagePoint(_Frozen):
    """A point in pixels of the image that was sent to the model (origin top-left)."""

    x: float = Field(ge=0)
    y: float = Field(ge=0)


class ImageBox(NamedTuple):
    """A box in pixels of the image sent (an element's bounds as the model sees them)."""

    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def centre(self) -> ImagePoint:
        return ImagePoint(x=(self.left + self.right) / 2, y=(self.top + self.bottom) / 2)

    def contains(self, point: ImagePoint) -> bool:
        return self.left <= point.x <= self.right and self.top <= point.y <= self.bottom

    def distance(self, point: ImagePoint) -> float:
        """How far ``point`` is from the box (0 inside it)."""
        dx = max(self.left - point.x, 0.0, point.x - self.right)
        dy = max(self.top - point.y, 0.0, point.y - self.bottom)
        return math.hypot(dx, dy)

    def edge_distance(self, point: ImagePoint) -> float:
        """How far ``point`` is from the box's outline, from inside or from outside."""
        if not self.contains(point):
            return self.distance(point)
        return min(point.x - self.left, self.right - point.x, point.y - self.top, self.bottom - point.y)


class ScreenPoint(_Frozen):
    """A point in desktop input coordinates (what pyautogui/XTest move the pointer to)."""

    x: int
    y: int


class ModelPoint(NamedTuple):
    """A point exactly as the model wrote it, before any conversion."""

    x: float
    y: float


class ModelSpace(_Frozen):
    """The coordinate frame a model answers in, relative to the image it was sent.

    ``extent`` is the size of that frame: the image size the model family's own resize
    produces (identity when we send images already on its grid), or (1000, 1000) for models
    that answer in relative thousandths.
    """

    extent: Size

    def to_image(self, point: ModelPoint, image_size: Size) -> ImagePoint | None:
        """Map a model point into image pixels, or ``None`` if it lies outside the frame."""
        w, h = self.extent
        if not (math.isfinite(point.x) and math.isfinite(point.y)):
            return None
        if not (0 <= point.x <= w and 0 <= point.y <= h):
            return None
        iw, ih = image_size
        x = min(point.x * iw / w, iw - 1)
        y = min(point.y * ih / h, ih - 1)
        return ImagePoint(x=x, y=y)

    def from_image(self, point: ImagePoint, image_size: Size) -> ModelPoint:
        """An image pixel as the model would write it (the inverse of ``to_image``)."""
        w, h = self.extent
        iw, ih = image_size
        return ModelPoint(point.x * w / iw, point.y * h / ih)


class ScreenGeometry(_Frozen):
    """Where a screenshot came from: image size and the monitor rectangle it shows.

    ``screen_rect`` is in input coordinates (desktop origin, so a second monitor at x=1920
    has x=1920 here).  ``pixel_ratio`` is captured pixels per input unit (2.0 on a Retina
    display); it is informational because mapping goes image -> screen rect directly.
    """

    image_size: Size
    screen_rect: Rect
    pixel_ratio: float = 1.0

    @model_validator(mode="after")
    def _positive(self) -> ScreenGeometry:
        if min(self.image_size) <= 0 or self.screen_rect.width <= 0 or self.screen_rect.height <= 0:
            raise ValueError("image and screen rectangle must have positive size")
        return self

    def to_desktop(self, point: ImagePoint) -> tuple[float, float]:
        """The exact (unrounded) desktop position an image pixel shows."""
        iw, ih = self.image_size
        r = self.screen_rect
        return r.x + point.x * r.width / iw, r.y + point.y * r.height / ih

    def from_desktop(self, x: float, y: float) -> ImagePoint:
        """The image pixel showing an exact desktop position (clamped inside the image)."""
        iw, ih = self.image_size
        r = self.screen_rect
        ix = min(max((x - r.x) * iw / r.width, 0.0), iw - 1.0)
        iy = min(max((y - r.y) * ih / r.height, 0.0), ih - 1.0)
        return ImagePoint(x=ix, y=iy)

    def rect_to_image(self, rect: Rect) -> ImageBox | None:
        """A desktop rectangle as a box of this image, cut to the image (None if off it)."""
        r = self.screen_rect
        left, top = max(rect.x, r.x), max(rect.y, r.y)
        right = min(rect.x + rect.width, r.x + r.width)
        bottom = min(rect.y + rect.height, r.y + r.height)
        if right <= left or bottom <= top:
            return None
        iw, ih = self.image_size
        sx, sy = iw / r.width, ih / r.height
        return ImageBox((left - r.x) * sx, (top - r.y) * sy, (right - r.x) * sx, (bottom - r.y) * sy)

    def to_screen(self, point: ImagePoint) -> ScreenPoint:
        """Map an image pixel to the desktop point it shows, clamped inside the monitor."""
        r = self.screen_rect
        sx, sy = self.to_desktop(point)
        x = min(max(round(sx), r.x), r.x + r.width - 1)
        y = min(max(round(sy), r.y), r.y + r.height - 1)
        return ScreenPoint(x=x, y=y)

    def to_image(self, point: ScreenPoint) -> ImagePoint | None:
        """Map a desktop point into this image, or ``None`` when it is on another monitor."""
        r = self.screen_rect
        if not r.contains(point.x, point.y):
            return None
        iw, ih = self.image_size
        return ImagePoint(x=(point.x - r.x) * iw / r.width, y=(point.y - r.y) * ih / r.height)


def through_crop(point: ImagePoint, crop: ScreenGeometry, source: ScreenGeometry) -> ImagePoint:
    """A pixel of a crop's image (``crop``: the region of the screen it shows) as a pixel of
    the screenshot ``source`` it was cut from, exactly, through the desktop position both show.

    A zoomed-in crop is a screenshot of a smaller screen rectangle, so this is the same
    mapping every action takes to the screen, without rounding in between.
    """
    return source.from_desktop(*crop.to_desktop(point))


class Grid(_Frozen):
    """How a model family wants images sized: sides multiple of ``factor``, pixel budget."""

    factor: int = Field(ge=1)
    min_pixels: int = Field(ge=1)
    max_pixels: int = Field(ge=1)


def smart_resize(size: Size, grid: Grid) -> Size:
    """The size a Qwen-VL style processor resizes an image to.

    Both sides are rounded to a multiple of ``factor``; if the area leaves
    [min_pixels, max_pixels] the image is scaled (keeping its aspect ratio) back inside,
    flooring/ceiling to the grid so the budget is never exceeded.  Sending images of exactly
    this size makes the model's own resize the identity, so its coordinates are ours.
    """
    width, height = size
    f = grid.factor
    if width <= 0 or height <= 0:
        raise ValueError(f"cannot resize an empty image ({width}x{height})")
    h_bar = max(f, round(height / f) * f)
    w_bar = max(f, round(width / f) * f)
    if h_bar * w_bar > grid.max_pixels:
        beta = math.sqrt(height * width / grid.max_pixels)
        h_bar = max(f, math.floor(height / beta / f) * f)
        w_bar = max(f, math.floor(width / beta / f) * f)
    elif h_bar * w_bar < grid.min_pixels:
        beta = math.sqrt(grid.min_pixels / (height * width))
        h_bar = math.ceil(height * beta / f) * f
        w_bar = math.ceil(width * beta / f) * f
    return Size(w_bar, h_bar)


class Frame(StrEnum):
    """What a dialect's coordinates are measured in -- the one fact about a frame that matters.

    Only ``RESIZED`` depends on the runtime's own image resize: a model in that frame answers
    in pixels of the image *as its processor resized it*, so a changed pixel budget moves its
    frame and the dialect must be built on the grid the screenshots are sent on.  The others
    do not care how big the image is (a larger "detail" budget is safe for them).
    """

    RESIZED = "pixels of the resized image"
    RELATIVE = "relative 0-1000"
    SENT = "pixels of the image sent"

    @property
    def follows_runtime(self) -> bool:
        return self is Frame.RESIZED
