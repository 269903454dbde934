"""Runs one task's loop on a QThread and reports it through signals carrying core values.

The GUI thread never waits on the model, the screen or the input layer: everything from
picking the model (an HTTP call) to the last step happens here.  The task is assembled by
``deskhand.app.task_session.TaskSession`` exactly as for ``deskhand do``; the app only wraps
the screen and executor so its own windows stay out of the picture, and adds its sinks
(the signals; the session puts the audit log in front).  Errors end as a ``failed`` signal with the one-line message
the CLI would print; nothing propagates out of the thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QThread, Signal

from deskhand.app.platform.screen_exclusion import ExcludingExecutor, ExcludingScreen, OurWindows
from deskhand.app.platform.task_lock import desktop_lock
from deskhand.app.store.audit_log import AuditLog
from deskhand.app.store.config import Settings, load_settings
from deskhand.app.tray.gui_text import for_gui
from deskhand.core.errors import DeskhandError
from deskhand.core.faults import Pause, PauseAndRetry, PauseNotice
from deskhand.core.loop import Parts
from deskhand.core.observation import Observation
from deskhand.core.outcome import StepMemory
from deskhand.core.pause import PauseToken
from deskhand.core.ports import Approver
from deskhand.core.replay import run_replay
from deskhand.core.skill import Skill
from deskhand.core.skill_steps import SkillStep
from deskhand.core.stop import StopToken
from deskhand.core.trace import StepRecord

if TYPE_CHECKING:
    from deskhand.app.task_session import TaskSession

log = logging.getLogger(__name__)


class SignalSink(QObject):
    """A ``StepSink`` that hands each finished step to the GUI thread."""

    recorded = Signal(object, object)  # StepRecord, Observation

    def record(self, step: StepRecord, observation: Observation) -> None:
        self.recorded.emit(step, observation)


class TaskWorker(QObject):
    """Lives on its own QThread; ``run`` is the whole task."""

    observed = Signal(object)  # Observation, as the model will see it
    decided = Signal(int, object)  # step number, Decision
    recorded = Signal(object, object)  # StepRecord, Observation
    ready = Signal(str, str, str)  # model, dialect, host: the parts are built
    finished = Signal(object)  # TaskResult
    failed = Signal(str)  # the error's one-line message
    logged = Signal(int)  # the task's id in the audit log ("Save as skill" names it)
    paused = Signal(str)  # the model server is away; why, and that the task waits for it
    resumed = Signal()
    done = Signal()  # always the last signal

    def __init__(
        self,
        task: str,
        *,
        approver: Approver,
        windows: OurWindows,
        audit_log: AuditLog,
        stop: StopToken,
        settings: Callable[[], Settings] = load_settings,
        origin: str = "",
        pause: PauseToken | None = None,
        history: tuple[StepMemory, ...] = (),
        replay: tuple[Skill, tuple[SkillStep, ...]] | None = None,
    ) -> None:
        super().__init__()
        self.task = task
        self.replay = replay  # a skill and its bound steps: replayed instead of asking the model
        self.origin = origin
        self.pause = pause or PauseToken()
        self.history = history  # a follow-up goes on from these steps
        self.approver = approver
        self.windows = windows
        self.audit_log = audit_log
        self.stop = stop
        self.settings = settings
        self.sink = SignalSink()
        self.sink.recorded.connect(self.recorded.emit)
        self.screen: ExcludingScreen | None = None

    def run(self) -> None:
        session: TaskSession | None = None
        lock = ExitStack()  # one task per desktop, shared with `deskhand do` (app.task_lock)
        try:
            lock.enter_context(desktop_lock("the Deskhand tray app"))  # from picking the model on
            session = self._open()
            self.ready.emit(session.options.model, session.dialect, session.options.host)
            self.logged.emit(session.audit.task_id)
            if self.replay is not None:  # a skill's steps instead of asking the model
                skill, bound = self.replay
                result = run_replay(skill, bound, session.parts, session.limits, session.lookup).result
            else:
                result = session.run()
            failure, session = session.close(result), None
            if failure is not None:
                raise failure
            self.finished.emit(result)
        except DeskhandError as exc:
            self._fail(session, for_gui(str(exc)))
        except Exception as exc:  # the thread boundary: log the bug, tell the user, keep the app
            log.exception("the task crashed")
            self._fail(session, f"Deskhand hit an internal error ({type(exc).__name__}: {exc}). See the log.")
        finally:
            lock.close()  # after the session closed: no key is held when the next task starts
            self.done.emit()

    def _open(self) -> TaskSession:
        from deskhand.app.model_choice import resolve_host, resolve_model
        from deskhand.app.task_session import TaskSession  # the model client and input layer: not at import
        from deskhand.app.wiring import TaskOptions

        settings = self.settings()
        host = resolve_host(None, settings)
        model = resolve_model(None, settings, host)
        steps = settings.max_steps
        if self.replay is not None:  # each step once, a redo after a failed check, the last check
            steps = max(steps, 2 * len(self.replay[1]) + 2)
        return TaskSession(
            self.task,
            TaskOptions(host, model, settings.dialect, None, steps, planner=settings.planner_model),
            settings,
            approver=self.approver,
            audit_log=self.audit_log,
            stop=self.stop,
            sinks=[self.sink],
            on_decision=lambda step, decision: self.decided.emit(step, decision),
            faults=PauseAndRetry(
                notify=self._pause_notice, should_stop=self.stop, sleep=time.sleep, patience=None
            ),
            adapt=self._keep_ours_out,
            origin=self.origin,
            locked=True,
            history=self.history,
        )

    def _keep_ours_out(self, parts: Parts) -> Parts:
        self.screen = ExcludingScreen(parts.screen, self.windows, on_observed=self.observed.emit)
        return replace(
            parts,
            screen=self.screen,
            look_again=ExcludingScreen(parts.screen, self.windows),  # not a new step's screenshot
            executor=ExcludingExecutor(parts.executor, self.windows),
            pause=self.pause,
        )

    def _pause_notice(self, notice: PauseNotice) -> None:
        """The tray waits for the model server until the user presses Stop."""
        match notice.event:
            case Pause.PAUSED:
                self.paused.emit(for_gui(notice.text))
            case Pause.RESUMED:
                self.resumed.emit()
            case Pause.GAVE_UP:
                pass  # the error that follows says it

    def _fail(self, session: TaskSession | None, message: str) -> None:
        if session is not None:
            failure = session.close(None, message)
            if failure is not None:
                log.warning("could not record the error in the audit log: %s", failure)
        self.failed.emit(message)


class TaskRunner(QObject):
    """Owns the QThread of the current task (at most one)."""

    def __init__(self) -> None:
        super().__init__()
        self.thread_: QThread | None = None
        self.worker: TaskWorker | None = None

    @property
    def busy(self) -> bool:
        return self.thread_ is not None

    def start(self, worker: TaskWorker) -> None:
        if self.thread_ is not None:
            # The last task has reported its end; its thread is a moment from finishing.
            if not self.thread_.wait(3000):
                raise RuntimeError("a task is already running")
            self._finished(self.thread_)
        thread = QThread(self)  # parented: Qt, not Python's refcount, decides when it goes
        thread.setObjectName("deskhand-task")
        worker.moveToThread(thread)
        worker.sink.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.done.connect(thread.quit, Qt.ConnectionType.DirectConnection)  # thread-safe
        thread.finished.connect(lambda: self._finished(thread))
        self.thread_, self.worker = thread, worker
        thread.start()

    def _finished(self, thread: QThread) -> None:
        if self.thread_ is thread:
            self.thread_, self.worker = None, None
            thread.deleteLater()

    def wait(self, timeout_ms: int) -> bool:
        """Block until the task's thread ends (used at quit, after the stop flag is set)."""
        thread = self.thread_
        return True if thread is None else thread.wait(timeout_ms)
