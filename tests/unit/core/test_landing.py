"""Where an action lands is worked out once (``core.landing``) and every part agrees.

A drag grabs what is under its start and lands at its end: the inspector judges the start,
the executor presses at the start and releases at the end, the record, settle and the
marker show the end, our windows step out of the way of both, and the repeat guard
compares both.
"""

from __future__ import annotations

from pydantic import TypeAdapter

from deskhand.core.actions import Action
from deskhand.core.element_info import ElementInfo
from deskhand.core.geometry import ImagePoint, Rect, ScreenGeometry, ScreenPoint, Size
from deskhand.core.inspection import find_element
from deskhand.core.landing import landing_points, lands_at, pointer_path
from deskhand.core.observation import Observation
from deskhand.core.repeat_guard import RepeatGuard
from deskhand.core.step_log import landing_point

GEOMETRY = ScreenGeometry(image_size=Size(1000, 500), screen_rect=Rect(1920, 100, 2000, 1000))
_ACTION: TypeAdapter[Action] = TypeAdapter(Action)
DRAG = _ACTION.validate_python({"kind": "drag", "start": {"x": 100, "y": 50}, "end": {"x": 500, "y": 250}})
START, END = ScreenPoint(x=2120, y=200), ScreenPoint(x=2920, y=600)


def _observation(name: str = "one") -> Observation:
    return Observation(name, b"", "image/jpeg", GEOMETRY, 0.0, 0.0, fingerprint=bytes(16))


class _Recording:
    """An inspector that answers with the point it was asked about."""

    def __init__(self) -> None:
        self.asked: list[ScreenPoint] = []

    def prepare(self, observation: Observation) -> None: ...

    def inspect(self, point: ScreenPoint, observation: Observation) -> ElementInfo | None:
        self.asked.append(point)
        return ElementInfo(label=f"{point.x},{point.y}", role="list item", source="a11y")

    def focused(self, observation: Observation) -> ElementInfo | None:
        return None


def test_each_pointer_action_lands_on_its_points_in_order() -> None:
    click = _ACTION.validate_python({"kind": "click", "at": {"x": 0, "y": 0}, "button": "right"})
    move = _ACTION.validate_python({"kind": "move", "at": {"x": 999, "y": 499}})
    scroll_over = _ACTION.validate_python({"kind": "scroll", "direction": "down", "at": {"x": 500, "y": 0}})
    scroll_here = _ACTION.validate_python({"kind": "scroll", "direction": "down"})
    typing = _ACTION.validate_python({"kind": "type_text", "text": "hi"})
    assert landing_points(click, GEOMETRY) == (ScreenPoint(x=1920, y=100),)
    assert landing_points(move, GEOMETRY) == (ScreenPoint(x=3918, y=1098),)
    assert landing_points(DRAG, GEOMETRY) == (START, END)
    assert landing_points(scroll_over, GEOMETRY) == (ScreenPoint(x=2920, y=100),)
    assert landing_points(scroll_here, GEOMETRY) == () == landing_points(typing, GEOMETRY)
    assert pointer_path(DRAG) == (ImagePoint(x=100, y=50), ImagePoint(x=500, y=250))


def test_a_drag_is_judged_where_it_grabs_and_recorded_where_it_lands() -> None:
    inspector = _Recording()
    target = find_element(inspector, DRAG, _observation())
    assert inspector.asked == [START] and target is not None and target.label == "2120,200"
    assert landing_point(DRAG, GEOMETRY) == [END.x, END.y]
    assert lands_at(DRAG) == ImagePoint(x=500, y=250)  # the marker: image space, no round trip


def test_the_repeat_guard_tells_drags_apart_by_either_end() -> None:
    guard = RepeatGuard()
    guard.executed(DRAG, _observation("one"))
    same = _observation("two")
    assert guard.check(DRAG, same) is not None
    other_end = _ACTION.validate_python(
        {"kind": "drag", "start": {"x": 100, "y": 50}, "end": {"x": 900, "y": 250}}
    )
    other_start = _ACTION.validate_python(
        {"kind": "drag", "start": {"x": 700, "y": 50}, "end": {"x": 500, "y": 250}}
    )
    assert guard.check(other_end, same) is None
    assert guard.check(other_start, same) is None
