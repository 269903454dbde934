"""Schedules in the tray app, on a clock the test moves: a due task runs against the fake
model and is marked in History; its risky step waits for the person (with a notification)
and is denied when nobody answers; a schedule missed while the app was off runs once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from deskhand.app.store.audit_database import default_path
from deskhand.app.store.audit_log import AuditLog
from deskhand.app.store.config import load_settings
from deskhand.app.store.schedule_store import Schedule, ScheduleStore
from deskhand.app.store.settings_store import personal_db_path
from deskhand.app.tray.controller import DeskhandApp
from deskhand.core.loop import TaskResult, TaskStatus
from tests.fakeollama import FakeOllama

pytestmark = [pytest.mark.desktop, pytest.mark.usefixtures("window_manager")]

START = datetime(2026, 12, 3, 8, 59)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(ollama: FakeOllama) -> ScheduleStore:
    return ScheduleStore(personal_db_path(load_settings()))


class Answers:
    """What the test's user answers to "run the missed schedules now?", and what was asked."""

    def __init__(self) -> None:
        self.run = True
        self.asked: list[list[Schedule]] = []

    def __call__(self, missed: list[Schedule]) -> bool:
        self.asked.append(missed)
        return self.run


@pytest.fixture
def answers() -> Answers:
    return Answers()


@pytest.fixture
def app(clock: Clock, answers: Answers) -> Iterator[DeskhandApp]:
    app = DeskhandApp(clock=clock, confirm_timeout=1.0, confirm_missed=answers)
    notes: list[tuple[str, str]] = []
    app.notify = lambda title, message, error: notes.append((title, message))
    app.notes = notes  # type: ignore[attr-defined]
    yield app
    app.shutdown()


def test_a_due_schedule_runs_and_its_risky_step_is_denied_when_nobody_answers(
    app: DeskhandApp, qtbot: QtBot, ollama: FakeOllama, store: ScheduleStore, clock: Clock, tmp_path: Path
) -> None:
    target = tmp_path / "made-by-schedule"
    schedule = store.add("every day 09:00", "Make the file", START)
    ollama.script([{"do": "shell", "command": f"touch {target}"}, {"do": "finish", "summary": "tried"}])
    app.start_schedules()
    app.run_due_schedules()
    assert not app.session.running  # 08:59: not yet
    clock.now = START + timedelta(minutes=1, seconds=5)
    with qtbot.waitSignal(app.dialogs.opened, timeout=30_000):
        app.run_due_schedules()
    with qtbot.waitSignal(app.task_ended, timeout=30_000) as ended:
        pass  # nobody answers: the dialog times out after confirm_timeout and denies
    result = ended.args[0]
    assert isinstance(result, TaskResult) and result.status is TaskStatus.FINISHED, result
    assert not target.exists()
    # The timed-out dialog deletes itself later: let that happen while its host is alive.
    qtbot.waitUntil(lambda: not app.dialogs._alive, timeout=5_000)
    titles = [title for title, _ in app.notes]  # type: ignore[attr-defined]
    assert "Deskhand: scheduled task" in titles and "Deskhand: a scheduled task needs you" in titles
    assert "Scheduled task finished" in titles
    audit = AuditLog(default_path())
    try:
        task = audit.tasks()[0]
        assert (task.task, task.origin) == ("Make the file", "scheduled")
        assert audit.steps(task.id)[0].record.to_json_dict()["user_answers"] == ["deny"]
    finally:
        audit.close()
    assert store.get(schedule.id).describe_next() == "2026-12-04 09:00"
    app.run_due_schedules()
    assert not app.session.running  # ran once; the next run is tomorrow


def test_a_schedule_missed_while_the_app_was_off_runs_once_if_the_user_allows(
    app: DeskhandApp, qtbot: QtBot, ollama: FakeOllama, store: ScheduleStore, clock: Clock, answers: Answers
) -> None:
    schedule = store.add("every 1h", "Check the mail", START)
    clock.now = START + timedelta(hours=3, minutes=10)  # three runs missed
    ollama.script([{"do": "finish", "summary": "checked"}])
    with qtbot.waitSignal(app.task_ended, timeout=30_000) as ended:
        app.start_schedules()
    assert isinstance(ended.args[0], TaskResult) and ended.args[0].status is TaskStatus.FINISHED
    assert [[s.id for s in missed] for missed in answers.asked] == [[schedule.id]]
    app.run_due_schedules()
    assert not app.session.running  # once, not three times
    assert len(ollama.chat_requests) == 1


def test_missed_schedules_the_user_declines_wait_for_their_next_time(
    app: DeskhandApp, qtbot: QtBot, ollama: FakeOllama, store: ScheduleStore, clock: Clock, answers: Answers
) -> None:
    schedule = store.add("every day 09:00", "Water the plants", START)
    clock.now = START + timedelta(days=1, hours=3)
    answers.run = False
    app.start_schedules()
    qtbot.wait(200)  # stays: the timer's first check runs in this while, and must start nothing
    assert len(answers.asked) == 1
    assert not app.session.running and ollama.chat_requests == []
    assert store.get(schedule.id).describe_next() == "2026-12-05 09:00"
