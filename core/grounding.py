"""Where a pointer answer really aims: snapping to an element, and when to zoom in.

Pure rules, in pixels of the image sent; ``deskhand.core.refine`` applies them in the
loop's decide step.

* **Snap.**  A point within ``snap_reach`` pixels of an element's outline (inside or out)
  is moved to that element's centre -- only when exactly one element is that close, so a
  point between two buttons is never given to either.
* **Zoom.**  A target small in the image (under ``small_element`` pixels on its short
  side) is where a fixed grounding error misses, and so is an answer that sits between two
  elements.  Then the region around the first answer (``zoom`` times smaller than the
  screen) is cut from the same full-resolution grab, sent at the full image size, and the
  model is asked again; the refined point comes back through the crop's geometry
  (``deskhand.core.geometry.through_crop``), so an error of N image pixels there is N /
  ``zoom`` pixels here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from deskhand.core.elements import Element
from deskhand.core.geometry import ImageBox, ImagePoint, Rect, ScreenGeometry

__all__ = ["GroundingOptions", "snap_to_element", "zoom_reason", "zoom_region"]


@dataclass(frozen=True, slots=True)
class GroundingOptions:
    """What the grounding stage may do (settings ``element_list``, ``snap_to_elements``,
    ``zoom_small_targets``), and its thresholds in image pixels."""

    elements: bool = True
    snap: bool = True
    zoom: bool = True
    snap_reach: float = 4.0
    small_element: float = 12.0
    zoom_factor: float = 4.0
    min_region: int = 96  # screen pixels: a crop is never narrower than this


def snap_to_element(point: ImagePoint, elements: Sequence[Element], reach: float) -> Element | None:
    """The one element whose outline is within ``reach`` of ``point``, else None."""
    close = [e for e in elements if e.box.edge_distance(point) <= reach]
    return close[0] if len(close) == 1 else None


def _small(box: ImageBox, small: float) -> bool:
    return min(box.width, box.height) < small


def zoom_reason(
    point: ImagePoint,
    elements: Sequence[Element],
    found_box: ImageBox | None,
    options: GroundingOptions,
) -> str | None:
    """Why the answer at ``point`` should be looked at again, closer (None: it need not).

    ``found_box`` is what an inspector found at the point (its box in image pixels), used
    when no listed element is near it.
    """
    near = [e for e in elements if e.box.distance(point) <= options.small_element]
    touching = [e for e in near if e.box.edge_distance(point) <= options.snap_reach]
    if len(touching) > 1:
        return f"ambiguous: the point is at the edge of {len(touching)} elements"
    small = [e for e in near if _small(e.box, options.small_element)]
    if small:
        return f"small target: element {small[0].number} is {_size(small[0].box)} image pixels"
    if near:
        return None
    if found_box is not None and _small(found_box, options.small_element):
        return f"small target: what is at the point is {_size(found_box)} image pixels"
    return None


def _size(box: ImageBox) -> str:
    return f"{box.width:.0f}x{box.height:.0f}"


def zoom_region(point: ImagePoint, geometry: ScreenGeometry, options: GroundingOptions) -> Rect:
    """The desktop rectangle to look at closer: ``zoom_factor`` times smaller than the
    screen, centred on ``point`` as far as the screen's edges allow."""
    r = geometry.screen_rect
    width = min(r.width, max(options.min_region, round(r.width / options.zoom_factor)))
    height = min(
        r.height, max(round(options.min_region * r.height / r.width), round(r.height / options.zoom_factor))
    )
    x, y = geometry.to_desktop(point)
    left = min(max(round(x - width / 2), r.x), r.x + r.width - width)
    top = min(max(round(y - height / 2), r.y), r.y + r.height - height)
    return Rect(left, top, width, height)
