"""Grids, model spaces and round trips between the model's coordinates and image pixels."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deskhand.core.actions import Click, Decision
from deskhand.core.geometry import ModelPoint, Rect, ScreenGeometry, Size, smart_resize
from deskhand.core.observation import Observation
from deskhand.core.outcome import Unparseable
from deskhand.vision.dialects import DIALECT_NAMES, dialect_for

OLLAMA_QWEN3VL_MAX_PIXELS = 2 << 20  # ollama model/models/qwen3vl/imageprocessor.go longestEdge

sizes = st.builds(Size, st.integers(64, 3000), st.integers(64, 2000))


def observation(size: Size) -> Observation:
    geometry = ScreenGeometry(image_size=size, screen_rect=Rect(0, 0, 1920, 1080))
    return Observation("shot", b"jpeg", "image/jpeg", geometry, 1.0, 1.0)


@pytest.mark.parametrize(
    ("name", "factor", "max_pixels", "hd"),
    [
        ("ui-tars", 28, 1280 * 28 * 28, Size(1316, 728)),
        ("qwen2.5-vl", 28, 1280 * 28 * 28, Size(1316, 728)),
        ("json", 28, 1280 * 28 * 28, Size(1316, 728)),
        ("qwen3-vl", 32, 1280 * 32 * 32, Size(1504, 832)),
    ],
)
def test_grids(name: str, factor: int, max_pixels: int, hd: Size) -> None:
    grid = dialect_for("m", override=name).grid
    assert (grid.factor, grid.max_pixels) == (factor, max_pixels)
    assert smart_resize(Size(1920, 1080), grid) == hd


def test_qwen3_grid_costs_about_1200_tokens_at_1080p_and_fits_ollama() -> None:
    grid = dialect_for("m", override="qwen3-vl").grid
    w, h = smart_resize(Size(1920, 1080), grid)
    assert (w // 32) * (h // 32) == 1222
    assert grid.max_pixels <= OLLAMA_QWEN3VL_MAX_PIXELS
    assert grid.min_pixels == 64 << 10


@pytest.mark.parametrize("name", ["ui-tars", "qwen2.5-vl"])
@given(size=sizes)
def test_pixel_families_answer_in_the_smart_resized_image(name: str, size: Size) -> None:
    dialect = dialect_for("m", override=name)
    extent = dialect.model_space(size).extent
    assert extent == smart_resize(size, dialect.grid)
    assert dialect.model_space(extent).extent == extent  # an image sent on the grid: identity


@given(size=sizes)
def test_other_families_frames(size: Size) -> None:
    assert dialect_for("m", override="qwen3-vl").model_space(size).extent == Size(1000, 1000)
    assert dialect_for("m", override="holo").model_space(size).extent == Size(1000, 1000)
    assert dialect_for("m", override="json").model_space(size).extent == size


@pytest.mark.parametrize("name", DIALECT_NAMES)
@given(size=sizes, fx=st.floats(0, 1), fy=st.floats(0, 1))
def test_model_to_image_and_back_within_one_pixel(name: str, size: Size, fx: float, fy: float) -> None:
    space = dialect_for("m", override=name).model_space(size)
    ew, eh = space.extent
    model = ModelPoint(fx * ew, fy * eh)
    image = space.to_image(model, size)
    assert image is not None
    assert 0 <= image.x <= size.width - 1 and 0 <= image.y <= size.height - 1
    back_x, back_y = image.x * ew / size.width, image.y * eh / size.height
    # the error, measured in image pixels, is at most one (only the far edge is pulled in)
    assert abs(back_x - model.x) * size.width / ew <= 1 + 1e-9
    assert abs(back_y - model.y) * size.height / eh <= 1 + 1e-9
    if size.width >= ew and size.height >= eh:  # measured in model pixels too
        assert abs(back_x - model.x) <= 1 + 1e-9 and abs(back_y - model.y) <= 1 + 1e-9


def reply(name: str, x: int, y: int) -> str:
    if name == "ui-tars":
        return f"Thought: click it\nAction: click(point='<point>{x} {y}</point>')"
    if name == "json":
        return json.dumps({"actions": [{"kind": "click", "at": {"x": x, "y": y}}]})
    if name == "holo":
        return json.dumps({"note": None, "thought": "", "tool_call": {"tool_name": "click", "x": x, "y": y}})
    call = {"name": "computer_use", "arguments": {"action": "left_click", "coordinate": [x, y]}}
    return f"<tool_call>\n{json.dumps(call)}\n</tool_call>"


@pytest.mark.parametrize("name", DIALECT_NAMES)
@given(size=sizes, fx=st.floats(0, 1), fy=st.floats(0, 1))
def test_a_target_survives_the_model_writing_whole_numbers(
    name: str, size: Size, fx: float, fy: float
) -> None:
    dialect = dialect_for("m", override=name)
    ew, eh = dialect.model_space(size).extent
    target_x, target_y = fx * (size.width - 1), fy * (size.height - 1)
    written_x, written_y = round(target_x * ew / size.width), round(target_y * eh / size.height)

    parsed = dialect.parse(reply(name, written_x, written_y), observation(size))

    assert isinstance(parsed, Decision), getattr(parsed, "problem", parsed)
    (click,) = parsed.actions
    assert isinstance(click, Click)
    # rounding to a whole model pixel costs at most half a model pixel, in image pixels
    assert abs(click.at.x - target_x) <= 0.5 * size.width / ew + 1e-6
    assert abs(click.at.y - target_y) <= 0.5 * size.height / eh + 1e-6


@pytest.mark.parametrize("name", DIALECT_NAMES)
@given(size=sizes, overshoot=st.integers(1, 5000), axis=st.sampled_from(["x", "y"]))
def test_points_outside_the_frame_are_refused_not_clamped(
    name: str, size: Size, overshoot: int, axis: str
) -> None:
    dialect = dialect_for("m", override=name)
    ew, eh = dialect.model_space(size).extent
    x, y = (ew + overshoot, 0) if axis == "x" else (0, eh + overshoot)
    parsed = dialect.parse(reply(name, x, y), observation(size))
    assert isinstance(parsed, Unparseable)
    assert "outside the screen" in parsed.problem


def test_hd_shot_sent_as_is_maps_through_the_resized_frame() -> None:
    dialect = dialect_for("m", override="qwen2.5-vl")
    parsed = dialect.parse(reply("qwen2.5-vl", 1316, 728), observation(Size(1920, 1080)))
    assert isinstance(parsed, Decision)
    (click,) = parsed.actions
    assert isinstance(click, Click)
    assert (click.at.x, click.at.y) == (1919, 1079)
    assert math.isclose(dialect.model_space(Size(1920, 1080)).extent.width, 1316)
