"""The loop remembers where it put the pointer, so a drag "from the pointer" can follow a
move made in an earlier turn (Qwen's cookbook agent makes one call per turn)."""

from __future__ import annotations

import json

from deskhand.core.actions import Click, Drag, Hotkey, Move, Scroll, ScrollDirection, TypeText
from deskhand.core.geometry import ImagePoint, Rect, ScreenGeometry, Size
from deskhand.core.loop import TaskStatus, run_task
from deskhand.core.observation import Observation
from deskhand.core.pointer import Pointer, pointer_after, with_pointer
from deskhand.vision.dialects import dialect_for
from tests.fakes import GEOMETRY, FakeModel, make_parts

SMALL = ScreenGeometry(image_size=Size(658, 364), screen_rect=Rect(0, 0, 1920, 1080))


def call(**arguments: object) -> str:
    return "<tool_call>\n" + json.dumps({"name": "computer_use", "arguments": arguments}) + "\n</tool_call>"


def test_pointer_actions_leave_the_pointer_where_they_land() -> None:
    before = Pointer(ImagePoint(x=1, y=2), GEOMETRY)
    at, end = ImagePoint(x=658, y=364), ImagePoint(x=100, y=50)
    assert pointer_after(Click(at=at), GEOMETRY, before) == Pointer(at, GEOMETRY)
    assert pointer_after(Move(at=at), GEOMETRY, None) == Pointer(at, GEOMETRY)
    assert pointer_after(Drag(start=at, end=end), GEOMETRY, None) == Pointer(end, GEOMETRY)
    assert pointer_after(Scroll(direction=ScrollDirection.DOWN, amount=1, at=at), GEOMETRY, None) is not None
    for unmoved in (
        TypeText(text="x"),
        Hotkey(keys=("enter",)),
        Scroll(direction=ScrollDirection.UP, amount=1),
    ):
        assert pointer_after(unmoved, GEOMETRY, before) == before


def test_the_next_observation_has_the_pointer_in_its_own_image_pixels() -> None:
    observation = Observation("o", b"j", "image/jpeg", SMALL, 1.0, 1.0)
    centre = Pointer(ImagePoint(x=658, y=364), GEOMETRY)  # screen (960, 540)
    assert with_pointer(observation, None).pointer is None
    assert with_pointer(observation, centre).pointer == ImagePoint(x=329, y=182)  # a smaller screenshot
    same = Observation("o", b"j", "image/jpeg", GEOMETRY, 1.0, 1.0)
    assert with_pointer(same, centre).pointer == centre.at  # the same screenshot size: exactly
    moved = ScreenGeometry(image_size=Size(1316, 728), screen_rect=Rect(1920, 0, 1920, 1080))
    assert with_pointer(Observation("o", b"j", "image/jpeg", moved, 1.0, 1.0), centre).pointer is None


def test_a_move_then_a_drag_in_the_next_turn_drags_from_the_moved_pointer() -> None:
    replies = [
        call(action="mouse_move", coordinate=[100, 200]),
        call(action="left_click_drag", coordinate=[300, 220]),
        call(action="terminate", status="success"),
    ]
    parts, p = make_parts([], model=FakeModel(replies), dialect=dialect_for("qwen2.5vl:7b"))
    result = run_task("drag it", parts)
    assert result.status is TaskStatus.FINISHED, result.message
    executed = [a.action for a in p["executor"].executed]  # type: ignore[attr-defined]
    assert executed == [
        Move(at=ImagePoint(x=100, y=200)),
        Drag(start=ImagePoint(x=100, y=200), end=ImagePoint(x=300, y=220)),
    ]


def test_a_drag_with_no_known_pointer_is_still_refused() -> None:
    replies = [call(action="left_click_drag", coordinate=[300, 220])] * 3
    parts, p = make_parts([], model=FakeModel(replies), dialect=dialect_for("qwen3-vl:8b"))
    result = run_task("drag it", parts)
    assert result.status is TaskStatus.FAILED and "cursor is, which is unknown" in result.message
    assert p["executor"].executed == []  # type: ignore[attr-defined]
