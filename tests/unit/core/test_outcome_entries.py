"""The step's outcome is typed until the writer: a tuple of ``OutcomeEntry`` on the record,
joined with "; " only in the JSON, and a stored outcome string reads back as one entry
that is written back byte for byte."""

from __future__ import annotations

import json

from deskhand.core.actions import Click, TypeText
from deskhand.core.approval import UserAnswer
from deskhand.core.geometry import ImagePoint
from deskhand.core.outcome import (
    STARTED,
    Declined,
    ExecResult,
    Executed,
    Failed,
    OutcomeEntry,
    OutcomeKind,
    Repeated,
    StepOutcome,
)
from deskhand.core.step_log import StepLog
from deskhand.core.trace import StepRecord
from deskhand.core.verdict import Level, Verdict
from tests.fakes import FakeClock, jpeg_observation

CLICK = Click(at=ImagePoint(x=10, y=20))
TYPED = TypeText(text="hello")


def _log() -> StepLog:
    log = StepLog(1, "m", "d", FakeClock(step=0.5))
    log.observed(jpeg_observation())
    return log


def test_each_part_of_the_outcome_keeps_its_kind_and_the_json_joins_the_words() -> None:
    log = _log()
    log.judged(CLICK, Verdict(level=Level.AUTO, reason="reversible"), None)
    log.outcome(Executed(action=CLICK, result=ExecResult(feedback="ok")))
    denied = Verdict(level=Level.CONFIRM, reason="typing text")
    log.judged(TYPED, denied, UserAnswer.DENY)
    log.outcome(Declined(action=TYPED, verdict=denied, blocked=False))
    log.dropped_action(TYPED, "after a denial")
    log.user_answered("yes")
    record = log.record(jpeg_observation())
    kinds = [entry.kind for entry in record.outcome]
    assert kinds == [OutcomeKind.EXECUTED, OutcomeKind.DENIED, OutcomeKind.DROPPED, OutcomeKind.ANSWERED]
    expected = "executed: ok; denied by the user: typing text; type 'hello' not run: after a denial; the user answered"
    assert record.to_json_dict()["outcome"] == record.outcome_text == expected
    assert not record.was_executing


def test_a_step_mid_action_says_started_and_a_step_without_any_says_no_action() -> None:
    log = _log()
    log.judged(CLICK, Verdict(level=Level.AUTO, reason="reversible"), None)
    log.outcome(Executed(action=CLICK, result=ExecResult()))
    started = log.record(jpeg_observation(), started=True)
    assert [e.kind for e in started.outcome] == [OutcomeKind.EXECUTED, OutcomeKind.STARTED]
    assert started.to_json_dict()["outcome"] == f"executed; {STARTED}" and started.was_executing
    nothing = _log().record(jpeg_observation())
    assert [e.kind for e in nothing.outcome] == [OutcomeKind.NO_ACTION]
    assert nothing.to_json_dict()["outcome"] == "no action" and not nothing.was_executing


def test_a_stored_outcome_reads_back_as_one_entry_and_is_written_back_byte_for_byte() -> None:
    log = _log()
    log.judged(CLICK, Verdict(level=Level.AUTO, reason="reversible"), None)
    log.outcome(Executed(action=CLICK, result=ExecResult(feedback="a; b")))
    written = json.dumps(log.record(jpeg_observation(), started=True).to_json_dict(), ensure_ascii=False)
    again = StepRecord.model_validate_json(written)
    assert [(e.kind, e.words) for e in again.outcome] == [
        (OutcomeKind.RECORDED, f"executed: a; b; {STARTED}")
    ]
    assert again.was_executing  # known from the words alone, for a record from disk
    assert json.dumps(again.to_json_dict(), ensure_ascii=False) == written
    odd = json.loads(written) | {"outcome": ""}
    assert StepRecord.model_validate(odd).to_json_dict() == odd


def test_one_action_s_outcome_reads_back_from_its_words_as_the_entry_it_was() -> None:
    confirm = Verdict(level=Level.CONFIRM, reason="typing text: a; b")
    outcomes: list[StepOutcome] = [
        Executed(action=CLICK, result=ExecResult()),
        Executed(action=CLICK, result=ExecResult(feedback="exit 1: failed: no such file")),
        Declined(action=TYPED, verdict=confirm, blocked=False),
        Declined(action=TYPED, verdict=confirm.model_copy(update={"level": Level.BLOCK}), blocked=True),
        Failed(action=CLICK, reason="executed nothing"),
        Repeated(action=CLICK, reason="the screen did not change"),
    ]
    entries = [OutcomeEntry.of(outcome) for outcome in outcomes]
    assert [e.kind for e in entries] == [
        OutcomeKind.EXECUTED,
        OutcomeKind.EXECUTED,
        OutcomeKind.DENIED,
        OutcomeKind.BLOCKED,
        OutcomeKind.FAILED,
        OutcomeKind.REPEATED,
    ]
    assert [OutcomeEntry.read(e.words) for e in entries] == entries
    for words in ("", "executedly", STARTED, "the user answered"):  # no action's outcome
        assert OutcomeEntry.read(words) == OutcomeEntry(kind=OutcomeKind.RECORDED, words=words)
