"""Pointer actions land on the exact screen pixel the screenshot geometry says."""

from __future__ import annotations

import pytest

from deskhand.actions.gui import GuiExecutor
from deskhand.core.actions import Click, Drag, MouseButton, Move, Scroll, ScrollDirection
from deskhand.core.errors import Stopped
from deskhand.core.geometry import ImagePoint, Rect, ScreenGeometry, Size
from tests.desktop.conftest import FULL, approved, never, wait_until, xdotool

pytestmark = pytest.mark.desktop

SCALED = ScreenGeometry(image_size=Size(1316, 728), screen_rect=Rect(0, 0, 1920, 1080))
# A "second monitor" inside the Xvfb screen: offset and a different scale on each axis.
OFFSET = ScreenGeometry(image_size=Size(1316, 728), screen_rect=Rect(960, 540, 960, 540))
THOUSANDTHS = ScreenGeometry(image_size=Size(1000, 1000), screen_rect=Rect(400, 100, 1280, 720))

CASES = [
    # geometry, image point, expected screen pixel (worked out by hand)
    (FULL, (0, 0), (0, 0)),
    (FULL, (1919, 1079), (1919, 1079)),
    (FULL, (123, 456), (123, 456)),
    (SCALED, (658, 364), (960, 540)),
    (SCALED, (1315, 727), (1919, 1079)),  # 1918.54, 1078.52
    (SCALED, (100.4, 50.2), (146, 74)),
    (OFFSET, (0, 0), (960, 540)),
    (OFFSET, (658, 364), (1440, 810)),
    (OFFSET, (329, 182), (1200, 675)),
    (THOUSANDTHS, (500, 500), (1040, 460)),
    (THOUSANDTHS, (250, 750), (720, 640)),
]


@pytest.mark.parametrize(("geometry", "point", "expected"), CASES)
def test_click_lands_on_the_mapped_pixel(start_probe, gui: GuiExecutor, geometry, point, expected):
    probe = start_probe("--rect", "0,0,1920,1080")
    gui.execute(approved(Click(at=ImagePoint(x=point[0], y=point[1])), geometry), should_stop=never)
    press, release = probe.wait_events("press", 1)[0], probe.wait_events("release", 1)[0]
    assert (press["x"], press["y"]) == expected
    assert (release["x"], release["y"]) == expected
    assert press["button"] == release["button"] == "left"


def test_double_and_right_click(start_probe, gui: GuiExecutor):
    probe = start_probe()
    gui.execute(approved(Click(at=ImagePoint(x=300, y=200), count=2), FULL), should_stop=never)
    probe.wait_events("dblclick", 1)
    assert len(probe.wait_events("release", 2)) == 2
    gui.execute(
        approved(Click(at=ImagePoint(x=301, y=201), button=MouseButton.RIGHT), FULL), should_stop=never
    )
    right = [e for e in probe.wait_events("release", 3) if e["button"] == "right"]
    assert [(e["x"], e["y"]) for e in right] == [(301, 201)]


def test_move_without_click(start_probe, gui: GuiExecutor):
    probe = start_probe()
    gui.execute(approved(Move(at=ImagePoint(x=329, y=182)), OFFSET), should_stop=never)
    moves = probe.wait_events("move", 1)
    assert (moves[-1]["x"], moves[-1]["y"]) == (1200, 675)
    assert probe.events("press") == []


def test_drag_presses_at_start_and_releases_at_end(start_probe, gui: GuiExecutor):
    probe = start_probe()
    drag = Drag(start=ImagePoint(x=100, y=100), end=ImagePoint(x=600, y=400))
    gui.execute(approved(drag, SCALED), should_stop=never)
    press, release = probe.wait_events("press", 1)[0], probe.wait_events("release", 1)[0]
    assert (press["x"], press["y"]) == (146, 148)
    assert (release["x"], release["y"]) == (875, 593)
    between = [e for e in probe.events("move") if press["t"] <= e["t"] <= release["t"]]
    assert len(between) >= 5, "a drag that teleports is not seen as a drag"
    xs = [e["x"] for e in between]
    assert xs == sorted(xs)


@pytest.mark.parametrize(
    ("direction", "dx", "dy"),
    [
        (ScrollDirection.UP, 0, 120),
        (ScrollDirection.DOWN, 0, -120),
        # Qt's X11 backend: button 6 (left) is +x, button 7 (right) is -x.
        (ScrollDirection.LEFT, 120, 0),
        (ScrollDirection.RIGHT, -120, 0),
    ],
)
def test_scroll_directions_at_a_point(start_probe, gui: GuiExecutor, direction, dx, dy):
    probe = start_probe()
    scroll = Scroll(direction=direction, amount=3, at=ImagePoint(x=658, y=364))
    gui.execute(approved(scroll, OFFSET), should_stop=never)
    wheels = probe.wait_events("wheel", 3)
    assert [(e["dx"], e["dy"]) for e in wheels] == [(dx, dy)] * 3
    assert {(e["x"], e["y"]) for e in wheels} == {(1440, 810)}


def test_scroll_without_point_uses_the_pointer(start_probe, gui: GuiExecutor):
    probe = start_probe()
    xdotool("mousemove", "700", "300")
    gui.execute(approved(Scroll(direction=ScrollDirection.DOWN, amount=2), FULL), should_stop=never)
    wheels = probe.wait_events("wheel", 2)
    assert {(e["x"], e["y"]) for e in wheels} == {(700, 300)}


def test_corner_the_model_chose_is_not_an_emergency_stop(start_probe, gui: GuiExecutor):
    probe = start_probe()
    gui.execute(approved(Click(at=ImagePoint(x=0, y=0)), FULL), should_stop=never)
    gui.execute(approved(Click(at=ImagePoint(x=500, y=500)), FULL), should_stop=never)
    releases = probe.wait_events("release", 2)
    assert [(e["x"], e["y"]) for e in releases] == [(0, 0), (500, 500)]


def test_pointer_flung_into_a_corner_stops(start_probe, gui: GuiExecutor):
    probe = start_probe()
    gui.execute(approved(Click(at=ImagePoint(x=500, y=500)), FULL), should_stop=never)
    probe.wait_events("release", 1)
    xdotool("mousemove", "0", "0")  # the user's gesture, from another client
    wait_until(lambda: "x:0 y:0" in xdotool("getmouselocation"), 5, "the pointer in the corner")
    with pytest.raises(Stopped, match="corner"):
        gui.execute(approved(Click(at=ImagePoint(x=600, y=600)), FULL), should_stop=never)
    assert len(probe.events("press")) == 1
