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
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from deskhand.app.store.config import APP_NAME
from deskhand.core.errors import SetupError
from deskhand.core.observation import Observation
from deskhand.core.outcome import OutcomeEntry, OutcomeKind
from deskhand.core.trace import StepRecord

INTERRUPTED = " (interrupted)"  # appended to the outcome of an action a crash cut short

SCHEMA = """
CREATE TABLE IF NOT EXISTS tasks (
    id INTEGER PRIMARY KEY,
    started_at REAL NOT NULL,
    finished_at REAL,
    task TEXT NOT NULL,
    model TEXT NOT NULL,
    dialect TEXT NOT NULL,
    host TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'running',
    message TEXT NOT NULL DEFAULT '',
    pid INTEGER NOT NULL DEFAULT 0,
    origin TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS steps (
    task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    step INTEGER NOT NULL,
    recorded_at REAL NOT NULL,
    record TEXT NOT NULL,
    screenshot BLOB NOT NULL,
    mime TEXT NOT NULL,
    finished INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (task_id, step)
);
CREATE TABLE IF NOT EXISTS skill_actions (
    task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    step INTEGER NOT NULL,
    action INTEGER NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (task_id, step, action)
);
"""


def default_path() -> Path:
    override = os.environ.get("DESKHAND_DATA_DIR")
    base = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME))
    return base / "audit.sqlite3"


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
        old_umask = os.umask(0o077)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.chmod(self.path.parent, 0o700)
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            os.chmod(self.path, 0o600)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.executescript(SCHEMA)
            self._migrate()
        except (OSError, sqlite3.Error) as exc:
            raise SetupError(
                f"Tried to open the audit log at {self.path}, but {exc}. "
                "Check the folder's permissions and free space (or set DESKHAND_DATA_DIR)."
            ) from exc
        finally:
            os.umask(old_umask)
        self._lock = threading.Lock()
        self.interrupted = self._close_interrupted()  # tasks a crash ended: input may be held

    def _migrate(self) -> None:
        """Bring a log written by an older Deskhand up to this schema."""
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(tasks)")}
        if "pid" not in columns:
            self._db.execute("ALTER TABLE tasks ADD COLUMN pid INTEGER NOT NULL DEFAULT 0")
        if "origin" not in columns:
            self._db.execute("ALTER TABLE tasks ADD COLUMN origin TEXT NOT NULL DEFAULT ''")
        step_columns = {row[1] for row in self._db.execute("PRAGMA table_info(steps)")}
        if "finished" not in step_columns:
            self._db.execute("ALTER TABLE steps ADD COLUMN finished INTEGER NOT NULL DEFAULT 1")

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
        """Tasks left 'running' by a process that is gone are marked so; their steps stay,
        and an action they had started says "started, not finished (interrupted)".

        The tray app and a terminal `deskhand do` may share the log, so a task whose
        process still runs is left alone.  Returns the ids marked.
        """
        marked = []
        with self._transaction("mark the tasks a crash interrupted") as db:
            running = db.execute("SELECT id, pid FROM tasks WHERE status = 'running'").fetchall()
            for task_id, pid in running:
                if not _process_alive(pid):
                    db.execute(
                        "UPDATE tasks SET status = 'interrupted', "
                        "message = 'Deskhand ended before the task did.' WHERE id = ?",
                        (task_id,),
                    )
                    _mark_cut_short(db, task_id)
                    marked.append(int(task_id))
        return tuple(marked)

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


def _mark_cut_short(db: sqlite3.Connection, task_id: int) -> None:
    """The steps a crash cut short: "started, not finished" becomes "... (interrupted)"."""
    rows = db.execute("SELECT step, record FROM steps WHERE task_id = ? AND finished = 0", (task_id,))
    for step, text in rows.fetchall():
        record = StepRecord.model_validate_json(text)
        if record.was_executing:  # its last words become "... (interrupted)"
            *before, last = record.outcome
            cut = OutcomeEntry(kind=OutcomeKind.INTERRUPTED, words=last.words + INTERRUPTED)
            outcome = (*before, cut)
        else:
            cut = OutcomeEntry(kind=OutcomeKind.INTERRUPTED, words=f"the step did not end{INTERRUPTED}")
            outcome = (*record.outcome, cut)
        db.execute(
            "UPDATE steps SET record = ? WHERE task_id = ? AND step = ?",
            (json.dumps(record.model_copy(update={"outcome": outcome}).to_json_dict(), ensure_ascii=False),
             task_id, step),
        )  # fmt: skip


def _process_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if sys.platform == "win32":  # pragma: no cover - os.kill(pid, 0) would terminate it there
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
