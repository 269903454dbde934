"""The History window over a real AuditLog: tasks newest first, steps with the screenshot the
model saw and its target marked, Prev/Next by button and key; and a task really run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from deskhand.app.store.audit_log import AuditLog
from deskhand.app.windows.history import MARK_COLOUR, HistoryWindow
from tests.unit.app.audit_samples import CLICK_AT, IMAGE, crashed_task, fill


@pytest.fixture
def audit(tmp_path: Path) -> Iterator[tuple[AuditLog, int, int]]:
    log = AuditLog(tmp_path / "data" / "audit.sqlite3")
    older, newer = fill(log)
    yield log, older, newer
    log.close()


def open_window(qtbot: QtBot, log: AuditLog) -> HistoryWindow:
    window = HistoryWindow(log)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # shortcuts (PgUp/PgDown) need an active window
    return window


def row(window: HistoryWindow, index: int) -> list[str]:
    return [window.table.item(index, c).text() for c in range(window.table.columnCount())]


def close_to(colour: QColor, expected: QColor) -> bool:
    return all(abs(a - b) < 40 for a, b in zip(colour.getRgb()[:3], expected.getRgb()[:3], strict=True))


def test_tasks_are_listed_newest_first(qtbot: QtBot, audit: tuple[AuditLog, int, int]) -> None:
    log, older, newer = audit
    window = open_window(qtbot, log)
    assert [t.id for t in window.tasks] == [newer, older]
    first, second = row(window, 0), row(window, 1)
    assert first[1:5] == ["Open the pod bay doors", "ui-tars-1.5:7b", "failed", "0"]
    assert second[1:5] == ["Click OK then type hello", "qwen2.5vl:7b", "finished", "3"]
    assert second[5].endswith(" s")
    assert window.table.item(0, 3).toolTip().startswith("Tried to reach Ollama")


def test_a_task_opens_on_its_first_step_with_the_target_marked(
    qtbot: QtBot, audit: tuple[AuditLog, int, int]
) -> None:
    log, older, _ = audit
    window = open_window(qtbot, log)
    window.table.selectRow(1)
    viewer = window.viewer
    assert viewer.title.text() == f"Task {older} · step 1 of 3"
    assert viewer.thought.text() == "The OK button is top right."
    assert viewer.action_list.text() == f"click at ({CLICK_AT[0]:.0f}, {CLICK_AT[1]:.0f})"
    assert viewer.verdicts.text() == "auto: pointer and waiting actions are reversible"
    assert viewer.outcome.text() == "executed"
    assert viewer.timings.text() == "capture 3 · encode 4 · model 812 · parse 0 · total 900 ms"
    assert (viewer.marked.width(), viewer.marked.height()) == IMAGE
    marked = viewer.marked.toImage()
    ring = marked.pixelColor(round(CLICK_AT[0] + 10), round(CLICK_AT[1]))  # on the 10 px ring
    assert close_to(ring, MARK_COLOUR), ring.getRgb()
    assert close_to(marked.pixelColor(5, 5), QColor(20, 40, 90))  # the screenshot itself
    assert not viewer.image.pixmap().isNull()


def test_raw_output_is_collapsed_until_asked_for(qtbot: QtBot, audit: tuple[AuditLog, int, int]) -> None:
    window = open_window(qtbot, audit[0])
    window.table.selectRow(1)
    viewer = window.viewer
    assert viewer.raw.isHidden()
    qtbot.mouseClick(viewer.raw_toggle, Qt.MouseButton.LeftButton)
    assert viewer.raw.isVisible()
    assert viewer.raw.toPlainText() == "<tool_call>raw answer 1</tool_call>"
    qtbot.mouseClick(viewer.raw_toggle, Qt.MouseButton.LeftButton)
    assert viewer.raw.isHidden()


def test_prev_and_next_by_button_and_by_key(qtbot: QtBot, audit: tuple[AuditLog, int, int]) -> None:
    window = open_window(qtbot, audit[0])
    window.table.selectRow(1)
    viewer = window.viewer
    assert not viewer.prev_button.isEnabled() and viewer.next_button.isEnabled()
    qtbot.mouseClick(viewer.next_button, Qt.MouseButton.LeftButton)
    assert viewer.index == 1
    assert viewer.action_list.text() == "type 'hello'"
    assert viewer.answers.text() == "deny"
    assert viewer.outcome.text() == "denied by the user: typing text"
    viewer.setFocus()
    qtbot.keyClick(viewer, Qt.Key.Key_Right)
    assert viewer.index == 2
    assert viewer.action_list.text() == "finish: Typed it."
    assert not viewer.next_button.isEnabled()
    qtbot.keyClick(viewer, Qt.Key.Key_Right)  # past the end: stays
    assert viewer.index == 2
    # PgUp/PgDown are the buttons' shortcuts: the button animates its click, then steps.
    qtbot.keyClick(window.table, Qt.Key.Key_PageUp)
    qtbot.waitUntil(lambda: viewer.index == 1)
    qtbot.keyClick(viewer, Qt.Key.Key_PageDown)
    qtbot.waitUntil(lambda: viewer.index == 2)
    qtbot.keyClick(viewer, Qt.Key.Key_PageUp)
    qtbot.waitUntil(lambda: viewer.index == 1)
    qtbot.keyClick(viewer, Qt.Key.Key_Left)
    assert viewer.index == 0 and viewer.answers.text() == "none asked"


def test_a_task_without_steps(qtbot: QtBot, audit: tuple[AuditLog, int, int]) -> None:
    log, _, newer = audit
    window = open_window(qtbot, log)
    window.open_task(newer)
    assert window.viewer.title.text() == f"Task {newer}: no steps were recorded (failed)."
    assert not window.viewer.next_button.isEnabled() and not window.viewer.prev_button.isEnabled()


def test_reload_shows_new_tasks(qtbot: QtBot, audit: tuple[AuditLog, int, int]) -> None:
    log = audit[0]
    window = open_window(qtbot, log)
    log.begin_task("A third task", model="m", dialect="json", host="h").finish(
        "stopped", "Stopped by the user."
    )
    qtbot.mouseClick(window.refresh_button, Qt.MouseButton.LeftButton)
    assert row(window, 0)[1] == "A third task"
    assert window.table.rowCount() == 3


@pytest.mark.desktop
def test_a_task_really_run_can_be_stepped_through(qtbot: QtBot) -> None:
    """`deskhand do` clicks a real button on its own X display; its audit log opens here."""
    from tests.e2e.xsession import deskhand, x_session
    from tests.fakeollama import FakeOllama

    with x_session(1366, 768) as session, FakeOllama(models={"qwen2.5vl:7b": True}) as server:
        session.start_form(buttons="Apply,Cancel")
        server.script([{"do": "click", "target": "Cancel"}, {"do": "finish", "summary": "Clicked Cancel."}])
        done = deskhand(session, "do", "Click Cancel", "--model", "qwen2.5vl:7b", "--host", server.url)
        assert done.returncode == 0, done.stdout + done.stderr
        log = AuditLog(
            Path(session.env["DESKHAND_DATA_DIR"]) / "audit.sqlite3"
        )  # from isolated (tests/ui/conftest.py)
        try:
            window = open_window(qtbot, log)
            assert row(window, 0)[1:5] == ["Click Cancel", "qwen2.5vl:7b", "finished", "2"]
            window.table.selectRow(0)
            viewer = window.viewer
            assert viewer.action_list.text().startswith("click at (")
            assert viewer.verdicts.text().startswith("auto: ")
            assert viewer.outcome.text() == "executed"
            assert (viewer.marked.width(), viewer.marked.height()) == tuple(viewer.view.image_size)  # type: ignore[union-attr]
            x, y = viewer.view.marks[0]  # type: ignore[union-attr]
            assert close_to(viewer.marked.toImage().pixelColor(round(x), round(y - 12)), MARK_COLOUR)
            qtbot.mouseClick(viewer.next_button, Qt.MouseButton.LeftButton)
            assert (
                viewer.action_list.text().startswith("finish: ")
                and "Clicked Cancel." in viewer.action_list.text()
            )
        finally:
            log.close()


def test_a_scheduled_task_is_marked(qtbot: QtBot, audit: tuple[AuditLog, int, int]) -> None:
    log, _, _ = audit
    scheduled = log.begin_task("Water the plants", model="m", dialect="json", host="h", origin="scheduled")
    scheduled.finish("finished", "watered")
    window = open_window(qtbot, log)
    assert row(window, 0)[1] == "[scheduled] Water the plants"


def test_an_action_a_crash_cut_short_shows_as_started_not_finished(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "data" / "audit.sqlite3"
    task_id = crashed_task(path)
    log = AuditLog(path)
    try:
        window = open_window(qtbot, log)
        window.open_task(task_id)
        viewer = window.viewer
        qtbot.mouseClick(viewer.next_button, Qt.MouseButton.LeftButton)
        assert viewer.action_list.text() == "type 'a long report'"
        assert viewer.outcome.text() == "started, not finished (interrupted)"
    finally:
        log.close()
