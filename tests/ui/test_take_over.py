"""Take over, follow-ups and Stop in the running tray app: real wiring, the fake Ollama over
HTTP, the real Qt form.  The user pauses the agent, works, hands it back; a finished task
goes on with "now also …"; a stopped task does not claim the model is still looking."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from deskhand.app.tray.controller import DeskhandApp
from deskhand.app.tray.session import AgentState
from deskhand.core.loop import TaskResult, TaskStatus
from tests.fakeollama import FakeOllama
from tests.ui.conftest import Form

pytestmark = [pytest.mark.desktop, pytest.mark.usefixtures("window_manager")]


def clicks(form: Form) -> list[object]:
    return [c["button"] for c in form.events("click")]


def test_take_over_holds_the_task_until_resume_then_it_decides_on_a_fresh_screenshot(
    app: DeskhandApp, qtbot: QtBot, ollama: FakeOllama, start_form: Callable[..., Form]
) -> None:
    form = start_form()
    ollama.script([
        {"do": "hang", "seconds": 2, "then": {"do": "click", "target": "Apply"}},
        {"do": "click", "target": "Apply"},
        {"do": "finish", "summary": "Applied."},
    ])  # fmt: skip
    bar = app.stop_bar
    with qtbot.waitSignal(app.task_ended, timeout=60_000) as ended:
        assert app.start_task("Click Apply")
        qtbot.waitUntil(lambda: len(ollama.chat_requests) == 1, timeout=30_000)
        qtbot.waitUntil(bar.isVisible)
        assert bar.hold.text() == "Take over"
        qtbot.mouseClick(bar.hold, Qt.MouseButton.LeftButton)  # while the model thinks
        assert app.session.held and app.session.state is AgentState.PAUSED
        assert bar.hold.text() == "Resume" and "paused by you" in app.run_view.status.text()
        # The model's click arrives, and is not done: the step ends, the task holds.
        qtbot.waitUntil(lambda: app.session.last_record is not None, timeout=30_000)
        assert "took over" in app.session.last_record.outcome_text  # type: ignore[union-attr]
        qtbot.wait(700)  # stays: held, so no click and no new screenshot for the model in this while
        assert clicks(form) == [] and len(ollama.chat_requests) == 1
        assert app.session.state is AgentState.PAUSED
        qtbot.mouseClick(bar.hold, Qt.MouseButton.LeftButton)  # Resume
        assert not app.session.held and bar.hold.text() == "Take over"
    result = ended.args[0]
    assert isinstance(result, TaskResult) and result.status is TaskStatus.FINISHED, result
    assert clicks(form) == ["Apply"] and len(ollama.chat_requests) == 3
    assert "took over" in json.dumps(ollama.chat_requests[1].body["messages"])


def test_a_finished_task_takes_a_follow_up_with_its_history(
    app: DeskhandApp, qtbot: QtBot, ollama: FakeOllama, start_form: Callable[..., Form]
) -> None:
    form = start_form()
    ollama.script([{"do": "click", "target": "Apply"}, {"do": "finish", "summary": "Applied."}])
    with qtbot.waitSignal(app.task_ended, timeout=60_000) as ended:
        assert app.start_task("Click Apply")
    assert ended.args[0].status is TaskStatus.FINISHED
    view = app.run_view
    assert app.session.can_follow_up and view.follow_up_row.isVisibleTo(view)
    ollama.clear_requests()
    ollama.script([{"do": "click", "target": "Cancel"}, {"do": "finish", "summary": "Cancelled too."}])
    qtbot.keyClicks(view.follow_up_entry, "now also click Cancel")
    with qtbot.waitSignal(app.task_ended, timeout=60_000) as ended:
        qtbot.keyClick(view.follow_up_entry, Qt.Key.Key_Return)
    assert ended.args[0].status is TaskStatus.FINISHED, ended.args[0]
    assert clicks(form) == ["Apply", "Cancel"]
    first = ollama.chat_requests[0]
    said = json.dumps(first.body["messages"])
    assert "Click Apply" in said and "now also click Cancel" in said and "Applied." in said
    assert len(first.images) >= 2  # the earlier steps' screenshots came along
    assert view.timeline.count() == 4  # both tasks' steps, numbered on
    assert app.session.recent.items[0] == "now also click Cancel"


def test_after_stop_the_run_view_does_not_say_the_model_is_looking(
    app: DeskhandApp, qtbot: QtBot, ollama: FakeOllama
) -> None:
    ollama.script([{"do": "hang", "seconds": 30}])
    with qtbot.waitSignal(app.task_ended, timeout=60_000) as ended:
        assert app.start_task("Open the report")
        qtbot.waitUntil(lambda: len(ollama.chat_requests) == 1, timeout=30_000)
        qtbot.waitUntil(lambda: "looking" in app.run_view.thought.text())
        app.stop()
    assert ended.args[0].status is TaskStatus.STOPPED
    assert "looking" not in app.run_view.thought.text()
    assert "stopped" in app.run_view.message.text()


def test_the_command_bar_offers_a_follow_up_with_a_plus(
    app: DeskhandApp, qtbot: QtBot, ollama: FakeOllama, start_form: Callable[..., Form]
) -> None:
    form = start_form()
    ollama.script([{"do": "click", "target": "Apply"}, {"do": "finish", "summary": "Applied."}])
    with qtbot.waitSignal(app.task_ended, timeout=60_000):
        assert app.start_task("Click Apply")
    app.open_command_bar()
    bar = app.command_bar
    qtbot.waitUntil(bar.isVisible)
    assert "+" in bar.message.text() and "last task" in bar.message.text()
    ollama.clear_requests()
    ollama.script([{"do": "click", "target": "Cancel"}, {"do": "finish", "summary": "Cancelled too."}])
    qtbot.keyClicks(bar.entry, "+ now also click Cancel")
    with qtbot.waitSignal(app.task_ended, timeout=60_000) as ended:
        qtbot.keyClick(bar.entry, Qt.Key.Key_Return)
    assert ended.args[0].status is TaskStatus.FINISHED
    assert clicks(form) == ["Apply", "Cancel"]
    assert "Follow-up: now also click Cancel" in json.dumps(ollama.chat_requests[0].body["messages"])
