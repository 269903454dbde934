"""SessionModel, recent commands and the Up/Down walker: plain Python, no QApplication."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from deskhand.app.store.recent import MAX_RECENT, HistoryWalker, RecentCommands
from deskhand.app.tray.session import AgentState, SessionError, SessionModel
from deskhand.core.actions import Click, Decision
from deskhand.core.geometry import ImagePoint
from deskhand.core.loop import TaskResult, TaskStatus
from deskhand.core.outcome import StepMemory
from tests.ui.records import step_record


@pytest.fixture
def session(tmp_path: Path) -> SessionModel:
    return SessionModel(RecentCommands(tmp_path / "recent.json"))


def test_no_qt_needed() -> None:
    code = "import sys, deskhand.app.tray.session, deskhand.app.store.recent; print('PySide6' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_launcher_imports_neither_qt_nor_pyautogui_before_it_runs() -> None:
    code = "import sys, deskhand.app.tray.launch; print(sorted(m for m in ('PySide6', 'pyautogui') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_task_walks_through_the_states(session: SessionModel) -> None:
    seen: list[AgentState] = []
    session.subscribe(lambda: seen.append(session.state))
    assert session.state is AgentState.IDLE and not session.running
    session.start("  Click Apply  ")
    assert (session.task, session.step, session.state) == ("Click Apply", 1, AgentState.THINKING)
    session.decided(1, Decision(thought="t", actions=(Click(at=ImagePoint(x=1, y=2)),)))
    assert session.state is AgentState.ACTING
    session.waiting()
    assert session.state is AgentState.WAITING
    assert "waiting for you, step 1: Click Apply" in session.status_text()
    session.answered()
    assert session.state is AgentState.ACTING
    session.recorded(step_record(1))
    assert (session.state, session.step, session.last_record) == (AgentState.THINKING, 2, step_record(1))
    session.finished(TaskResult(TaskStatus.FINISHED, "Clicked.", 2))
    assert session.state is AgentState.IDLE
    assert session.status_text() == "Deskhand: idle. Last task finished: Clicked."
    assert seen == [
        AgentState.THINKING,
        AgentState.ACTING,
        AgentState.WAITING,
        AgentState.ACTING,
        AgentState.THINKING,
        AgentState.IDLE,
    ]


def test_errors_and_failed_results_show_as_error_and_a_new_task_clears_them(session: SessionModel) -> None:
    session.start("a")
    session.failed("Tried to reach Ollama, but the connection was refused.")
    assert session.state is AgentState.ERROR
    assert session.status_text() == "Deskhand: error. Tried to reach Ollama, but the connection was refused."
    session.start("a")
    assert session.state is AgentState.THINKING and session.message == ""
    session.finished(TaskResult(TaskStatus.FAILED, "unparseable", 1))
    assert session.state is AgentState.ERROR
    session.dismiss_error()
    assert session.state is AgentState.IDLE


def test_a_task_pauses_while_the_server_is_away_and_goes_on_when_it_answers(session: SessionModel) -> None:
    session.paused("Paused: not running")
    assert session.state is AgentState.IDLE  # no task, nothing to pause
    session.start("open the report")
    session.paused("Paused: Ollama refused the connection. Retrying in 2 s")
    assert session.state is AgentState.PAUSED and session.running
    assert "paused, step 1" in session.status_text() and "Ollama refused" in session.status_text()
    assert session.request_stop()  # Stop works while paused
    assert "stopping" in session.status_text()
    session.resumed()
    assert session.state is AgentState.THINKING and session.message == ""
    session.paused("Paused: cut")
    session.decided(1, Decision(actions=(Click(at=ImagePoint(x=1, y=1)),)))  # the model answered
    assert session.state is AgentState.ACTING


def test_stop_flag(session: SessionModel) -> None:
    assert session.request_stop() is False  # nothing to stop
    session.start("a")
    assert not session.stop.requested
    assert session.request_stop() is True
    assert session.stop.requested and "(stopping…)" in session.status_text()
    session.finished(TaskResult(TaskStatus.STOPPED, "Stopped by the user.", 1))
    session.start("b")
    assert not session.stop.requested  # a new task starts with the flag down


def test_only_one_task_and_no_empty_ones(session: SessionModel) -> None:
    with pytest.raises(SessionError):
        session.start("   ")
    session.start("a")
    with pytest.raises(SessionError, match="already running"):
        session.start("b")


def test_late_signals_after_the_end_do_not_revive_a_task(session: SessionModel) -> None:
    session.start("a")
    session.finished(TaskResult(TaskStatus.STOPPED, "Stopped.", 1))
    session.recorded(step_record(1))
    session.waiting()
    assert session.state is AgentState.IDLE


def test_recent_commands_newest_first_deduplicated_capped_and_persisted(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "recent.json"
    recent = RecentCommands(path)
    for n in range(MAX_RECENT + 5):
        recent.add(f"task {n}")
    recent.add("task 10")
    recent.add("  ")
    items = recent.items
    assert len(items) == MAX_RECENT
    assert items[:2] == ["task 10", f"task {MAX_RECENT + 4}"]
    assert items.count("task 10") == 1
    assert RecentCommands(path).items == items
    assert json.loads(path.read_text()) == items


def test_a_damaged_recent_file_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "recent.json"
    path.write_text("{not json")
    assert RecentCommands(path).items == []
    path.write_text(json.dumps(["a", 3, "a", "b"]))
    assert RecentCommands(path).items == ["a", "b"]


def test_starting_a_task_remembers_it(session: SessionModel) -> None:
    session.start("first")
    session.finished(TaskResult(TaskStatus.FINISHED, "ok", 1))
    session.start("second")
    assert session.recent.items == ["second", "first"]


def test_history_walker_keeps_the_draft() -> None:
    walker = HistoryWalker(["newest", "older"])
    assert walker.newer("draft") == "draft"
    assert walker.older("draft") == "newest"
    assert walker.older("newest") == "older"
    assert walker.older("older") == "older"  # the end: stays
    assert walker.newer("older") == "newest"
    assert walker.newer("newest") == "draft"
    assert walker.newer("draft") == "draft"


def test_take_over_holds_through_the_model_and_server_events_until_resume(session: SessionModel) -> None:
    assert not session.take_over()  # nothing runs
    session.start("Click Apply")
    token = session.pause
    assert session.take_over() and session.held and token.requested
    assert session.state is AgentState.PAUSED and "paused by you" in session.status_text()
    session.decided(1, Decision(thought="t", actions=(Click(at=ImagePoint(x=1, y=2)),)))
    session.recorded(step_record(1))
    session.paused("Paused: the server is away.")
    session.resumed()  # the server came back; the user still has the desktop
    assert session.state is AgentState.PAUSED and session.held
    assert session.resume() and not token.requested and session.state is AgentState.THINKING
    assert not session.resume()


def test_a_follow_up_goes_on_from_the_finished_task(session: SessionModel) -> None:
    with pytest.raises(SessionError):
        session.follow_up("now also save it")
    session.start("Write a note")
    first = TaskResult(TaskStatus.FINISHED, "Written.", 2, history=())
    session.finished(first)
    assert not session.can_follow_up  # no steps to go on from
    session.start("Write a note")
    memory = StepMemory("o1", b"jpeg", "raw", "click → executed")
    session.finished(TaskResult(TaskStatus.FINISHED, "Written.", 1, history=(memory,)))
    assert session.can_follow_up
    task = session.follow_up("  now also save it ")
    assert task.startswith("Write a note") and "Written." in task and task.endswith("now also save it")
    assert session.history == (memory,) and session.running and session.recent.items[0] == "now also save it"
    assert not session.can_follow_up
