from __future__ import annotations

import threading
import time

import pytest

from deskhand.core.approval import UserAnswer
from deskhand.core.errors import ModelUnavailable
from deskhand.core.loop import Limits, TaskStatus, run_task
from deskhand.core.trace import STAGES
from tests.fakes import (
    FakeApprover,
    FakeModel,
    FakeScreen,
    RecordingExecutor,
    make_parts,
    reply,
)

CLICK = {"kind": "click", "at": {"x": 658, "y": 364}}
FINISH = {"kind": "finish", "summary": "all done"}


def test_click_then_finish() -> None:
    parts, p = make_parts([reply(CLICK), reply(FINISH)])
    result = run_task("click OK", parts)
    assert result.status is TaskStatus.FINISHED and result.message == "all done" and result.steps == 2
    executed = p["executor"].executed  # type: ignore[attr-defined]
    assert len(executed) == 1
    assert executed[0].geometry == FakeScreen().geometry  # bound to the screenshot it was decided on
    records = p["sinks"][0].records  # type: ignore[index]
    assert [r.step for r in records] == [1, 2]
    assert records[0].screen_targets == [[960, 540]]
    assert records[0].to_json_dict()["verdicts"] == [
        {"level": "auto", "reason": "pointer and waiting actions are reversible"}
    ]
    assert set(STAGES) | {"total"} == set(records[0].timings_ms)
    assert records[0].timings_ms["model"] == 10.0 and records[0].timings_ms["capture"] == 1.0


def test_denied_action_is_told_to_the_model_and_the_loop_goes_on() -> None:
    model = FakeModel([reply({"kind": "run_shell", "command": "rm notes.txt"}), reply(FINISH)])
    approver = FakeApprover(answer_with=UserAnswer.DENY)
    parts, p = make_parts([], model=model, approver=approver)
    result = run_task("tidy up", parts)
    assert result.status is TaskStatus.FINISHED
    assert p["executor"].executed == []  # type: ignore[attr-defined]
    assert len(approver.asked) == 1
    second_request = " ".join(t.text for t in model.conversations[1].turns)
    assert "denied by the user" in second_request


def test_blocked_action_never_reaches_the_user_or_the_executor() -> None:
    parts, p = make_parts([reply({"kind": "run_shell", "command": "sudo rm -rf /"}), reply(FINISH)])
    run_task("x", parts)
    assert p["approver"].asked == []  # type: ignore[attr-defined]
    assert p["executor"].executed == []  # type: ignore[attr-defined]
    assert "blocked by policy" in p["sinks"][0].records[0].outcome_text  # type: ignore[index]


def test_allow_for_task_is_remembered_for_the_same_command() -> None:
    shell = {"kind": "run_shell", "command": "touch a"}
    approver = FakeApprover(answer_with=UserAnswer.ALLOW_FOR_TASK)
    parts, p = make_parts([reply(shell), reply(shell), reply(FINISH)], approver=approver)
    run_task("x", parts)
    assert len(approver.asked) == 1
    assert len(p["executor"].executed) == 2  # type: ignore[attr-defined]


def test_one_repair_turn_then_success() -> None:
    model = FakeModel(["click the OK button please", reply(CLICK), reply(FINISH)])
    parts, p = make_parts([], model=model)
    assert run_task("x", parts).status is TaskStatus.FINISHED
    assert model.conversations[1].turns[-2].text == "click the OK button please"
    assert p["sinks"][0].records[0].repairs == 1  # type: ignore[index]


def test_repeated_unparseable_output_fails_without_guessing() -> None:
    parts, p = make_parts(["garbage", '{"thought": "x", "actions": [{"kind": "click"'])
    result = run_task("x", parts)
    assert result.status is TaskStatus.FAILED
    assert "could not be understood" in result.message
    assert p["executor"].executed == []  # type: ignore[attr-defined]


def test_step_budget() -> None:
    parts, _ = make_parts([reply(CLICK)] * 3)
    result = run_task("x", parts, Limits(max_steps=3))
    assert result.status is TaskStatus.GAVE_UP and "3 steps" in result.message


def test_stop_before_next_action_releases_keys() -> None:
    calls = {"n": 0}

    def should_stop() -> bool:
        calls["n"] += 1
        return calls["n"] > 3

    parts, p = make_parts([reply(CLICK, CLICK, CLICK)], should_stop=should_stop)
    result = run_task("x", parts)
    assert result.status is TaskStatus.STOPPED
    assert len(p["executor"].executed) < 3  # type: ignore[attr-defined]
    assert p["executor"].released == 1  # type: ignore[attr-defined]
    assert "stopped" in p["sinks"][0].records[-1].outcome_text  # type: ignore[index]


def test_failed_execution_is_reported_to_the_model() -> None:
    model = FakeModel([reply(CLICK), reply(FINISH)])
    parts, _ = make_parts([], model=model, executor=RecordingExecutor(fail_with="no display"))
    assert run_task("x", parts).status is TaskStatus.FINISHED
    assert "failed: no display" in model.conversations[1].turns[2].text


def test_model_question_answered_by_user_goes_back() -> None:
    model = FakeModel([reply({"kind": "ask_user", "question": "Which file?"}), reply(FINISH)])
    parts, _ = make_parts([], model=model, approver=FakeApprover(reply="notes.txt"))
    assert run_task("x", parts).status is TaskStatus.FINISHED
    assert "The user answered: notes.txt" in model.conversations[1].turns[2].text


def test_unanswered_question_ends_the_task() -> None:
    parts, _ = make_parts([reply({"kind": "ask_user", "question": "Which file?"})])
    result = run_task("x", parts)
    assert result.status is TaskStatus.GAVE_UP and "Which file?" in result.message


def test_model_giving_up() -> None:
    parts, _ = make_parts([reply({"kind": "finish", "summary": "no such app", "success": False})])
    assert run_task("x", parts).status is TaskStatus.GAVE_UP


class _TimedScreen(FakeScreen):
    def __init__(self, log: list[tuple[str, float]]) -> None:
        super().__init__()
        self.log = log

    def observe(self):  # type: ignore[no-untyped-def]
        self.log.append(("observe", time.monotonic()))
        return super().observe()


def test_warm_up_runs_alongside_the_first_capture_and_before_the_first_model_call() -> None:
    log: list[tuple[str, float]] = []
    started = threading.Event()

    def warm_up() -> None:
        started.set()
        time.sleep(0.15)  # stays: a warm-up that takes a while is the point
        log.append(("warmed", time.monotonic()))

    class Model(FakeModel):
        def complete(self, conversation, *, should_stop):  # type: ignore[no-untyped-def]
            log.append(("complete", time.monotonic()))
            return super().complete(conversation, should_stop=should_stop)

    parts, _ = make_parts(
        [], model=Model([reply(CLICK), reply(FINISH)]), screen=_TimedScreen(log), warm_up=warm_up
    )
    result = run_task("click OK", parts)
    assert result.status is TaskStatus.FINISHED
    assert started.is_set()
    names = [name for name, _ in log]
    assert names == ["observe", "warmed", "complete", "observe", "complete"]  # warmed once, first
    first_observe, warmed = log[0][1], log[1][1]
    assert warmed - first_observe > 0.1  # the capture did not wait for the warm-up


def test_a_failing_warm_up_ends_the_task_with_its_error() -> None:
    def warm_up() -> None:
        raise ModelUnavailable("Tried to load m, but the server went away.")

    parts, p = make_parts([reply(FINISH)], warm_up=warm_up)
    with pytest.raises(ModelUnavailable, match="went away"):
        run_task("anything", parts)
    assert p["model"].conversations == []  # type: ignore[attr-defined]


def test_stop_while_the_model_is_still_loading() -> None:
    stop = threading.Event()
    threading.Timer(0.05, stop.set).start()
    # The model takes 2 s to load: that sleep stays, the wait is what Stop must cut short.
    parts, p = make_parts([reply(FINISH)], warm_up=lambda: time.sleep(2.0), should_stop=stop.is_set)
    started = time.monotonic()
    result = run_task("anything", parts)
    assert result.status is TaskStatus.STOPPED
    assert time.monotonic() - started < 0.5
    assert p["model"].conversations == []  # type: ignore[attr-defined]


def test_ask_every_action_asks_even_for_auto_actions_and_honours_deny() -> None:
    approver = FakeApprover(answer_with=UserAnswer.DENY)
    parts, p = make_parts([reply(CLICK), reply(FINISH)], approver=approver, ask_every_action=True)
    assert run_task("x", parts).status is TaskStatus.FINISHED
    assert [a.kind for a, _ in approver.asked] == ["click"]
    assert approver.asked[0][1].level.value == "confirm"
    assert approver.asked[0][1].reason == "you asked to approve every action"  # no "(… reversible)"
    assert p["executor"].executed == []  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("action", "reason"),
    [
        ({"kind": "type_text", "text": "hello"}, "you asked to approve every action"),
        ({"kind": "hotkey", "keys": ["ctrl", "s"]}, "you asked to approve every action"),
        ({"kind": "wait", "seconds": 1}, "you asked to approve every action"),
        ({"kind": "run_shell", "command": "ls"}, "you asked to approve every action, even this one (read-only command)"),
        ({"kind": "run_shell", "command": "rm notes.txt"}, "deletes notes.txt"),  # asks for its own reason
    ],
)  # fmt: skip
def test_ask_every_action_says_why_in_words_that_read_well(action: dict[str, object], reason: str) -> None:
    approver = FakeApprover(answer_with=UserAnswer.DENY)
    parts, _ = make_parts([reply(action), reply(FINISH)], approver=approver, ask_every_action=True)
    run_task("x", parts)
    assert [v.reason for _, v in approver.asked] == [reason]
