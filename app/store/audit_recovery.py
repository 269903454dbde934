"""After a crash: tasks the audit log still calls 'running' whose process is gone.

Each approved action is on record before it runs (its step's row, ``finished`` 0, outcome
"started, not finished"), so what a crash cut short is known at the next start: the task
becomes 'interrupted' and that action's outcome "... (interrupted)" -- the caller then lets
go of any key or button it may have left down.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys

from deskhand.core.outcome import OutcomeEntry, OutcomeKind
from deskhand.core.trace import StepRecord

__all__ = ["INTERRUPTED", "mark_interrupted"]

INTERRUPTED = " (interrupted)"  # appended to the outcome of an action a crash cut short


def mark_interrupted(db: sqlite3.Connection) -> tuple[int, ...]:
    """Tasks left 'running' by a process that is gone are marked so; their steps stay,
    and an action they had started says "started, not finished (interrupted)".

    The tray app and a terminal `deskhand do` may share the log, so a task whose
    process still runs is left alone.  Returns the ids marked; ``db`` is in a transaction.
    """
    marked = []
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
