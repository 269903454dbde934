"""Each window on its own: icons, command bar, run view (with its marker), stop bar."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from PIL import Image
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QCursor, QGuiApplication
from pytestqt.qtbot import QtBot

from deskhand.app.tray.session import AgentState
from deskhand.app.windows.command_bar import WIDTH, CommandBar
from deskhand.app.windows.icons import COLOURS, state_icon, state_pixmap
from deskhand.app.windows.marker import MARKER
from deskhand.app.windows.run_view import RunView
from deskhand.app.windows.stop_bar import StopBar
from deskhand.core.actions import Click, Decision
from deskhand.core.geometry import ImagePoint, Rect, ScreenGeometry, Size
from deskhand.core.loop import TaskResult, TaskStatus
from deskhand.core.observation import Observation
from deskhand.core.trace import StepRecord
from tests.ui.conftest import x
from tests.ui.records import step_record

GEOMETRY = ScreenGeometry(image_size=Size(1316, 728), screen_rect=Rect(0, 0, 1920, 1080))


def test_every_state_has_its_own_icon(qtbot: QtBot) -> None:
    centres = set()
    for state in AgentState:
        pixmap = state_pixmap(state, 32)
        assert not state_icon(state).isNull()
        edge = pixmap.toImage().pixelColor(16, 3)  # the badge's rim: the state's colour
        assert edge.name() == COLOURS[state].name()
        centres.add(pixmap.toImage().convertToFormat(pixmap.toImage().Format.Format_RGB32).bits().tobytes())
    assert len(centres) == len(AgentState)


@pytest.fixture
def command_bar(qtbot: QtBot) -> Iterator[CommandBar]:
    bar = CommandBar()
    qtbot.addWidget(bar)
    yield bar
    bar.hide()


@pytest.mark.usefixtures("window_manager")
def test_command_bar_opens_at_the_top_centre_of_the_pointer_s_screen(
    qtbot: QtBot, command_bar: CommandBar
) -> None:
    QCursor.setPos(300, 500)
    command_bar.open(["newest", "older"])
    qtbot.waitUntil(command_bar.isActiveWindow)
    area = QGuiApplication.screenAt(QPoint(300, 500)).availableGeometry()
    assert command_bar.x() == area.center().x() - WIDTH // 2
    assert command_bar.y() < area.height() // 3
    assert command_bar.entry.hasFocus()


@pytest.mark.usefixtures("window_manager")
def test_command_bar_keys(qtbot: QtBot, command_bar: CommandBar) -> None:
    command_bar.open(["newest", "older"])
    qtbot.waitUntil(command_bar.isActiveWindow)
    entry = command_bar.entry
    qtbot.keyClicks(entry, "dra")
    qtbot.keyClick(entry, Qt.Key.Key_Up)
    assert entry.text() == "newest"
    qtbot.keyClick(entry, Qt.Key.Key_Up)
    assert entry.text() == "older"
    qtbot.keyClick(entry, Qt.Key.Key_Down)
    qtbot.keyClick(entry, Qt.Key.Key_Down)
    assert entry.text() == "dra"
    with qtbot.waitSignal(command_bar.submitted) as submitted:
        qtbot.keyClicks(entry, "ft")
        qtbot.keyClick(entry, Qt.Key.Key_Return)
    assert submitted.args == ["draft"]
    assert not command_bar.isVisible()
    command_bar.open([])
    qtbot.keyClick(command_bar.entry, Qt.Key.Key_Return)  # empty: nothing happens
    assert command_bar.isVisible()
    qtbot.keyClick(command_bar.entry, Qt.Key.Key_Escape)
    assert not command_bar.isVisible()


def test_command_bar_shows_a_hint(qtbot: QtBot, command_bar: CommandBar) -> None:
    command_bar.open(["x"], "Last task failed: boom.  Press ↑ to retry.")
    assert command_bar.message.isVisible() and "↑" in command_bar.message.text()


def jpeg(size: Size) -> bytes:
    data = io.BytesIO()
    Image.new("RGB", size, (200, 200, 200)).save(data, "JPEG")
    return data.getvalue()


def click_record(targets: list[list[int] | None]) -> StepRecord:
    return step_record(
        observation_id="obs",
        thought="The Apply button is in the form.",
        actions=[{"kind": "click", "at": {"x": 658.0, "y": 364.0}, "button": "left", "count": 1}],
        screen_targets=targets,
        verdicts=[{"level": "auto", "reason": "pointer and waiting actions are reversible"}],
        user_answers=[None],
        timings_ms={"capture": 3.0, "encode": 9.0, "model": 812.0, "total": 900.0},
    )


def test_run_view_marks_where_the_action_lands(qtbot: QtBot) -> None:
    view = RunView()
    qtbot.addWidget(view)
    view.resize(800, 700)
    view.show()
    qtbot.waitExposed(view)
    view.begin("Click Apply")
    observation = Observation("obs", jpeg(GEOMETRY.image_size), "image/jpeg", GEOMETRY, 3.0, 9.0)
    view.show_observation(1, observation)
    assert "looking" in view.thought.text()
    view.show_decision(1, Decision(thought="Apply is there.", actions=(Click(at=ImagePoint(x=329, y=182)),)))
    shown = view.screenshot
    assert len(shown.points) == 1
    assert (round(shown.points[0].x), round(shown.points[0].y)) == (329, 182)
    # The step's record says the click landed at desktop (960, 540): the image's centre.
    view.show_record(click_record([[960, 540]]), observation)
    assert (round(shown.points[0].x), round(shown.points[0].y)) == (658, 364)
    centre = shown.widget_point(shown.points[0])
    grab = shown.grab().toImage()
    ring = [grab.pixelColor(int(centre.x()), int(centre.y() + dy)) for dy in range(10, 22)]  # the arrow
    assert QColor(MARKER).name() in {c.name() for c in ring} or any(
        c.red() > 180 and c.green() < 120 for c in ring
    )
    assert "click at (960, 540)" in view.action_list.text()  # the screen point
    assert "auto: pointer" in view.action_list.text()
    assert view.timings.text().startswith("ms: capture 3 · encode 9 · model 812")
    assert "total 900" in view.timings.text()
    view.show_result(TaskResult(TaskStatus.FINISHED, "Clicked.", 2))
    assert "finished after 2 step(s): Clicked." in view.message.text()
    view.show_error("Tried to reach Ollama, but no.")
    assert "retry" in view.message.text()


def test_a_target_on_another_monitor_gets_no_marker(qtbot: QtBot) -> None:
    view = RunView()
    qtbot.addWidget(view)
    observation = Observation("obs", jpeg(GEOMETRY.image_size), "image/jpeg", GEOMETRY, 3.0, 9.0)
    view.show_record(click_record([[2500, 100], None]), observation)
    assert view.screenshot.points == []


def test_stop_bar_is_a_tool_window_that_refuses_focus(qtbot: QtBot) -> None:
    bar = StopBar()
    qtbot.addWidget(bar)
    flags = bar.windowFlags()
    assert flags & Qt.WindowType.WindowDoesNotAcceptFocus
    assert flags & Qt.WindowType.WindowStaysOnTopHint
    assert bar.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    with qtbot.waitSignal(bar.stop_clicked):
        qtbot.mouseClick(bar.stop, Qt.MouseButton.LeftButton)
    bar.set_status(AgentState.ACTING, "Step 2: acting. " + "a very long task " * 20, stopping=True)
    assert bar.status.text().endswith("…") and not bar.stop.isEnabled()


@pytest.mark.desktop
@pytest.mark.usefixtures("window_manager")
def test_stop_bar_does_not_take_the_focus_when_shown_or_clicked(qtbot: QtBot, start_form: object) -> None:
    start_form()  # type: ignore[operator]
    before = x("xdotool", "getactivewindow")
    bar = StopBar()
    qtbot.addWidget(bar)
    bar.show_near_cursor()
    qtbot.waitExposed(bar)
    qtbot.wait(200)  # stays: a misbehaving window manager's chance to move the focus
    assert x("xdotool", "getactivewindow") == before
    centre = bar.details.mapToGlobal(bar.details.rect().center())
    with qtbot.waitSignal(bar.details_clicked):
        x("xdotool", "mousemove", str(centre.x()), str(centre.y()), "click", "1")
    assert x("xdotool", "getactivewindow") == before


def test_stop_bar_elides_to_the_width_it_really_has_and_keeps_the_whole_text_in_the_tooltip(
    qtbot: QtBot,
) -> None:
    bar = StopBar()
    qtbot.addWidget(bar)
    bar.show_near_cursor()  # sized for "Starting…", as in the app
    qtbot.waitExposed(bar)
    text = (
        "Step 1: paused. Tried to reach Ollama at http://127.0.0.1:11434, but the connection was "
        "refused. Retrying in 4 s (attempt 3); Stop ends the task."
    )
    bar.set_status(AgentState.PAUSED, text)
    label = bar.status
    shown = label.text()
    assert shown.endswith("…") and text.startswith(shown[:-1])
    assert label.fontMetrics().horizontalAdvance(shown) <= label.contentsRect().width()
    assert label.toolTip() == text
    assert bar.geometry().right() <= bar.screen().availableGeometry().right()
