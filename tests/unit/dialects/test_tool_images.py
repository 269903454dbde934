"""Pictures an MCP tool returned go to the model with the newest screenshots, in every dialect."""

from __future__ import annotations

import pytest

from deskhand.core.geometry import Rect, ScreenGeometry, Size
from deskhand.core.observation import Observation
from deskhand.core.outcome import StepMemory
from deskhand.vision.dialects import dialect_for
from deskhand.vision.dialects.common import TOOL_IMAGE

GEOMETRY = ScreenGeometry(image_size=Size(1316, 728), screen_rect=Rect(0, 0, 1920, 1080))


def observation(n: int) -> Observation:
    return Observation(
        id=f"o{n}", image=b"shot%d" % n, mime="image/jpeg", geometry=GEOMETRY, capture_ms=0, encode_ms=0
    )


@pytest.mark.parametrize("model", ["qwen2.5vl:7b", "qwen3-vl:8b", "ui-tars-1.5:7b", "llava:13b"])
def test_a_tool_picture_comes_right_before_the_next_screenshot(model: str) -> None:
    dialect = dialect_for(model, None)
    history = [StepMemory("o1", b"shot1", "called the tool", "returned a picture", tool_images=(b"PICTURE",))]
    turns = dialect.conversation("look", history, observation(2)).turns
    images = [t.image for t in turns if t.image is not None]
    assert images == [b"shot1", b"PICTURE", b"shot2"]
    picture = next(t for t in turns if t.image == b"PICTURE")
    assert picture.role == "user" and picture.text == TOOL_IMAGE


def test_old_tool_pictures_leave_with_old_screenshots() -> None:
    dialect = dialect_for("qwen2.5vl:7b", None)
    history = [StepMemory(f"o{n}", b"shot%d" % n, "a", "b", tool_images=(b"PIC%d" % n,)) for n in range(1, 6)]
    turns = dialect.conversation("look", history, observation(6)).turns
    assert b"PIC1" not in [t.image for t in turns]
    assert b"PIC5" in [t.image for t in turns]
