"""The audit log's database file: where it lives, its tables, and opening it safely.

Opened private (folder 0700, files 0600: screenshots of a user's desktop), in WAL mode with
``synchronous=FULL`` so every committed write survives a ``kill -9``, and brought up to this
schema if an older Deskhand wrote it.  Reading and writing are ``audit_log.AuditLog``'s.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import platformdirs

from deskhand.app.store.config import APP_NAME
from deskhand.core.errors import SetupError

__all__ = ["SCHEMA", "default_path", "open_database"]

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


def open_database(path: Path) -> sqlite3.Connection:
    """The log at ``path`` (created if needed), shared between threads, autocommit (each
    write opens its own transaction); a file that cannot be opened is a ``SetupError``."""
    old_umask = os.umask(0o077)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(path.parent, 0o700)
        db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        os.chmod(path, 0o600)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA foreign_keys=ON")
        db.executescript(SCHEMA)
        _migrate(db)
    except (OSError, sqlite3.Error) as exc:
        raise SetupError(
            f"Tried to open the audit log at {path}, but {exc}. "
            "Check the folder's permissions and free space (or set DESKHAND_DATA_DIR)."
        ) from exc
    finally:
        os.umask(old_umask)
    return db


def _migrate(db: sqlite3.Connection) -> None:
    """Bring a log written by an older Deskhand up to this schema."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(tasks)")}
    if "pid" not in columns:
        db.execute("ALTER TABLE tasks ADD COLUMN pid INTEGER NOT NULL DEFAULT 0")
    if "origin" not in columns:
        db.execute("ALTER TABLE tasks ADD COLUMN origin TEXT NOT NULL DEFAULT ''")
    step_columns = {row[1] for row in db.execute("PRAGMA table_info(steps)")}
    if "finished" not in step_columns:
        db.execute("ALTER TABLE steps ADD COLUMN finished INTEGER NOT NULL DEFAULT 1")
