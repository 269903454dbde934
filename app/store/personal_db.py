"""The SQLite file that holds what Deskhand keeps for its user: memory and schedules.

It lives beside the audit log, with the same protection (folder 0700, file 0600, WAL with
``synchronous=FULL``): remembered facts and scheduled tasks are as private as the history.
A separate file from the audit log because it is the user's own data -- exported,
cleared and edited by hand -- while the audit log is a record nobody edits.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from deskhand.core.errors import SetupError

__all__ = ["PersonalDatabase"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS memories (
    id INTEGER PRIMARY KEY,
    text TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS schedules (
    id INTEGER PRIMARY KEY,
    spec TEXT NOT NULL,
    task TEXT NOT NULL,
    created_at REAL NOT NULL,
    last_run_at REAL,
    next_run_at REAL
);
"""


class PersonalDatabase:
    """Opens a connection per operation: the stores are used seldom, from any thread, and
    a connection left open by a finished task would only hold the file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        old_umask = os.umask(0o077)
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.chmod(path.parent, 0o700)
            with contextlib.closing(self._connect()) as db:
                os.chmod(path, 0o600)
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise SetupError(
                f"Tried to open Deskhand's memory and schedules at {path}, but {exc}. "
                "Check the folder's permissions and free space (or set DESKHAND_DATA_DIR)."
            ) from exc
        finally:
            os.umask(old_umask)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level=None, timeout=10.0)
        db.execute("PRAGMA synchronous=FULL")
        return db

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            with contextlib.closing(self._connect()) as db:
                db.execute("BEGIN IMMEDIATE")
                try:
                    yield db
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
                db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise SetupError(
                f"Tried to write to {self.path}, but {exc}. Check the free space and permissions."
            ) from exc

    def query(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        try:
            with contextlib.closing(self._connect()) as db:
                return list(db.execute(sql, params))
        except sqlite3.Error as exc:
            raise SetupError(f"Tried to read {self.path}, but {exc}.") from exc
