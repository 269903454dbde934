"""A spoken "yes" can only answer a confirmation, and a blocked action never asks for one.

The loop with an approver that would say yes to anything (as an always-listening voice
would): a block-level action is still refused without asking, and the model is told why.
The app-level version of this (a real dialog host and a listening microphone) is in
``test_voice_app.py``.
"""

from __future__ import annotations

from deskhand.core.actions import Action, RunShell
from deskhand.core.approval import UserAnswer
from deskhand.core.loop import TaskStatus
from deskhand.core.observation import Observation
from deskhand.core.verdict import Level, Verdict


class SaysYes:
    """What a microphone hearing "yes" all the time would amount to."""

    def __init__(self) -> None:
        self.asked: list[Action] = []

    def confirm(self, action: Action, verdict: Verdict, observation: Observation) -> UserAnswer:
        self.asked.append(action)
        return UserAnswer.ALLOW_ONCE

    def answer(self, question: str) -> str | None:
        return "yes"


def test_block_never_reaches_the_approver() -> None:
    from deskhand.core.policy import assess

    verdict = assess(RunShell(command="sudo rm -rf /"))
    assert verdict.level is Level.BLOCK


def test_the_loop_refuses_blocked_actions_without_asking() -> None:
    import json

    from deskhand.core.loop import Limits, Parts, run_task
    from tests.fakes import FakeClock, FakeModel, FakeScreen, JsonLinesDialect, NoSettle, RecordingExecutor

    approver = SaysYes()
    replies = [
        json.dumps({"thought": "", "actions": [{"kind": "run_shell", "command": "sudo rm -rf /"}]}),
        json.dumps({"thought": "", "actions": [{"kind": "finish", "summary": "done"}]}),
    ]
    executor, model = RecordingExecutor(), FakeModel(replies)
    parts = Parts(
        screen=FakeScreen(),
        model=model,
        dialect=JsonLinesDialect(),
        approver=approver,
        executor=executor,
        settler=NoSettle(),
        clock=FakeClock(),
        sinks=(),
        should_stop=lambda: False,
    )
    result = run_task("clean up", parts, Limits(max_steps=5))
    assert result.status is TaskStatus.FINISHED
    assert approver.asked == [] and executor.executed == []
    told = str(model.conversations[1]).lower()
    assert "block" in told or "refused" in told or "administrator" in told
