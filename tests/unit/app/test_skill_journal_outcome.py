"""The skills' journal is told each action's outcome typed (``OutcomeEntry``) and keeps it in
``skill_actions`` as the words it always kept, byte for byte; ``skills save`` keeps the
actions whose outcome reads back as executed, from rows this version wrote or an older one."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping
from pathlib import Path

from deskhand.app.skills.skill_journal import TargetJournal
from deskhand.app.skills.skill_save import skill_from_task
from deskhand.app.store.audit_log import AuditLog
from deskhand.core.actions import Action, TypeText
from deskhand.core.approval import Approved
from deskhand.core.errors import ExecutionFailed
from deskhand.core.geometry import ScreenPoint
from deskhand.core.loop import TaskStatus, run_task
from deskhand.core.observation import Observation
from deskhand.core.outcome import ExecResult
from deskhand.core.skill_steps import ClickStep, KeysStep
from deskhand.core.skill_target import Found, NotFound, Target
from tests.fakes import FakeScreen, RecordingExecutor, make_parts, reply

CLICK = {"kind": "click", "at": {"x": 658, "y": 364}}
TYPE = {"kind": "type_text", "text": "hello"}
FINISH = {"kind": "finish", "summary": "all done"}
CLICKED = {"kind": "click", "at": {"x": 658.0, "y": 364.0}, "button": "left", "count": 1}  # as recorded
APPLE = Target(name="Apple", role="push button", window="Orchard")
FINGERPRINT = bytes([7]) * 4


class _Lookup:
    def describe(self, point: ScreenPoint, observation: Observation, *, label: str | None = None) -> Target:
        return APPLE

    def find(self, target: Target, observation: Observation) -> Found | NotFound:
        raise AssertionError("saving a skill finds nothing")


class _TypingFails(RecordingExecutor):
    def execute(self, approved: Approved[Action], *, should_stop: Callable[[], bool]) -> ExecResult:
        if isinstance(approved.action, TypeText):
            raise ExecutionFailed("the field went away")
        return super().execute(approved, should_stop=should_stop)


def _stored(path: Path) -> list[str]:
    """The ``skill_actions`` rows as the database holds them, text for text."""
    with sqlite3.connect(path) as db:
        return [text for (text,) in db.execute("SELECT record FROM skill_actions ORDER BY step, action")]


def _old_row(action: Mapping[str, object], outcome: str, target: Mapping[str, object] | None = None) -> str:
    """A row as Deskhand wrote it when the journal was given the outcome as a string."""
    record = {"action": action, "target": target, "fingerprint": FINGERPRINT.hex(), "outcome": outcome}
    return json.dumps(record, ensure_ascii=False)


def test_the_journal_keeps_the_outcome_s_words_as_before_and_save_keeps_what_ran(tmp_path: Path) -> None:
    path = tmp_path / "audit.sqlite3"
    audit = AuditLog(path)
    task = audit.begin_task("press the apple", model="m", dialect="json", host="h")
    parts, _ = make_parts(
        [reply(CLICK), reply(TYPE), reply(FINISH)],
        screen=FakeScreen(fingerprints=[FINGERPRINT]),
        executor=_TypingFails(),
        journals=[task, TargetJournal(audit, task.task_id, _Lookup())],
    )
    assert run_task("press the apple", parts).status is TaskStatus.FINISHED
    task.finish("finished", "all done")
    assert _stored(path) == [
        _old_row(CLICKED, "executed", APPLE.model_dump(mode="json")),
        _old_row(TYPE, "failed: the field went away"),
    ]
    skill = skill_from_task("apple", audit, task.task_id, {})
    assert skill.steps == (ClickStep(target=APPLE, say=skill.steps[0].say),)  # the failed typing is left out


def test_rows_an_older_deskhand_wrote_are_read_by_their_outcome_s_kind(tmp_path: Path) -> None:
    audit = AuditLog(tmp_path / "audit.sqlite3")
    task = audit.begin_task("press keys", model="m", dialect="json", host="h")
    outcomes = [
        "executed",
        "executed: exit 0: done; executed",  # feedback may hold any words
        "failed: executed nothing",
        "denied by the user: typing text",
        "blocked by policy: no",
        "not repeated: the screen did not change",
        "executedly",  # no outcome's words: not an executed one
    ]
    for number, outcome in enumerate(outcomes, 1):
        row = json.loads(_old_row({"kind": "hotkey", "keys": [f"f{number}"]}, outcome))
        audit.add_skill_action(task.task_id, number, 0, row)
    audit.add_skill_action(task.task_id, 99, 0, {"action": {"kind": "hotkey", "keys": ["f9"]}})  # no outcome
    task.finish("finished", "done")
    skill = skill_from_task("keys", audit, task.task_id, {})
    assert [step.keys for step in skill.steps if isinstance(step, KeysStep)] == [("f1",), ("f2",)]
    assert len(skill.steps) == 2
