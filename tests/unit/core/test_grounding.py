"""Snapping, when to zoom, the zoom region, and the crop's exact way back (pure core)."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from deskhand.core.elements import Element, SeenElement, element_point, listing, numbered
from deskhand.core.geometry import ImageBox, ImagePoint, ModelSpace, Rect, ScreenGeometry, Size, through_crop
from deskhand.core.grounding import GroundingOptions, snap_to_element, zoom_reason, zoom_region

SCREEN = ScreenGeometry(image_size=Size(1316, 728), screen_rect=Rect(0, 0, 2560, 1440))
OPTIONS = GroundingOptions()


def el(number: int, left: float, top: float, right: float, bottom: float) -> Element:
    return Element(number, "push button", f"b{number}", ImageBox(left, top, right, bottom))


def test_box_distances_inside_and_outside() -> None:
    box = ImageBox(10, 10, 30, 20)
    assert box.distance(ImagePoint(x=15, y=15)) == 0
    assert box.distance(ImagePoint(x=33, y=24)) == 5
    assert box.edge_distance(ImagePoint(x=12, y=15)) == 2  # inside, 2 from the left side
    assert box.edge_distance(ImagePoint(x=20, y=23)) == 3  # outside, 3 below


def test_snap_only_when_exactly_one_element_is_that_close() -> None:
    a, b = el(1, 100, 100, 160, 110), el(2, 100, 116, 160, 126)
    assert snap_to_element(ImagePoint(x=130, y=112), [a, b], 4) is None  # 2 below a, 4 above b: both close
    assert snap_to_element(ImagePoint(x=130, y=112), [a, b], 3) is a  # only a is within 3
    assert snap_to_element(ImagePoint(x=130, y=113), [a, b], 3) is None  # 3 from each: ambiguous
    assert snap_to_element(ImagePoint(x=300, y=300), [a, b], 4) is None  # nothing near
    assert snap_to_element(ImagePoint(x=130, y=105), [a], 4) is None  # deep inside: 5 from every side


def test_zoom_reasons() -> None:
    small, big = el(1, 100, 100, 160, 110), el(2, 300, 300, 600, 500)
    assert zoom_reason(ImagePoint(x=130, y=118), [small, big], None, OPTIONS) is not None  # small, 8 away
    assert "ambiguous" in str(
        zoom_reason(ImagePoint(x=130, y=113), [small, el(3, 100, 116, 160, 140)], None, OPTIONS)
    )
    assert zoom_reason(ImagePoint(x=400, y=400), [small, big], None, OPTIONS) is None  # on a big one
    assert zoom_reason(ImagePoint(x=400, y=400), [], ImageBox(395, 396, 430, 404), OPTIONS) is not None
    assert zoom_reason(ImagePoint(x=400, y=400), [], ImageBox(380, 380, 430, 430), OPTIONS) is None
    assert zoom_reason(ImagePoint(x=400, y=400), [], None, OPTIONS) is None  # nothing known: no guess


def test_zoom_region_is_a_quarter_of_the_screen_kept_inside_it() -> None:
    centre = zoom_region(ImagePoint(x=658, y=364), SCREEN, OPTIONS)
    assert centre == Rect(960, 540, 640, 360)
    corner = zoom_region(ImagePoint(x=2, y=727), SCREEN, OPTIONS)
    assert corner == Rect(0, 1080, 640, 360)


@given(
    x=st.floats(0, 1315),
    y=st.floats(0, 727),
    cx=st.integers(0, 1920),
    cy=st.integers(0, 1080),
    crop_w=st.integers(600, 1400),
)
def test_a_crop_point_comes_back_to_the_same_desktop_position(
    x: float, y: float, cx: int, cy: int, crop_w: int
) -> None:
    crop = ScreenGeometry(image_size=Size(crop_w, round(crop_w * 9 / 16)), screen_rect=Rect(cx, cy, 640, 360))
    point = ImagePoint(x=min(x, crop_w - 1), y=min(y, crop.image_size.height - 1))
    back = through_crop(point, crop, SCREEN)
    dx, dy = crop.to_desktop(point)
    sx, sy = SCREEN.to_desktop(back)
    # The screenshot's last pixel row/column shows the last ~2 desktop pixels: a position
    # there comes back as that pixel (``from_desktop`` keeps points inside the image).
    last_x, last_y = SCREEN.to_desktop(
        ImagePoint(x=SCREEN.image_size.width - 1, y=SCREEN.image_size.height - 1)
    )
    if dx >= last_x:
        assert back.x == SCREEN.image_size.width - 1
    else:
        assert math.isclose(dx, sx, abs_tol=1e-6)
    if dy >= last_y:
        assert back.y == SCREEN.image_size.height - 1
    else:
        assert math.isclose(dy, sy, abs_tol=1e-6)


def test_a_fixed_image_error_shrinks_on_the_screen_in_a_zoomed_crop() -> None:
    crop = ScreenGeometry(image_size=Size(1316, 728), screen_rect=Rect(960, 540, 640, 360))
    target = ImagePoint(x=658, y=364)
    missed = ImagePoint(x=658, y=373)  # 9 image pixels off, in either image
    first = SCREEN.to_desktop(missed)[1] - SCREEN.to_desktop(target)[1]
    zoomed = crop.to_desktop(missed)[1] - crop.to_desktop(target)[1]
    assert 17 < first < 18 and 4 < zoomed < 4.6


def test_elements_are_numbered_in_reading_order_and_listed_in_the_models_frame() -> None:
    seen = [
        SeenElement("push button", "Cancel", Rect(1200, 718, 160, 22), ("focused",)),
        SeenElement("push button", "Apply", Rect(1200, 690, 160, 22)),
        SeenElement("push button", "Off screen", Rect(3000, 10, 50, 20)),
    ]
    elements = numbered(seen, SCREEN)
    assert [e.name for e in elements] == ["Apply", "Cancel"]
    assert element_point(elements, 2) == elements[1].box.centre
    assert element_point(elements, 3) is None
    pixels = listing(elements, ModelSpace(extent=Size(1316, 728)), Size(1316, 728))
    assert '2: push button "Cancel" (focused) [617, 363, 699, 374]' in pixels
    thousandths = listing(elements, ModelSpace(extent=Size(1000, 1000)), Size(1316, 728))
    assert '1: push button "Apply" [469, 479, 531, 494]' in thousandths
