"""The loop's guards: the inspector's target in every verdict, the repeat guard, pausing on
model-server faults, and unlocked rules from settings -- with plain fakes of the ports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from deskhand.core.approval import UserAnswer
from deskhand.core.element_info import ElementInfo
from deskhand.core.errors import ModelError, ModelRejected, ServerUnreachable
from deskhand.core.faults import LAST_TRY, PauseAndRetry
from deskhand.core.geometry import ScreenPoint
from deskhand.core.loop import Limits, TaskStatus, run_task
from deskhand.core.observation import Completion, Conversation, Observation
from deskhand.core.outcome import OutcomeKind
from tests.fakes import (
    FakeApprover,
    FakeModel,
    FakeScreen,
    make_parts,
    reply,
)

CLICK = {"kind": "click", "at": {"x": 658, "y": 364}}  # (960, 540) on the 1080p screen
FINISH = {"kind": "finish", "summary": "all done"}
DELETE = ElementInfo("Delete account", "push button", "accessibility")
PASSWORD = ElementInfo("", "password text", "accessibility")


@dataclass
class FakeInspector:
    at_point: ElementInfo | None = None
    with_focus: ElementInfo | None = None
    fail: bool = False
    points: list[ScreenPoint] = field(default_factory=list)
    prepared: list[str] = field(default_factory=list)
    focus_asked: int = 0

    def prepare(self, observation: Observation) -> None:
        self.prepared.append(observation.id)

    def inspect(self, point: ScreenPoint, observation: Observation) -> ElementInfo | None:
        self.points.append(point)
        if self.fail:
            raise RuntimeError("the accessibility bus went away")
        return self.at_point

    def focused(self, observation: Observation) -> ElementInfo | None:
        self.focus_asked += 1
        return self.with_focus


# -- the inspector ------------------------------------------------------------------------


def test_a_click_on_a_risky_button_asks_and_the_question_names_the_button() -> None:
    inspector = FakeInspector(at_point=DELETE)
    parts, p = make_parts([reply(CLICK), reply(FINISH)], inspector=inspector)
    assert run_task("tidy up", parts).status is TaskStatus.FINISHED
    approver, executor = p["approver"], p["executor"]
    assert inspector.points == [ScreenPoint(x=960, y=540)]  # asked in screen pixels
    assert inspector.prepared == ["obs-1", "obs-2"]  # told about each screenshot before the model
    [(_, verdict)] = approver.asked  # type: ignore[attr-defined]
    assert verdict.level == "confirm" and '"Delete account" (push button)' in verdict.reason
    assert executor.executed == []  # type: ignore[attr-defined]  # FakeApprover denies
    record = p["sinks"][0].records[0]  # type: ignore[index]
    assert record.targets == ['"Delete account" (push button)']
    assert "denied by the user" in record.outcome_text
    assert OutcomeKind.DENIED in {entry.kind for entry in record.outcome}


def test_a_harmless_target_runs_without_asking() -> None:
    inspector = FakeInspector(at_point=ElementInfo("Open recent", "push button", "ocr"))
    parts, p = make_parts([reply(CLICK), reply(FINISH)], inspector=inspector)
    assert run_task("cancel", parts).status is TaskStatus.FINISHED
    assert p["approver"].asked == []  # type: ignore[attr-defined]
    assert len(p["executor"].executed) == 1  # type: ignore[attr-defined]


def test_typing_asks_the_focused_element_and_a_password_field_needs_a_yes() -> None:
    inspector = FakeInspector(with_focus=PASSWORD)
    typing = {"kind": "type_text", "text": "hunter2"}
    approver = FakeApprover(answer_with=UserAnswer.ALLOW_ONCE)
    parts, p = make_parts([reply(typing), reply(FINISH)], inspector=inspector, approver=approver)
    run_task("log in", parts)
    assert inspector.focus_asked == 1 and inspector.points == []
    [(_, verdict)] = approver.asked
    assert verdict.level == "confirm" and "password" in verdict.reason
    assert len(p["executor"].executed) == 1  # type: ignore[attr-defined]


def test_an_inspector_that_fails_leaves_the_action_judged_on_its_own() -> None:
    parts, p = make_parts([reply(CLICK), reply(FINISH)], inspector=FakeInspector(fail=True))
    assert run_task("click", parts).status is TaskStatus.FINISHED
    assert len(p["executor"].executed) == 1  # type: ignore[attr-defined]
    assert p["sinks"][0].records[0].targets == [None]  # type: ignore[index]


def test_no_lookup_for_actions_without_a_target_or_already_blocked() -> None:
    inspector = FakeInspector(at_point=DELETE)
    actions = [
        {"kind": "scroll", "direction": "down", "at": {"x": 10, "y": 10}},
        {"kind": "click", "at": {"x": 10, "y": 10}, "button": "right"},
        {"kind": "run_shell", "command": "rm -rf ~"},
    ]
    parts, _ = make_parts([reply(*actions), reply(FINISH)], inspector=inspector)
    run_task("x", parts)
    assert inspector.points == [] and inspector.focus_asked == 0


def test_unlocked_rules_ask_instead_of_blocking_and_nothing_else_changes() -> None:
    wipe = {"kind": "run_shell", "command": "rm -rf ~"}
    approver = FakeApprover(answer_with=UserAnswer.ALLOW_ONCE)
    parts, p = make_parts([reply(wipe), reply(FINISH)], approver=approver)
    run_task("clean", parts)
    assert approver.asked == [] and p["executor"].executed == []  # type: ignore[attr-defined]
    approver = FakeApprover(answer_with=UserAnswer.ALLOW_ONCE)
    parts, p = make_parts([reply(wipe), reply(FINISH)], approver=approver, unlocked=frozenset({"wipe-tree"}))
    run_task("clean", parts)
    [(_, verdict)] = approver.asked
    assert verdict.level == "confirm" and "unlocked" in verdict.reason
    assert len(p["executor"].executed) == 1  # type: ignore[attr-defined]


# -- the repeat guard ---------------------------------------------------------------------


def test_the_same_click_on_an_unchanged_screen_is_refused_then_the_task_gives_up() -> None:
    same = FakeScreen(fingerprints=[b"\x10" * 64])
    near = {"kind": "click", "at": {"x": 661, "y": 366}}  # 4 screen px away: the same button
    parts, p = make_parts([reply(CLICK), reply(near), reply(CLICK), reply(FINISH)], screen=same)
    result = run_task("press the dead button", parts)
    assert result.status is TaskStatus.GAVE_UP and result.steps == 3
    assert "kept repeating click at" in result.message and "changed nothing" in result.message
    assert len(p["executor"].executed) == 1  # type: ignore[attr-defined]
    records = p["sinks"][0].records  # type: ignore[index]
    assert records[1].outcome_text.startswith("not repeated:")
    assert records[1].outcome[0].kind is OutcomeKind.REPEATED
    told = p["model"].conversations[2].turns  # type: ignore[attr-defined]
    assert any("not repeated" in turn.text and "try something else" in turn.text for turn in told)


def test_a_changed_screen_or_another_point_is_not_a_repeat() -> None:
    changing = FakeScreen(fingerprints=[bytes([n]) * 64 for n in range(0, 200, 40)])
    parts, p = make_parts([reply(CLICK)] * 4 + [reply(FINISH)], screen=changing)
    assert run_task("next page", parts).status is TaskStatus.FINISHED
    assert len(p["executor"].executed) == 4  # type: ignore[attr-defined]
    same = FakeScreen(fingerprints=[b"\x10" * 64])
    far = {"kind": "click", "at": {"x": 700, "y": 364}}
    wait = {"kind": "wait", "seconds": 1}
    parts, p = make_parts([reply(CLICK), reply(far), reply(wait), reply(wait), reply(FINISH)], screen=same)
    assert run_task("try around", parts).status is TaskStatus.FINISHED
    assert len(p["executor"].executed) == 4  # type: ignore[attr-defined]


def test_without_fingerprints_the_guard_stays_out_of_the_way() -> None:
    parts, p = make_parts([reply(CLICK)] * 3 + [reply(FINISH)])
    assert run_task("click thrice", parts).status is TaskStatus.FINISHED
    assert len(p["executor"].executed) == 3  # type: ignore[attr-defined]


# -- model-server faults ------------------------------------------------------------------


class FlakyModel(FakeModel):
    """Like FakeModel, but raises ``errors`` (in order) instead of giving reply ``at``."""

    def __init__(self, errors: list[Exception], replies: list[str], at: int = 0) -> None:
        super().__init__(replies)
        self.errors, self.at, self.answered = errors, at, 0

    def complete(self, conversation: Conversation, *, should_stop: object) -> Completion:
        if self.answered == self.at and self.errors:
            raise self.errors.pop(0)
        self.answered += 1
        return super().complete(conversation, should_stop=should_stop)  # type: ignore[arg-type]


class FakeTime:
    """A clock that moves only when something sleeps or waits on it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def waiter(
    notes: list[str],
    *,
    patience: float | None = 20.0,
    stop_after: int | None = None,
    time: FakeTime | None = None,
) -> PauseAndRetry:
    fake = time or FakeTime()

    def should_stop() -> bool:
        return stop_after is not None and len(fake.slept) >= stop_after

    return PauseAndRetry(
        notify=lambda notice: notes.append(notice.text),
        should_stop=should_stop,
        sleep=fake.sleep,
        patience=patience,
        clock=fake.clock,
    )


class SilentServer(FakeModel):
    """A server that takes connections and never answers: each request waits as long as the
    client lets it (its first-token timeout, or what the task's pause has left), then fails."""

    def __init__(self, time: FakeTime, first_token_timeout: float) -> None:
        super().__init__([])
        self.time, self.first_token_timeout = time, first_token_timeout
        self.wait_left: Callable[[], float | None] = lambda: None
        self.requests: list[float] = []

    def complete(self, conversation: Conversation, *, should_stop: object) -> Completion:
        left = self.wait_left()
        waited = self.first_token_timeout if left is None else min(self.first_token_timeout, left)
        self.requests.append(self.time.now)
        self.time.now += waited
        raise ModelError(f"waited {waited:g} s and no answer came.")


def test_a_silent_server_is_given_up_on_within_the_patience_retries_included() -> None:
    notes: list[str] = []
    time = FakeTime()
    model = SilentServer(time, first_token_timeout=120.0)
    pause = waiter(notes, patience=20.0, time=time)
    model.wait_left = pause.time_left
    parts, _ = make_parts([], model=model, faults=pause)
    with pytest.raises(ModelError):
        run_task("x", parts)
    fault = model.requests[0] + 120.0  # the first request noticed the silence
    assert fault + 20.0 <= time.now <= fault + 20.0 + LAST_TRY  # not 7 x 120 s
    assert notes[-1] == (
        "Gave up after waiting 20 s for the model server; the steps so far are kept "
        "(`deskhand history`). Run the task again once the server answers."
    )
    assert len(model.requests) >= 2  # it did retry, each retry within what was left


def test_outside_a_pause_nothing_bounds_the_wait_but_the_client() -> None:
    pause = waiter([], patience=20.0)
    assert pause.time_left() is None
    assert pause.wait_to_retry(ModelError("cut"), 1)
    assert pause.time_left() == pytest.approx(19.5)
    pause.resumed()
    assert pause.time_left() is None
    assert waiter([], patience=None).time_left() is None


def test_a_passing_server_fault_pauses_the_task_and_it_resumes_where_it_was() -> None:
    notes: list[str] = []
    errors: list[Exception] = [ServerUnreachable("Ollama refused."), ModelError("The answer was cut off.")]
    model = FlakyModel(errors, [reply(CLICK), reply(FINISH)], at=1)  # the second step meets both
    parts, p = make_parts([], model=model, faults=waiter(notes))
    result = run_task("click then finish", parts)
    assert result.status is TaskStatus.FINISHED and result.steps == 2
    assert [n.split(":")[0] for n in notes] == ["Paused", "Paused", "Resumed"]
    assert "Ollama refused." in notes[0] and "Retrying in 0.5 s (attempt 1)" in notes[0]
    assert "Retrying in 1 s (attempt 2)" in notes[1]
    assert p["screen"].count == 4  # type: ignore[attr-defined]  # each retry looks afresh
    assert len(p["executor"].executed) == 1  # type: ignore[attr-defined]  # nothing done twice
    assert [r.step for r in p["sinks"][0].records] == [1, 2]  # type: ignore[index]
    history = model.conversations[-1].turns
    assert any(turn.text.startswith("feedback: click at") for turn in history)  # memory kept


def test_a_server_that_stays_away_ends_the_task_after_the_patience_runs_out() -> None:
    notes: list[str] = []
    model = FlakyModel([ModelError("cut") for _ in range(50)], [reply(FINISH)])
    parts, _ = make_parts([], model=model, faults=waiter(notes, patience=5.0))
    with pytest.raises(ModelError):
        run_task("x", parts)
    assert notes[-1].startswith("Gave up after waiting 5 s")
    assert len(notes) == 5  # pauses of 0.5, 1, 2 and 1.5 (capped) s, then the give-up


def test_faults_that_waiting_cannot_mend_end_the_task_at_once() -> None:
    notes: list[str] = []
    model = FlakyModel([ModelRejected("HTTP 400")], [reply(FINISH)])
    parts, _ = make_parts([], model=model, faults=waiter(notes))
    with pytest.raises(ModelRejected):
        run_task("x", parts)
    assert notes == []
    parts, _ = make_parts([], model=FlakyModel([ModelError("cut")], [reply(FINISH)]))  # no waiter
    with pytest.raises(ModelError):
        run_task("x", parts)


def test_stop_during_a_pause_stops_the_task() -> None:
    notes: list[str] = []
    model = FlakyModel([ModelError("cut") for _ in range(50)], [reply(FINISH)])
    parts, _ = make_parts([], model=model, faults=waiter(notes, patience=None, stop_after=3))
    result = run_task("x", parts, Limits(max_steps=5))
    assert result.status is TaskStatus.STOPPED and len(notes) == 1


def test_waiting_without_patience_goes_on_with_the_longest_pause() -> None:
    notes: list[str] = []
    pause = waiter(notes, patience=None)
    for attempt in range(1, 9):
        assert pause.wait_to_retry(ModelError("cut"), attempt)
    assert "Retrying in 15 s (attempt 8)" in notes[-1]
    pause.resumed()
    assert pause.waited == 0.0 and notes[-1].startswith("Resumed")
