"""Take over and follow-ups in the pure loop: a paused task holds before its next action and
goes on from a fresh screenshot; a follow-up task goes on from the earlier task's steps."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from deskhand.core.actions import Action
from deskhand.core.approval import Approved
from deskhand.core.loop import TaskResult, TaskStatus, run_task
from deskhand.core.outcome import ExecResult
from deskhand.core.pause import PauseToken
from tests.fakes import FakeModel, FakeScreen, RecordingExecutor, make_parts, reply

CLICK = {"kind": "click", "at": {"x": 658, "y": 364}}
OTHER = {"kind": "click", "at": {"x": 100, "y": 100}}
FINISH = {"kind": "finish", "summary": "all done"}


class TakesOverAfterFirstAction(RecordingExecutor):
    """The user presses "Take over" while the first action runs."""

    def __init__(self, token: PauseToken) -> None:
        super().__init__()
        self.token = token

    def execute(self, approved: Approved[Action], *, should_stop: object) -> ExecResult:
        result = super().execute(approved, should_stop=should_stop)  # type: ignore[arg-type]
        self.token.request()
        return result


class SignallingScreen(FakeScreen):
    def __init__(self) -> None:
        super().__init__()
        self.looked = threading.Semaphore(0)

    def observe(self):  # type: ignore[no-untyped-def]
        observation = super().observe()
        self.looked.release()
        return observation


def test_take_over_holds_before_the_next_action_and_resume_decides_again_on_a_fresh_screenshot() -> None:
    token = PauseToken()
    screen = SignallingScreen()
    executor = TakesOverAfterFirstAction(token)
    model = FakeModel([reply(CLICK, OTHER), reply(FINISH)])
    parts, _ = make_parts([], screen=screen, executor=executor, model=model, pause=token)
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(run_task, "do two clicks", parts)
        assert screen.looked.acquire(timeout=5)
        # Held: the second click of the same answer is not done, and no new screenshot comes.
        assert not screen.looked.acquire(timeout=0.3)
        assert len(executor.executed) == 1 and not running.done()
        token.resume()
        result = running.result(timeout=5)
    assert result.status is TaskStatus.FINISHED and result.steps == 2
    assert len(executor.executed) == 1 and screen.count == 2
    told = str(model.conversations[1].turns)
    assert "took over" in told and "click at (100, 100)" in told


def test_stop_ends_a_task_the_user_has_taken_over() -> None:
    token = PauseToken()
    stop = threading.Event()
    executor = TakesOverAfterFirstAction(token)
    parts, _ = make_parts(
        [reply(CLICK), reply(FINISH)], executor=executor, pause=token, should_stop=stop.is_set
    )
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(run_task, "click", parts)
        assert not running.done()
        threading.Timer(0.2, stop.set).start()
        result = running.result(timeout=5)
    assert result.status is TaskStatus.STOPPED and result.steps == 1
    assert token.requested  # Stop does not pretend the user resumed


def test_a_follow_up_goes_on_from_the_earlier_task_s_steps() -> None:
    parts, _ = make_parts([reply(CLICK), reply(FINISH, thought="written")])
    first = run_task("write a note", parts)
    assert first.status is TaskStatus.FINISHED and len(first.history) == 2
    model = FakeModel([reply(FINISH, thought="saved")])
    parts, _ = make_parts([], model=model)
    second = run_task("now also save it", parts, history=first.history)
    assert second.status is TaskStatus.FINISHED and second.steps == 1
    assert len(second.history) == 3 and second.history[:2] == first.history
    told = str(model.conversations[0].turns)
    assert "click at (658, 364)" in told and "now also save it" in told
    assert second == TaskResult(TaskStatus.FINISHED, "all done", 1)  # history is not part of equality
