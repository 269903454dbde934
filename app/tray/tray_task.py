"""The one task the tray app runs at a time: its worker built and wired, its end told.

Why apart from the controller: the controller decides *whether* a task may start (not
while a skill is being shown, screenshots allowed to go where they go, the session free,
the audit log open); this builds the worker for it -- the tray's approver dialogs, our
windows kept out of its screenshots, the audit log, the session's stop and pause --
connects the worker's signals to the display, and tells how the task ended (a
notification, the run view when it failed, ``task_ended``, a look at due schedules).

A ``QObject`` so that the worker's signals reach its methods on the GUI thread (see
``task_display``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from deskhand.app.store.audit_log import AuditLog
from deskhand.app.tray.qt_approver import QtApprover
from deskhand.app.tray.worker import TaskWorker
from deskhand.core.loop import TaskResult, TaskStatus
from deskhand.core.skill import Skill
from deskhand.core.skill_steps import SkillStep

if TYPE_CHECKING:
    from deskhand.app.tray.controller import DeskhandApp

__all__ = ["Replay", "TrayTask"]

Replay = tuple[Skill, tuple[SkillStep, ...]]  # a skill and its steps, parameters bound


class TrayTask(QObject):
    def __init__(self, app: DeskhandApp) -> None:
        super().__init__()
        self.app = app
        self.origin = ""  # "scheduled" while a schedule's task runs
        self.last_id: int | None = None  # the audit log's id of the task shown in the run view

    def run(self, task: str, audit_log: AuditLog, origin: str = "", replay: Replay | None = None) -> None:
        """Run ``task`` (the session has begun it) on the task thread, shown as it goes."""
        app = self.app
        worker = TaskWorker(
            task,
            approver=QtApprover(app.dialogs, app.session.stop),
            windows=app.windows,
            audit_log=audit_log,
            stop=app.session.stop,
            settings=app.settings,
            origin=origin,
            pause=app.session.pause,
            history=() if replay else app.session.history,
            replay=replay,
        )
        self.origin = origin
        self.last_id = None
        # Every signal to a QObject's method, none to a lambda or the plain SessionModel:
        # those would run on the task thread, touching the windows from there and racing
        # the GUI thread's own updates of the session.
        worker.logged.connect(self._logged)
        worker.ready.connect(self._ready)
        worker.observed.connect(app.display.observed)
        worker.decided.connect(app.display.decided)
        worker.recorded.connect(app.display.recorded)
        worker.finished.connect(self.finished)
        worker.failed.connect(self.failed)
        worker.paused.connect(self._paused)
        worker.resumed.connect(self._resumed)
        app.run_view.begin(task, follow_up=bool(app.session.history))
        app.stop_bar.show_near_cursor()
        app.runner.start(worker)

    def _logged(self, task_id: int) -> None:
        self.last_id = task_id

    def _ready(self, model: str, dialect: str, host: str) -> None:
        self.app.run_view.set_model(model, dialect, host)

    def _paused(self, why: str) -> None:
        self.app.session.paused(why)

    def _resumed(self) -> None:
        self.app.session.resumed()

    def finished(self, result: TaskResult) -> None:
        app = self.app
        app.session.finished(result)
        app.run_view.show_result(result)
        app.stop_bar.hide()
        failed = result.status is TaskStatus.FAILED
        scheduled = "Scheduled task" if self.origin == "scheduled" else "Task"
        app.notify(f"{scheduled} {result.status.value}", result.message, failed)
        if failed:
            app.show_run_view()
        app.task_ended.emit(result)
        app.schedules.soon()

    def failed(self, message: str) -> None:
        """The task could not run on (or not start): the error, shown and told."""
        app = self.app
        app.session.failed(message)
        app.run_view.show_error(message)
        app.stop_bar.hide()
        app.notify("Deskhand: the task stopped with an error", message, True)
        app.show_run_view()
        app.task_ended.emit(message)
        app.schedules.soon()

    def dialog_waiting(self, open_: bool) -> None:
        """An approval dialog opened (or closed): the session waits; a scheduled task's
        question is announced, as nobody may be watching."""
        app = self.app
        if not open_:
            app.session.answered()
            return
        app.session.waiting()
        if self.origin == "scheduled":
            app.notify(
                "Deskhand: a scheduled task needs you",
                f"{app.session.task}: an action waits for your OK (denied after "
                f"{app.dialogs.timeout_s:g} s without an answer).",
                False,
            )
