"""The step record holds types inside the app and the contract's JSON only where it is written.

Its byte-for-byte JSON is pinned by ``test_step_record_identity``; here: what the record
holds (models, verdicts, answers), that a secret is gone from the typed values as from
the JSON (both are shown or written), and that a stored record reads back as the same
types -- an action this version cannot read kept as written.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from deskhand.app.store.audit_log import AuditLog
from deskhand.app.store.history_views import step_view
from deskhand.core.actions import Click, Decision, Hotkey, RunShell, TypeText
from deskhand.core.approval import UserAnswer
from deskhand.core.geometry import ImagePoint
from deskhand.core.observation import Completion
from deskhand.core.outcome import ExecResult, Executed
from deskhand.core.step_log import REDACTED, StepLog
from deskhand.core.trace import StepRecord, UnreadableAction, describe_recorded
from deskhand.core.verdict import Level, Verdict
from tests.fakes import FakeClock, jpeg_observation

SECRET = "hunter2-horse"  # noqa: S105 - a made-up password to redact


def _record() -> StepRecord:
    log = StepLog(1, "qwen3-vl:8b", "qwen3-vl", FakeClock(step=0.5), secrets=frozenset({SECRET}))
    observation = jpeg_observation()
    log.observed(observation)
    log.replied(Completion(text=f"type {SECRET}", model_ms=5.0))
    actions = (
        Click(at=ImagePoint(x=10, y=20)),
        TypeText(text=f"my password is {SECRET}"),
        RunShell(command=f"echo {SECRET}"),
        Hotkey(keys=("ctrl", "s")),
    )
    log.decided(Decision(thought=f"typing {SECRET}", actions=actions))
    answers = (None, UserAnswer.DENY, UserAnswer.ALLOW_ONCE, None)
    for action, answer in zip(actions, answers, strict=True):
        log.judged(action, Verdict(level=Level.CONFIRM, reason=f"it mentions {SECRET}"), answer)
        log.outcome(Executed(action=action, result=ExecResult(feedback=f"exit 0: {SECRET}")))
    return log.record(observation)


def test_the_record_holds_types_with_every_secret_replaced() -> None:
    record = _record()
    click, typed, shell, hotkey = record.actions
    assert click == Click(at=ImagePoint(x=10, y=20)) and hotkey == Hotkey(keys=("ctrl", "s"))
    assert isinstance(typed, TypeText) and typed.text == f"my password is {REDACTED}"
    assert isinstance(shell, RunShell) and shell.command == f"echo {REDACTED}"
    assert all(isinstance(v, Verdict) and v.level is Level.CONFIRM for v in record.verdicts)
    assert record.verdicts[0].reason == f"it mentions {REDACTED}"
    assert record.user_answers == [None, UserAnswer.DENY, UserAnswer.ALLOW_ONCE, None]
    shown = " ".join(describe_recorded(a) for a in record.actions) + repr(record)
    assert SECRET not in shown and SECRET not in json.dumps(record.to_json_dict())


def test_the_json_is_the_contract_and_reads_back_as_the_same_types() -> None:
    record = _record()
    written = record.to_json_dict()
    assert written["actions"][0] == {
        "kind": "click",
        "at": {"x": 10.0, "y": 20.0},
        "button": "left",
        "count": 1,
    }
    assert written["verdicts"][1] == {"level": "confirm", "reason": f"it mentions {REDACTED}"}
    assert written["user_answers"] == [None, "deny", "allow_once", None]
    assert json.loads(record.model_dump_json()) == written
    again = StepRecord.model_validate_json(json.dumps(written))
    assert again.actions == record.actions and again.user_answers == record.user_answers
    assert [(v.level, v.reason) for v in again.verdicts] == [(v.level, v.reason) for v in record.verdicts]
    assert again.to_json_dict() == written


def test_the_audit_log_writes_the_contract_without_the_secret(tmp_path: Path) -> None:
    audit = AuditLog(tmp_path / "audit.db")
    task = audit.begin_task("t", model="m", dialect="d", host="h")
    record = _record()
    task.record(record, jpeg_observation())
    (stored,) = audit.steps(task.task_id)
    audit.close()
    with sqlite3.connect(tmp_path / "audit.db") as db:
        (text,) = db.execute("SELECT record FROM steps").fetchone()
    assert SECRET not in text and json.loads(text) == record.to_json_dict()
    assert stored.record.actions == record.actions
    view = step_view(stored.record)
    assert view.answers == ["deny", "allow once"]  # DENY is 0: still an answer
    assert view.verdicts[0] == f"confirm: it mentions {REDACTED}"


def test_an_action_this_version_cannot_read_is_kept_as_written() -> None:
    raw = {"kind": "teleport", "to": "Mars"}
    written = _record().to_json_dict() | {"actions": [raw], "verdicts": [], "user_answers": []}
    stored = StepRecord.model_validate(written)
    assert stored.actions == [UnreadableAction(raw=raw)]
    assert describe_recorded(stored.actions[0]) == '{"kind": "teleport", "to": "Mars"}'
    assert stored.to_json_dict() == written
