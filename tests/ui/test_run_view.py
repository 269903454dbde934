"""The run view as a user reads it: a timeline of every step, the state (and why it is
paused) up top, each thing said once, timings folded away, and a follow-up offered."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from deskhand.app.tray.session import AgentState
from deskhand.app.windows.run_view import RunView
from deskhand.core.actions import Click, Decision, Finish
from deskhand.core.geometry import ImagePoint
from deskhand.core.loop import TaskResult, TaskStatus
from deskhand.core.observation import Observation
from deskhand.core.trace import StepRecord
from tests.ui.records import step_record
from tests.ui.test_windows import GEOMETRY, click_record, jpeg


def observation(name: str) -> Observation:
    return Observation(name, jpeg(GEOMETRY.image_size), "image/jpeg", GEOMETRY, 3.0, 9.0)


def finish_record(step: int, summary: str) -> StepRecord:
    return step_record(
        step,
        thought="The form shows it is applied.",
        actions=[{"kind": "finish", "summary": summary, "success": True}],
        screen_targets=[None],
        verdicts=[{"level": "auto", "reason": "ends the task; nothing is executed"}],
        user_answers=[None],
        outcome=f"finish: {summary}",
        timings_ms={"model": 700.0, "total": 720.0},
    )


@pytest.fixture
def view(qtbot: QtBot) -> RunView:
    view = RunView()
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    view.begin("Click Apply")
    return view


def two_steps(view: RunView) -> None:
    first = observation("obs")
    view.show_observation(1, first)
    view.show_decision(1, Decision(thought="Apply is there.", actions=(Click(at=ImagePoint(x=329, y=182)),)))
    view.show_record(click_record([[960, 540]]), first)
    view.show_observation(2, observation("o2"))
    view.show_decision(2, Decision(thought="Done.", actions=(Finish(summary="Clicked Apply."),)))
    view.show_record(finish_record(2, "Clicked Apply."), observation("o2"))
    view.show_result(TaskResult(TaskStatus.FINISHED, "Clicked Apply.", 2))


def test_every_step_stays_in_a_timeline_and_picking_one_shows_it(view: RunView, qtbot: QtBot) -> None:
    two_steps(view)
    timeline = view.timeline
    assert timeline.count() == 2 and timeline.currentRow() == 1
    assert not timeline.item(0).icon().isNull()  # a thumbnail of the step's screenshot
    assert "click at (960, 540)" in timeline.item(0).text()  # the screen point
    timeline.setCurrentRow(0)
    assert view.step_title.text() == "Step 1" and "Apply button" in view.thought.text()
    assert [(round(p.x), round(p.y)) for p in view.screenshot.points] == [(658, 364)]
    view.show_observation(3, observation("o3"))  # a new step does not pull the user away
    assert view.step_title.text() == "Step 1" and timeline.count() == 3
    timeline.setCurrentRow(2)  # back at the newest: it follows the task again
    view.show_decision(3, Decision(thought="More.", actions=(Click(at=ImagePoint(x=1, y=1)),)))
    assert view.step_title.text() == "Step 3" and view.thought.text() == "More."


def test_the_summary_is_said_once_and_the_timings_are_folded_away(view: RunView, qtbot: QtBot) -> None:
    two_steps(view)
    view.set_state(AgentState.IDLE, "Deskhand: idle. Last task finished: Clicked Apply.")
    shown = [view.header, view.status, view.thought, view.action_list, view.message]
    assert sum(label.text().count("Clicked Apply.") for label in shown) == 1
    assert "Clicked Apply." in view.message.text()
    assert not view.timings.isVisible() and "model 700" in view.timings.text()
    qtbot.mouseClick(view.timings_toggle, Qt.MouseButton.LeftButton)
    assert view.timings.isVisible()
    assert view.timings.font().pointSizeF() < view.message.font().pointSizeF()


def test_a_dialog_waiting_says_so_instead_of_assessing(view: RunView) -> None:
    view.show_observation(1, observation("obs"))
    view.show_decision(1, Decision(thought="Apply.", actions=(Click(at=ImagePoint(x=329, y=182)),)))
    assert "assessing" in view.action_list.text()
    view.set_state(AgentState.WAITING, "Deskhand: waiting for you, step 1: Click Apply")
    assert "waiting for you" in view.action_list.text() and "assessing" not in view.action_list.text()


def test_after_stop_no_step_still_says_the_model_is_looking(view: RunView) -> None:
    view.show_observation(1, observation("obs"))
    assert "looking" in view.thought.text()
    view.show_result(TaskResult(TaskStatus.STOPPED, "Stopped by the user.", 0))
    assert "looking" not in view.thought.text() and "stopped" in view.thought.text()
    assert "looking" not in view.timeline.item(0).text()


def test_the_pause_reason_is_shown(view: RunView) -> None:
    reason = "Paused: Tried to reach Ollama at http://127.0.0.1:11434, but the connection was refused."
    view.set_state(AgentState.PAUSED, f"Deskhand: paused, step 2. {reason}")
    assert reason in view.status.text() and view.status.isVisible()


def test_a_finished_task_offers_a_follow_up(view: RunView, qtbot: QtBot) -> None:
    two_steps(view)
    assert not view.follow_up_row.isVisible()
    view.offer_follow_up(True)
    assert view.follow_up_row.isVisible()
    qtbot.keyClicks(view.follow_up_entry, "now also save it")
    with qtbot.waitSignal(view.follow_up_requested) as asked:
        qtbot.keyClick(view.follow_up_entry, Qt.Key.Key_Return)
    assert asked.args == ["now also save it"]
    view.begin("Click Apply\nFollow-up: now also save it", follow_up=True)
    view.show_observation(1, observation("o3"))  # the follow-up's first step is the task's third
    assert view.timeline.count() == 3 and view.step_title.text() == "Step 3"


def test_a_planned_step_names_each_model_with_its_time_and_what_was_not_run(view: RunView) -> None:
    first = observation("obs")
    view.show_observation(1, first)
    record = click_record([[960, 540]]).model_copy(
        update={
            "planner_model": "qwen3:4b",
            "plan": 'Click the "Apply" button',
            "timings_ms": {"model": 700.0, "planner": 450.0, "capture": 12.0, "total": 1200.0},
            "dropped": [
                {
                    "action": {"kind": "click", "at": {"x": 10, "y": 10}},
                    "reason": "the screen changed at (10, 10) after the earlier action",
                }
            ],
        }
    )
    view.show_record(record, first)
    assert view.thought.text().startswith('Planner (qwen3:4b): Click the "Apply" button')
    timings = view.timings.text()
    assert timings.startswith("ms: capture 12 · encode 0 · planner qwen3:4b 450 · grounder m 700 · parse 0")
    assert timings.endswith("total 1200")
    assert "[not run: the screen changed at (10, 10)" in view.action_list.text()
