from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deskhand.core.geometry import (
    Grid,
    ImagePoint,
    ModelPoint,
    ModelSpace,
    Rect,
    ScreenGeometry,
    ScreenPoint,
    Size,
    smart_resize,
)

QWEN25 = Grid(factor=28, min_pixels=3136, max_pixels=1280 * 28 * 28)


@pytest.mark.parametrize(
    ("screen", "expected"),
    [
        ((1920, 1080), (1316, 728)),  # the size Ollama's Qwen2.5-VL processing gives a 1080p shot
        ((1366, 768), (1316, 728)),
        ((1280, 720), (1288, 728)),
        ((3840, 2160), (1316, 728)),
        ((800, 600), (812, 588)),
    ],
)
def test_smart_resize_matches_qwen_processor(screen: tuple[int, int], expected: tuple[int, int]) -> None:
    assert smart_resize(Size(*screen), QWEN25) == Size(*expected)


@given(st.integers(28, 8000), st.integers(28, 8000))
def test_smart_resize_stays_on_grid_and_budget(w: int, h: int) -> None:
    out = smart_resize(Size(w, h), QWEN25)
    assert out.width % 28 == 0 and out.height % 28 == 0
    assert out.width * out.height <= QWEN25.max_pixels
    assert smart_resize(out, QWEN25) == out  # on-grid images are left alone: identity


def test_monitor_offset_and_scale_are_applied() -> None:
    g = ScreenGeometry(image_size=Size(1316, 728), screen_rect=Rect(1920, 0, 1920, 1080))
    assert g.to_screen(ImagePoint(x=0, y=0)) == ScreenPoint(x=1920, y=0)
    assert g.to_screen(ImagePoint(x=658, y=364)) == ScreenPoint(x=1920 + 960, y=540)
    assert g.to_screen(ImagePoint(x=1315.9, y=727.9)) == ScreenPoint(x=3839, y=1079)


def test_hidpi_uses_input_units_not_captured_pixels() -> None:
    # A Retina screen: 2880x1800 captured pixels, 1440x900 points for the input layer.
    g = ScreenGeometry(image_size=Size(1288, 812), screen_rect=Rect(0, 0, 1440, 900), pixel_ratio=2.0)
    p = g.to_screen(ImagePoint(x=644, y=406))
    assert (p.x, p.y) == (720, 450)


@given(
    st.integers(0, 4000),
    st.integers(-2000, 2000),
    st.integers(200, 5000),
    st.integers(200, 3000),
    st.integers(100, 2000),
    st.integers(100, 2000),
    st.data(),
)
def test_screen_image_round_trip_within_one_pixel(x0, y0, sw, sh, iw, ih, data) -> None:  # type: ignore[no-untyped-def]
    g = ScreenGeometry(image_size=Size(iw, ih), screen_rect=Rect(x0, y0, sw, sh))
    sx = data.draw(st.integers(x0, x0 + sw - 1))
    sy = data.draw(st.integers(y0, y0 + sh - 1))
    img = g.to_image(ScreenPoint(x=sx, y=sy))
    assert img is not None
    back = g.to_screen(img)
    assert abs(back.x - sx) <= 1 and abs(back.y - sy) <= 1


def test_point_on_another_monitor_is_not_in_this_image() -> None:
    g = ScreenGeometry(image_size=Size(1316, 728), screen_rect=Rect(0, 0, 1920, 1080))
    assert g.to_image(ScreenPoint(x=1920, y=10)) is None


def test_relative_model_space() -> None:
    space = ModelSpace(extent=Size(1000, 1000))
    p = space.to_image(ModelPoint(500, 250), Size(1344, 768))
    assert p == ImagePoint(x=672, y=192)
    assert space.to_image(ModelPoint(1000, 1000), Size(1344, 768)) == ImagePoint(x=1343, y=767)


@pytest.mark.parametrize("point", [ModelPoint(-1, 5), ModelPoint(5, 1001), ModelPoint(float("nan"), 1)])
def test_model_points_outside_the_frame_are_rejected(point: ModelPoint) -> None:
    assert ModelSpace(extent=Size(1000, 1000)).to_image(point, Size(100, 100)) is None


def test_geometry_rejects_empty_sizes() -> None:
    with pytest.raises(ValueError, match="positive"):
        ScreenGeometry(image_size=Size(0, 10), screen_rect=Rect(0, 0, 10, 10))
