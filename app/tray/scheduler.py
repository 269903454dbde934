"""Runs due schedules: plain Python, so the rules are tested with a clock the test controls.

The tray app calls ``tick`` from a timer (and after each task); ``start`` is the app's own
"start a task" door, which says False while another task runs -- the schedule then stays
due and is tried again at the next tick, so nothing overlaps and nothing is dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from deskhand.app.store.schedule_store import Schedule, ScheduleStore

__all__ = ["MISSED_AFTER", "ScheduleRunner"]

# A run later than this after its time was missed (the app was not running), not just late.
MISSED_AFTER = timedelta(minutes=2)

StartTask = Callable[[Schedule], bool]


class ScheduleRunner:
    def __init__(
        self, store: ScheduleStore, start: StartTask, now: Callable[[], datetime] = datetime.now
    ) -> None:
        self.store = store
        self.start = start
        self.now = now

    def missed(self) -> list[Schedule]:
        """Schedules whose time passed while nothing could run them (checked once at start)."""
        moment = self.now()
        return [
            s
            for s in self.store.due(moment)
            if s.next_run_at is not None and s.next_run_at < (moment - MISSED_AFTER).timestamp()
        ]

    def skip(self, schedules: list[Schedule]) -> None:
        """The user chose not to catch up: move each to its next time without running it."""
        moment = self.now()
        for schedule in schedules:
            self.store.skip(schedule.id, moment)

    def tick(self) -> Schedule | None:
        """Start the earliest due schedule, if any and if no task is running; returns it."""
        moment = self.now()
        for schedule in self.store.due(moment):
            if not self.start(schedule):
                return None  # busy: every due schedule waits for the next tick
            self.store.mark_ran(schedule.id, moment)
            return schedule
        return None
