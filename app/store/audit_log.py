"""The audit log: every task and step, with the screenshot it was decided on, in SQLite.

Why SQLite in WAL mode with ``synchronous=FULL``: each write is one transaction that is on
disk before the next action runs, so a ``kill -9`` at any moment never leaves the database
unreadable.  And nothing runs unrecorded: each approved action is written *before* it is
executed (its step's row, ``finished`` 0, outcome "started, not finished") and again with
its outcome after (``TaskLog`` is the loop's ``ActionJournal``); the step's full record
replaces the row when the step ends.  A crash in between leaves the action on record, and
the next start marks it "(interrupted)".  A write that fails (a full disk) raises
``SetupError``, which stops the task before its next action.  The folder is 0700 and the
files 0600: screenshots of a user's desktop are private.

The database file itself (where, which tables, opened how) is ``audit_database``'s; marking
what a crash cut short is ``audit_recovery``'s.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from deskhand.app.store.audit_database import default_path, open_database
from deskhand.app.store.audit_recovery import mark_interrupted
from deskhand.core.errors import SetupError
from deskhand.core.observation import Observation
from deskhand.core.outcome import OutcomeEntry
from deskhand.core.trace import StepRecord


@dataclass(frozen=True, slots=True)
class TaskSummary:
    id: int
    started_at: float
    finished_at: float | None
    task: str
    model: str
    dialect: str
    host: str
    status: str
    message: str
    steps: int
    origin: str = ""  # "" typed or spoken by the user; "scheduled" started by a schedule


@dataclass(frozen=True, slots=True)
class StoredStep:
    task_id: int
    record: StepRecord
    screenshot: bytes
    mime: str
    recorded_at: float
    finished: bool = True  # False: the step was still running (or a crash ended it)


class AuditLog:
    """Opens (creating if needed) the database; safe to share between threads."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()
        self._db = open_database(self.path)
        self._lock = threading.Lock()
        self.interrupted = self._close_interrupted()  # tasks a crash ended: input may be held

    @contextmanager
    def _transaction(self, what: str = "write") -> Iterator[sqlite3.Connection]:
        """One transaction; a database that cannot be written (full disk) is a ``SetupError``."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                    self._db.execute("COMMIT")
                except BaseException:
                    if self._db.in_transaction:
                        self._db.execute("ROLLBACK")
                    raise
            except (OSError, sqlite3.Error) as exc:
                raise SetupError(
                    f"Tried to {what} in the audit log at {self.path}, but {exc}. Nothing more was done. Free some space "
                    "there (or set DESKHAND_DATA_DIR to another folder), then run the task again."
                ) from exc

    def _close_interrupted(self) -> tuple[int, ...]:
        """Mark the tasks a crash ended (``audit_recovery``); returns their ids."""
        with self._transaction("mark the tasks a crash interrupted") as db:
            return mark_interrupted(db)

    def begin_task(self, task: str, *, model: str, dialect: str, host: str, origin: str = "") -> TaskLog:
        with self._transaction("record the task") as db:
            cursor = db.execute(
                "INSERT INTO tasks (started_at, task, model, dialect, host, pid, origin) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (time.time(), task, model, dialect, host, os.getpid(), origin),
            )
        assert cursor.lastrowid is not None  # noqa: S101 - sqlite3 always sets it after INSERT
        return TaskLog(self, cursor.lastrowid)

    def add_step(
        self, task_id: int, record: StepRecord, observation: Observation, *, finished: bool = True
    ) -> None:
        """Write a step's record; ``finished`` False for the step so far (its screenshot is
        written once, by the first such write, not again for each action)."""
        what = f"record step {record.step}" + ("" if finished else " before acting on it")
        upsert = (
            "ON CONFLICT (task_id, step) DO UPDATE SET recorded_at = excluded.recorded_at, "
            "record = excluded.record, finished = excluded.finished"
        )
        with self._transaction(what) as db:
            db.execute(
                f"INSERT {'OR REPLACE ' if finished else ''}INTO steps "  # noqa: S608 - constant text
                "(task_id, step, recorded_at, record, screenshot, mime, finished) "
                f"VALUES (?, ?, ?, ?, ?, ?, ?) {'' if finished else upsert}",
                (
                    task_id,
                    record.step,
                    time.time(),
                    json.dumps(record.to_json_dict(), ensure_ascii=False),
                    observation.image,
                    observation.mime,
                    int(finished),
                ),
            )

    def add_skill_action(self, task_id: int, step: int, action: int, record: Mapping[str, object]) -> None:
        """What ``deskhand skills save`` needs of one executed action (``app/skills/skill_journal.py``):
        the action as run, what it acted on, the screen before it, its outcome."""
        with self._transaction(f"record step {step}'s target") as db:
            db.execute(
                "INSERT OR REPLACE INTO skill_actions (task_id, step, action, record) VALUES (?, ?, ?, ?)",
                (task_id, step, action, json.dumps(record, ensure_ascii=False)),
            )

    def skill_actions(self, task_id: int) -> list[dict[str, object]]:
        """The task's ``add_skill_action`` records, in the order they ran."""
        with self._lock:
            rows = self._db.execute(
                "SELECT record FROM skill_actions WHERE task_id = ? ORDER BY step, action", (task_id,)
            ).fetchall()
        return [json.loads(text) for (text,) in rows]

    def finish_task(self, task_id: int, status: str, message: str) -> None:
        with self._transaction("record the end of the task") as db:
            db.execute(
                "UPDATE tasks SET finished_at = ?, status = ?, message = ? WHERE id = ?",
                (time.time(), status, message, task_id),
            )

    def tasks(self, limit: int = 100) -> list[TaskSummary]:
        """Newest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT t.id, t.started_at, t.finished_at, t.task, t.model, t.dialect, t.host, t.status, "
                "t.message, (SELECT COUNT(*) FROM steps s WHERE s.task_id = t.id), t.origin "
                "FROM tasks t ORDER BY t.started_at DESC, t.id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [TaskSummary(*row) for row in rows]

    def task(self, task_id: int) -> TaskSummary | None:
        with self._lock:
            row = self._db.execute(
                "SELECT t.id, t.started_at, t.finished_at, t.task, t.model, t.dialect, t.host, t.status, "
                "t.message, (SELECT COUNT(*) FROM steps s WHERE s.task_id = t.id), t.origin "
                "FROM tasks t WHERE t.id = ?",
                (task_id,),
            ).fetchone()
        return None if row is None else TaskSummary(*row)

    def steps(self, task_id: int) -> list[StoredStep]:
        with self._lock:
            rows = self._db.execute(
                "SELECT record, screenshot, mime, recorded_at, finished FROM steps WHERE task_id = ? "
                "ORDER BY step",
                (task_id,),
            ).fetchall()
        return [
            StoredStep(task_id, StepRecord.model_validate_json(record), bytes(shot), mime, at, bool(done))
            for record, shot, mime, at, done in rows
        ]

    def prune(self, older_than_days: float) -> int:
        """Delete tasks (and their steps) that started more than ``older_than_days`` ago."""
        cutoff = time.time() - older_than_days * 86400
        with self._transaction("prune old tasks") as db:
            deleted = db.execute("DELETE FROM tasks WHERE started_at < ?", (cutoff,)).rowcount
        return deleted

    def close(self) -> None:
        with self._lock:
            self._db.close()


class TaskLog:
    """A ``StepSink`` and ``ActionJournal`` for one task of the audit log."""

    def __init__(self, log: AuditLog, task_id: int) -> None:
        self.log = log
        self.task_id = task_id

    def started(self, step: StepRecord, observation: Observation) -> None:
        self.log.add_step(self.task_id, step, observation, finished=False)

    def ended(self, step: StepRecord, outcome: OutcomeEntry, observation: Observation) -> None:
        self.log.add_step(self.task_id, step, observation, finished=False)

    def record(self, step: StepRecord, observation: Observation) -> None:
        self.log.add_step(self.task_id, step, observation)

    def finish(self, status: str, message: str) -> None:
        self.log.finish_task(self.task_id, status, message)
