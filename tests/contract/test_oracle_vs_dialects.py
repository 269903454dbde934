"""End to end through text: the oracle's answer, read by Deskhand's own dialect parser, lands
on the label in image pixels -- the fake and ``deskhand.vision.dialects`` agree."""

from __future__ import annotations

import pytest

from deskhand.core.actions import Click, Decision, Drag, Finish
from deskhand.core.geometry import Rect, ScreenGeometry, Size
from deskhand.core.observation import Observation
from deskhand.vision.dialects import DIALECT_NAMES, dialect_for
from tests.fakeollama.render import Context, reply
from tests.fakeollama.screens import LABELS, Screen, render

SIZES = [(1316, 728), (1280, 720), (800, 600), (1920, 1080)]


def observe(screen: Screen) -> Observation:
    geometry = ScreenGeometry(image_size=Size(*screen.size), screen_rect=Rect(0, 0, *screen.size))
    return Observation(
        id="s1", image=screen.data, mime="image/jpeg", geometry=geometry, capture_ms=0, encode_ms=0
    )


def parsed(dialect: str, step: dict[str, object], screen: Screen, index: int = 0) -> Decision:
    raw = reply(dict(step), Context(dialect, screen.data, "", index))
    result = dialect_for("any", dialect).parse(raw, observe(screen))
    assert isinstance(result, Decision), (raw, result)
    return result


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("dialect", DIALECT_NAMES)
def test_clicks_land_on_the_label(dialect: str, size: tuple[int, int]) -> None:
    screen = render(size)
    for i, label in enumerate(LABELS):
        (action,) = parsed(dialect, {"do": "click", "target": label.text}, screen, i).actions
        assert isinstance(action, Click)
        x, y = screen.centres[label.text]
        assert abs(action.at.x - x) <= 3 and abs(action.at.y - y) <= 3, (label, action)


@pytest.mark.parametrize("dialect", DIALECT_NAMES)
def test_drags_and_give_ups_read_back(dialect: str) -> None:
    screen = render((1280, 720))
    (drag,) = parsed(dialect, {"do": "drag", "target": "File", "to": "Cancel"}, screen).actions
    assert isinstance(drag, Drag)
    assert abs(drag.end.x - screen.centres["Cancel"][0]) <= 3
    if dialect != "ui-tars":  # UI-TARS cannot give up; it hands over to the user instead
        (gave_up,) = parsed(dialect, {"do": "click", "target": "Nowhere"}, screen).actions
        assert isinstance(gave_up, Finish) and not gave_up.success
