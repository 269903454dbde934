"""Schedules in the tray app: catch up on missed ones at start, then keep time.

Why apart from the controller: the rules of *which* schedule is due live in
``scheduler.ScheduleRunner`` (plain Python, tested with a clock); this is only the Qt
side -- the timer, the "run the missed ones now?" question and the nudge after a task --
and it starts a schedule through the app's own door (``DeskhandApp.start_task`` with
``origin="scheduled"``), so a scheduled task is judged, approved, logged and stopped like
any other.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

from deskhand.app.store.schedule_store import Schedule, ScheduleStore
from deskhand.app.store.settings_store import personal_db_path
from deskhand.app.tray.scheduler import ScheduleRunner
from deskhand.core.errors import DeskhandError

if TYPE_CHECKING:
    from deskhand.app.tray.controller import DeskhandApp

__all__ = ["SCHEDULE_CHECK_MS", "ConfirmMissed", "SchedulesTray"]

log = logging.getLogger(__name__)

ConfirmMissed = Callable[[list[Schedule]], bool]  # "run the missed schedules now?"; True: run
SCHEDULE_CHECK_MS = 20_000


class SchedulesTray:
    def __init__(self, app: DeskhandApp, confirm_missed: ConfirmMissed | None = None) -> None:
        self.app = app
        self.confirm_missed = confirm_missed or _ask_missed_schedules
        self.runner: ScheduleRunner | None = None
        # Created by start (the tray app), not here: an app without schedules keeps no
        # timers, and no timer child ties an ended app's collection to Qt.
        self.timer: QTimer | None = None

    def start(self) -> None:
        """At start: settle schedules missed while the app was not running, then keep time."""
        try:
            settings = self.app.settings()
            store = ScheduleStore(personal_db_path(settings))
        except DeskhandError as exc:
            log.warning("schedules are off: %s", exc)
            return
        self.runner = ScheduleRunner(store, self._start_scheduled, self.app.clock)
        missed = self.runner.missed()
        if missed and (
            settings.missed_schedules == "skip"
            or (settings.missed_schedules == "ask" and not self.confirm_missed(missed))
        ):
            self.runner.skip(missed)
        self.timer = QTimer(self.app)
        self.timer.setInterval(SCHEDULE_CHECK_MS)
        self.timer.timeout.connect(self.run_due)
        self.timer.start()
        self.soon()

    def soon(self) -> None:
        """Check the schedules once the event loop is free (after a task, a schedule may wait)."""
        if self.timer is not None:
            QTimer.singleShot(0, self.timer, self.run_due)

    def run_due(self) -> None:
        if self.runner is None or self.app.session.running:
            return
        try:
            self.runner.tick()
        except DeskhandError as exc:
            self.app.notify("Deskhand: schedules", str(exc), True)

    def shutdown(self) -> None:
        if self.timer is not None:
            self.timer.stop()
        self.runner = None

    def _start_scheduled(self, schedule: Schedule) -> bool:
        if self.app.session.running:
            return False
        self.app.notify("Deskhand: scheduled task", schedule.task, False)
        return self.app.start_task(schedule.task, origin="scheduled")


def _ask_missed_schedules(missed: list[Schedule]) -> bool:
    from deskhand.app.windows.missed_schedules import ask_run_missed

    return ask_run_missed(missed)
