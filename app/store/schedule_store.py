"""Scheduled tasks: what to run, when (``deskhand.core.when``), and when it last ran.

The store keeps each schedule's canonical ``spec`` and its next run as a timestamp, so the
tray app -- the one that runs them -- only asks "what is due now?", and a missed run (the
app was not running) is found by its next run lying in the past.  A run moves the next run
past *now*, not past the missed time: a schedule missed ten times runs once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from deskhand.app.store.personal_db import PersonalDatabase
from deskhand.core.errors import UsageError
from deskhand.core.when import When, WhenError, parse_when

__all__ = ["Schedule", "ScheduleStore"]


@dataclass(frozen=True, slots=True)
class Schedule:
    id: int
    spec: str
    task: str
    last_run_at: float | None
    next_run_at: float | None  # None: a one-off that has run

    def describe_next(self) -> str:
        if self.next_run_at is None:
            return "done"
        return f"{datetime.fromtimestamp(self.next_run_at):%Y-%m-%d %H:%M}"


def _timestamp(moment: datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()


class ScheduleStore:
    """The ``schedules`` table of the personal database."""

    def __init__(self, path: Path) -> None:
        self.db = PersonalDatabase(path)

    def add(self, when_text: str, task: str, now: datetime | None = None) -> Schedule:
        """Parse ``when_text`` and keep the schedule; raises ``UsageError`` on bad input."""
        now = now or datetime.now()
        text = task.strip()
        if not text:
            raise UsageError(
                'Tried to schedule an empty task. Say what to do, e.g. `deskhand schedule add "every day 09:00" "…"`.'
            )
        if text.startswith("/"):
            raise UsageError(
                f"Tried to schedule the skill {text.split()[0]!r}, but skills are not available in this "
                "version yet. Schedule the task in words instead."
            )
        try:
            when = parse_when(when_text, now)
        except WhenError as exc:
            raise UsageError(f"Tried to add a schedule, but {exc}.") from None
        next_run = when.next_after(now)
        with self.db.transaction() as db:
            cursor = db.execute(
                "INSERT INTO schedules (spec, task, created_at, next_run_at) VALUES (?, ?, ?, ?)",
                (when.spec, text, time.time(), _timestamp(next_run)),
            )
        return self.get(int(cursor.lastrowid or 0))

    def get(self, schedule_id: int) -> Schedule:
        rows = self._select("WHERE id = ?", (schedule_id,))
        if not rows:
            raise UsageError(f"There is no schedule {schedule_id}. `deskhand schedule list` shows them.")
        return rows[0]

    def all(self) -> list[Schedule]:
        return self._select("ORDER BY id", ())

    def due(self, now: datetime) -> list[Schedule]:
        """Schedules whose next run is at or before ``now``, earliest first."""
        return self._select(
            "WHERE next_run_at IS NOT NULL AND next_run_at <= ? ORDER BY next_run_at", (now.timestamp(),)
        )

    def remove(self, schedule_id: int) -> None:
        self.get(schedule_id)
        with self.db.transaction() as db:
            db.execute("DELETE FROM schedules WHERE id = ?", (schedule_id,))

    def mark_ran(self, schedule_id: int, now: datetime) -> Schedule:
        """Record a run at ``now`` and move the next run past ``now`` (missed runs collapse)."""
        schedule = self.get(schedule_id)
        when = _once(schedule.spec) if _is_once(schedule.spec) else parse_when(schedule.spec, now)
        with self.db.transaction() as db:
            db.execute(
                "UPDATE schedules SET last_run_at = ?, next_run_at = ? WHERE id = ?",
                (now.timestamp(), _timestamp(when.next_after(now)), schedule_id),
            )
        return self.get(schedule_id)

    def skip(self, schedule_id: int, now: datetime) -> Schedule:
        """Move the next run past ``now`` without recording a run."""
        schedule = self.get(schedule_id)
        when = _once(schedule.spec) if _is_once(schedule.spec) else parse_when(schedule.spec, now)
        with self.db.transaction() as db:
            db.execute(
                "UPDATE schedules SET next_run_at = ? WHERE id = ?",
                (_timestamp(when.next_after(now)), schedule_id),
            )
        return self.get(schedule_id)

    def _select(self, clause: str, params: tuple[object, ...]) -> list[Schedule]:
        rows = self.db.query(
            f"SELECT id, spec, task, last_run_at, next_run_at FROM schedules {clause}",  # noqa: S608 - clause is ours
            params,
        )
        return [
            Schedule(
                int(i), str(s), str(t), None if lr is None else float(lr), None if nr is None else float(nr)
            )
            for i, s, t, lr, nr in rows
        ]


def _is_once(spec: str) -> bool:
    return spec[:1].isdigit() and spec.count(" ") == 1


def _once(spec: str) -> When:
    """A stored one-off: parse it as of a moment long before, so it is never 'already past'."""
    return parse_when(spec, datetime(1970, 1, 2))
