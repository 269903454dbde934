"""The skills' target description runs beside the audit log's "started" write (``Beside``),
and the action still starts only once both are done; a write that fails still stops the
task before the action, as without the description beside it."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import pytest

from deskhand.app.skills.skill_journal import Beside
from deskhand.core.errors import SetupError
from deskhand.core.loop import TaskStatus, run_task
from deskhand.core.observation import Observation
from deskhand.core.outcome import STARTED, OutcomeEntry
from deskhand.core.trace import StepRecord
from tests.fakes import RecordingExecutor, make_parts, reply

CLICK = {"kind": "click", "at": {"x": 658, "y": 364}}
TYPE = {"kind": "type_text", "text": "hello"}
FINISH = {"kind": "finish", "summary": "all done"}


@dataclass
class Journal:
    """Notes each call with how many actions had run; ``waits_for`` makes ``started`` wait
    for another journal's ``started`` (only possible if the two run at the same time)."""

    name: str
    executor: RecordingExecutor
    events: list[tuple[str, str, str, int]]
    waits_for: threading.Event | None = None
    signals: threading.Event = field(default_factory=threading.Event)
    refuse: bool = False
    threads: set[str] = field(default_factory=set)

    def started(self, step: StepRecord, observation: Observation) -> None:
        self.threads.add(threading.current_thread().name)
        self.signals.set()
        if self.waits_for is not None:
            assert self.waits_for.wait(5), f"{self.name} ran alone: the other journal was not running"
        if self.refuse:
            raise SetupError("Tried to record the action, but the disk is full. Free some space.")
        self.events.append((self.name, "started", step.outcome_text, len(self.executor.executed)))

    def ended(self, step: StepRecord, outcome: OutcomeEntry, observation: Observation) -> None:
        self.events.append((self.name, "ended", outcome.kind.value, len(self.executor.executed)))


def test_the_description_runs_beside_the_record_and_both_precede_the_action() -> None:
    executor = RecordingExecutor()
    events: list[tuple[str, str, str, int]] = []
    audit = Journal("audit", executor, events)
    target = Journal("target", executor, events, waits_for=audit.signals)
    audit.waits_for = target.signals  # each waits for the other: they must overlap
    journal = Beside([audit], target)
    parts, _ = make_parts([reply(CLICK, TYPE), reply(FINISH)], executor=executor, journals=[journal])
    assert run_task("click and type", parts).status is TaskStatus.FINISHED
    started = [(name, outcome, done) for name, kind, outcome, done in events if kind == "started"]
    assert sorted(started) == sorted(
        [
            ("audit", STARTED, 0),  # both told before the click ran
            ("target", STARTED, 0),
            ("audit", f"executed; {STARTED}", 1),  # and before the typing
            ("target", f"executed; {STARTED}", 1),
        ]
    )
    ended = [(name, kind, done) for name, event, kind, done in events if event == "ended"]
    assert ended == [  # in order, after each, with the outcome as it is typed
        ("audit", "executed", 1),
        ("target", "executed", 1),
        ("audit", "executed", 2),
        ("target", "executed", 2),
    ]
    assert target.threads.isdisjoint(audit.threads)


def test_a_record_that_cannot_be_written_still_stops_the_task_before_the_action() -> None:
    executor = RecordingExecutor()
    events: list[tuple[str, str, str, int]] = []
    slow_target = threading.Event()
    audit = Journal("audit", executor, events, refuse=True)
    target = Journal("target", executor, events, waits_for=slow_target)
    threading.Timer(0.2, slow_target.set).start()  # the description finishes after the failure
    parts, _ = make_parts(
        [reply(CLICK), reply(FINISH)], executor=executor, journals=[Beside([audit], target)]
    )
    with pytest.raises(SetupError, match="disk is full"):
        run_task("click", parts)
    assert executor.executed == []
    assert ("target", "started", STARTED, 0) in events  # waited for, not left running
