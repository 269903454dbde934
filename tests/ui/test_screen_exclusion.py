"""Our windows leave the screenshot but not the screen: hidden around the grab only."""

from __future__ import annotations

import io
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import Image
from pytestqt.qtbot import QtBot

from deskhand.app.platform.screen_exclusion import ExcludingScreen, OurWindows, pointer_rects
from deskhand.app.tray.gui_call import GuiInvoker
from deskhand.app.windows.stop_bar import StopBar
from deskhand.core.actions import Click, Drag, Scroll, ScrollDirection, TypeText
from deskhand.core.geometry import Grid, ImagePoint, Rect, ScreenGeometry, Size
from deskhand.vision.capture import MssScreen
from tests.ui.conftest import Form, x
from tests.ui.test_app_flow import red_pixels

pytestmark = [pytest.mark.desktop, pytest.mark.usefixtures("window_manager")]

GRID = Grid(factor=28, min_pixels=3136, max_pixels=1003520)


def test_a_screenshot_over_the_bare_desktop_and_over_an_app(
    qtbot: QtBot, start_form: Callable[..., Form]
) -> None:
    start_form(place="top-left")
    focused = x("xdotool", "getactivewindow")
    windows = OurWindows(GuiInvoker())
    bars = [StopBar(), StopBar()]
    for bar, where in zip(bars, [(700, 8), (0, 40)], strict=True):  # empty desktop; over the form
        qtbot.addWidget(bar)
        windows.register(bar)
        bar.show()
        bar.move(*where)
        qtbot.waitExposed(bar)
    observed = []
    screen = ExcludingScreen(MssScreen(Rect(0, 0, 1920, 1080), GRID), windows, on_observed=observed.append)
    observation = qtbot_call(qtbot, screen.observe)
    assert red_pixels(Image.open(io.BytesIO(observation.image))) == 0
    assert observed == [observation]
    qtbot.waitUntil(lambda: all(bar.isVisible() for bar in bars))
    assert x("xdotool", "getactivewindow") == focused  # restored without taking the focus
    assert screen.last_overhead_ms > 0


def qtbot_call(qtbot: QtBot, fn: Callable[[], object]) -> object:
    """Run ``fn`` on a worker thread (as the loop does) while the GUI thread serves it."""
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(fn)
        qtbot.waitUntil(future.done, timeout=10_000)
        return future.result()


def test_pointer_targets_in_desktop_coordinates() -> None:
    geometry = ScreenGeometry(image_size=Size(960, 540), screen_rect=Rect(1920, 0, 1920, 1080))
    assert pointer_rects(Click(at=ImagePoint(x=10, y=20)), geometry) == [Rect(1938, 38, 5, 5)]
    drag = Drag(start=ImagePoint(x=0, y=0), end=ImagePoint(x=100, y=100))
    assert pointer_rects(drag, geometry) == [Rect(1918, -2, 5, 5), Rect(2118, 198, 5, 5)]
    assert pointer_rects(Scroll(direction=ScrollDirection.DOWN), geometry) == []
    assert pointer_rects(TypeText(text="hi"), geometry) == []
