"""The loop puts each approved action on record before it runs and its outcome after
(``ActionJournal``), so a crash in between leaves "started, not finished" behind."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from deskhand.core.approval import UserAnswer
from deskhand.core.errors import SetupError
from deskhand.core.loop import TaskStatus, run_task
from deskhand.core.observation import Observation
from deskhand.core.outcome import NOT_RUN, STARTED, OutcomeEntry, OutcomeKind
from deskhand.core.trace import StepRecord
from tests.fakes import FakeApprover, RecordingExecutor, make_parts, reply

CLICK = {"kind": "click", "at": {"x": 658, "y": 364}}
TYPE = {"kind": "type_text", "text": "hello"}
FINISH = {"kind": "finish", "summary": "all done"}


@dataclass
class Journal:
    executor: RecordingExecutor
    events: list[tuple[str, StepRecord, str, int]] = field(default_factory=list)
    outcomes: list[OutcomeEntry] = field(default_factory=list)  # as ``ended`` got them
    refuse: bool = False

    def started(self, step: StepRecord, observation: Observation) -> None:
        if self.refuse:
            raise SetupError("Tried to record the action, but the disk is full. Free some space.")
        self.events.append(("started", step, step.outcome_text, len(self.executor.executed)))

    def ended(self, step: StepRecord, outcome: OutcomeEntry, observation: Observation) -> None:
        self.outcomes.append(outcome)
        self.events.append(("ended", step, outcome.words, len(self.executor.executed)))


def test_each_action_is_on_record_before_it_runs_and_with_its_outcome_after() -> None:
    executor = RecordingExecutor()
    journal = Journal(executor)
    parts, p = make_parts([reply(CLICK, TYPE), reply(FINISH)], executor=executor, journals=[journal])
    assert run_task("click and type", parts).status is TaskStatus.FINISHED
    seen = [
        (kind, step.step, len(step.actions), outcome, done) for kind, step, outcome, done in journal.events
    ]
    assert seen == [
        ("started", 1, 1, STARTED, 0),  # on record, not yet executed
        ("ended", 1, 1, "executed", 1),
        ("started", 1, 2, f"executed; {STARTED}", 1),
        ("ended", 1, 2, "executed", 2),
    ]
    first = journal.events[0][1]
    assert first.to_json_dict()["actions"] == [CLICK | {"button": "left", "count": 1}]
    assert first.verdicts[0].level == "auto" and first.user_answers == [None]
    final = p["sinks"][0].records[0]  # type: ignore[index]
    assert final.outcome_text == "executed; executed"  # the finished step no longer says "started"
    assert [e.kind for e in final.outcome] == [OutcomeKind.EXECUTED, OutcomeKind.EXECUTED]


def test_the_journal_is_told_each_action_s_outcome_typed_as_the_record_keeps_it() -> None:
    executor = RecordingExecutor(fail_with="the window went away")
    journal = Journal(executor)
    parts, p = make_parts([reply(CLICK), reply(FINISH)], executor=executor, journals=[journal])
    run_task("click", parts)
    assert journal.outcomes == [OutcomeEntry(kind=OutcomeKind.FAILED, words="failed: the window went away")]
    ended = journal.events[-1][1]
    assert ended.outcome[-1] == journal.outcomes[0]  # the same entry the step's record ends with
    assert p["sinks"][0].records[0].outcome[0] == journal.outcomes[0]  # type: ignore[index]


def test_the_user_s_answer_is_on_record_before_a_confirmed_action_runs() -> None:
    executor = RecordingExecutor()
    journal = Journal(executor)
    approver = FakeApprover(answer_with=UserAnswer.ALLOW_ONCE)
    shell = {"kind": "run_shell", "command": "rm notes.txt"}
    parts, _ = make_parts(
        [reply(shell), reply(FINISH)], executor=executor, approver=approver, journals=[journal]
    )
    run_task("tidy", parts)
    kind, step, _, done = journal.events[0]
    assert (kind, done) == ("started", 0)
    assert step.verdicts[0].level == "confirm" and step.user_answers == [UserAnswer.ALLOW_ONCE]


def test_denied_and_blocked_actions_never_start() -> None:
    executor = RecordingExecutor()
    journal = Journal(executor)
    denied = {"kind": "run_shell", "command": "rm notes.txt"}
    blocked = {"kind": "run_shell", "command": "sudo rm -rf /"}
    parts, _ = make_parts(
        [reply(denied), reply(blocked), reply(FINISH)],
        executor=executor,
        approver=FakeApprover(answer_with=UserAnswer.DENY),
        journals=[journal],
    )
    run_task("tidy", parts)
    assert journal.events == []


def test_an_action_that_cannot_be_recorded_is_not_executed() -> None:
    executor = RecordingExecutor()
    parts, p = make_parts(
        [reply(CLICK), reply(FINISH)], executor=executor, journals=[Journal(executor, refuse=True)]
    )
    with pytest.raises(SetupError, match="disk is full"):
        run_task("click", parts)
    assert executor.executed == []
    assert [r.outcome_text for r in p["sinks"][0].records] == [NOT_RUN]  # type: ignore[index]
    assert [r.outcome[-1].kind for r in p["sinks"][0].records] == [OutcomeKind.NOT_RUN]  # type: ignore[index]
    assert executor.released == 1  # the loop still lets go of input on the way out
