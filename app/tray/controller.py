"""The tray app's glue: intents from the tray, hotkeys and windows in; tasks and views out.

It owns the ``SessionModel`` (the state), the windows (which only render it) and at most
one running task.  Every intent -- start, stop, open a window -- is a method here, so the
tray menu, the global hotkeys, the stop bar and the single-instance channel all do
exactly the same thing, and tests drive the app through the same doors.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QElapsedTimer, QEventLoop, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QWidget

from deskhand.app.platform.display import share_portal, unshare_portal
from deskhand.app.platform.hotkeys import GlobalHotkeys, HotkeyBackend, parse_chord, shortcut_label
from deskhand.app.platform.screen_exclusion import OurWindows
from deskhand.app.skills.skill_invocation import is_invocation
from deskhand.app.store.audit_log import AuditLog
from deskhand.app.store.config import Settings, load_settings
from deskhand.app.store.recent import RecentCommands
from deskhand.app.store.schedule_store import Schedule, ScheduleStore
from deskhand.app.store.settings_store import audit_log_path, personal_db_path
from deskhand.app.tray.gui_call import GuiInvoker
from deskhand.app.tray.qt_approver import DialogHost, QtApprover
from deskhand.app.tray.scheduler import ScheduleRunner
from deskhand.app.tray.session import HELD, AgentState, SessionError, SessionModel
from deskhand.app.tray.skills_tray import SkillsTray
from deskhand.app.tray.tray_link import McpPeers
from deskhand.app.tray.voice_controller import VoiceController
from deskhand.app.tray.worker import TaskRunner, TaskWorker
from deskhand.app.windows.command_bar import CommandBar
from deskhand.app.windows.run_view import RunView
from deskhand.app.windows.stop_bar import StopBar
from deskhand.core.actions import Decision
from deskhand.core.errors import DeskhandError
from deskhand.core.loop import TaskResult, TaskStatus
from deskhand.core.observation import Observation
from deskhand.core.privacy import Destination, Reach, Ruling, rule
from deskhand.core.skill import Skill, SkillStep
from deskhand.core.trace import StepRecord
from deskhand.voice.listening import SourceFactory

log = logging.getLogger(__name__)

Notify = Callable[[str, str, bool], None]  # title, message, is_error
ConfirmRemote = Callable[[Destination], bool]  # the opt-in dialog; True: allowed
ConfirmMissed = Callable[[list[Schedule]], bool]  # "run the missed schedules now?"; True: run
DEFAULT_CONFIRM_TIMEOUT = 60.0
SCHEDULE_CHECK_MS = 20_000
FOLLOW_UP = "+"  # in the command bar: "+ now also save it" goes on from the last task


def _log_notice(title: str, message: str, is_error: bool) -> None:
    (log.error if is_error else log.info)("%s: %s", title, message)


class DeskhandApp(QObject):
    task_ended = Signal(object)  # TaskResult, or the error message (str)

    def __init__(
        self,
        *,
        session: SessionModel | None = None,
        settings: Callable[[], Settings] = load_settings,
        audit_log: Callable[[], AuditLog] | None = None,
        confirm_timeout: float | None = None,
        confirm_remote: ConfirmRemote | None = None,
        voice_source: SourceFactory | None = None,
        clock: Callable[[], datetime] = datetime.now,
        confirm_missed: ConfirmMissed | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.clock = clock
        self.confirm_missed = confirm_missed or _ask_missed_schedules
        self.task_origin = ""  # "scheduled" while a schedule's task runs
        self.schedules: ScheduleRunner | None = None
        # Created by start_schedules (the tray app), not here: an app without schedules
        # keeps no timers, and no timer child ties an ended app's collection to Qt.
        self.schedule_timer: QTimer | None = None
        self.confirm_remote = confirm_remote or _ask_remote_consent
        self.sending_to = ""  # the non-local host the running task sends screenshots to
        self._open_audit_log = audit_log or (lambda: AuditLog(audit_log_path(self.settings())))
        self._audit_log: AuditLog | None = None
        self.session = session or SessionModel(RecentCommands())
        self.notify: Notify = _log_notice
        self.invoker = GuiInvoker()
        self.windows = OurWindows(self.invoker)
        # Wayland: one portal session for the app's run, so the person answers its dialog once.
        self.portal = share_portal(self._portal_notice)
        self.command_bar = CommandBar()
        self.stop_bar = StopBar()
        self.run_view = RunView()
        for window in (self.command_bar, self.stop_bar, self.run_view):
            self.windows.register(window)
        timeout = confirm_timeout if confirm_timeout is not None else self._confirm_timeout()
        self.dialogs = DialogHost(timeout)
        self.mcp = McpPeers(self.dialogs)  # `deskhand mcp` servers asking through this tray
        self.runner = TaskRunner()
        self.other_windows: dict[str, QWidget] = {}
        self.hotkeys: GlobalHotkeys | None = None
        self.hotkey_hints: dict[str, str] = {}
        self.last_task_id: int | None = None  # the audit log's id of the task shown in the run view
        self.skills = SkillsTray(self)

        self.command_bar.submitted.connect(self.start_task)
        self.stop_bar.stop_clicked.connect(self.stop)
        self.stop_bar.hold_clicked.connect(self.toggle_hold)
        self.run_view.follow_up_requested.connect(self.follow_up)
        self.run_view.save_skill_requested.connect(lambda: self.skills.save_task(self.last_task_id))

        self.stop_bar.details_clicked.connect(self.show_run_view)
        # A lambda, not the bound method: PySide6 segfaults collecting an ended app whose
        # own slot is connected to a signal of an object it owns (seen in the voice tests).
        self.dialogs.waiting.connect(lambda open_: self._dialog_waiting(open_))
        self.session.subscribe(self._render)
        # Voice (push-to-talk, spoken yes/no/stop); tests pass a FileSource factory as the mic.
        self.voice = VoiceController(self, source_factory=voice_source)

    def _confirm_timeout(self) -> float:
        try:
            return self.settings().confirm_timeout
        except DeskhandError:
            return DEFAULT_CONFIRM_TIMEOUT

    def bind_hotkeys(self, settings: Settings, backend: HotkeyBackend | None = None) -> list[str]:
        """(Re)register the global hotkeys from ``settings``; returns the problems found."""
        if self.hotkeys is not None:
            self.hotkeys.stop()
        chords = {
            "command_bar": parse_chord(settings.hotkey_command_bar),
            "stop": parse_chord(settings.hotkey_stop),
        }
        self.hotkeys = GlobalHotkeys(chords, backend)
        self.hotkeys.triggered.connect(self._hotkey)
        self.hotkey_hints = {
            "new_task": shortcut_label(settings.hotkey_command_bar),
            "stop": shortcut_label(settings.hotkey_stop),
        }
        return self.hotkeys.start() + self.voice.apply(settings)

    def _hotkey(self, name: str) -> None:
        if name == "stop":
            self.stop()
        else:
            self.open_command_bar()

    def apply_settings(self, settings: Settings) -> None:
        """The Settings window (or first-run wizard) saved new settings: take them up now."""
        self.dialogs.timeout_s = settings.confirm_timeout
        for problem in self.bind_hotkeys(settings):
            self.notify("Deskhand: hotkey", problem, True)

    # -- intents --------------------------------------------------------------------------

    def open_command_bar(self) -> None:
        if self.session.running:
            self.notify("Deskhand is busy", f"A task is running: {self.session.task}. Stop it first.", False)
            self.show_run_view()
            return
        hint = ""
        if self.session.state is AgentState.ERROR:
            hint = f"Last task failed: {self.session.message}  Press ↑ to retry."
        elif self.session.can_follow_up:
            hint = f"Start with {FOLLOW_UP}  to go on from the last task (“{FOLLOW_UP} now also save it”)."
        self.command_bar.open(self.session.recent.items, hint)

    def start_task(self, text: str, *, origin: str = "") -> bool:
        """Start ``text`` as a task; False (with a notice) if it cannot start now.  Text that
        starts with ``FOLLOW_UP`` goes on from the last task (see ``follow_up``).

        ``origin`` is "scheduled" for a schedule's run (marked in History; its questions
        are announced with a notification, as nobody may be watching).
        """
        if not origin and text.lstrip().startswith(FOLLOW_UP):
            return self.follow_up(text.lstrip().removeprefix(FOLLOW_UP))
        if not origin and is_invocation(text):  # "/monday-report team=ops": run a skill
            return self.skills.command(text)
        return self._start(text, self.session.start, origin)

    def start_replay(self, skill: Skill, steps: tuple[SkillStep, ...]) -> bool:
        """Replay a skill (its parameters already bound) as this app's task: same worker,
        approver dialog, audit log and stop as any task."""
        return self._start(f"skill {skill.name}", self.session.start, replay=(skill, steps))

    def follow_up(self, text: str) -> bool:
        """Go on from the finished task with its history ("now also save it")."""
        return self._start(text, self.session.follow_up)

    def toggle_hold(self) -> None:
        """Stop bar's Take over / Resume: hand the desktop to the user and back."""
        if not self.session.resume():
            self.session.take_over()

    def _start(
        self,
        text: str,
        begin: Callable[[str], str],
        origin: str = "",
        replay: tuple[Skill, tuple[SkillStep, ...]] | None = None,
    ) -> bool:
        if self.skills.teaching is not None:
            self.notify("Deskhand", "You are showing a skill: press the stop hotkey first.", False)
            return False
        if not self.session.running and not self._remote_allowed():
            return False
        try:
            task = begin(text)
        except SessionError as exc:
            self.notify("Deskhand", f"Cannot start the task: {exc}.", False)
            return False
        try:
            audit_log = self._audit()
        except DeskhandError as exc:
            self._failed(str(exc))
            return False
        worker = TaskWorker(
            task,
            approver=QtApprover(self.dialogs, self.session.stop),
            windows=self.windows,
            audit_log=audit_log,
            stop=self.session.stop,
            settings=self.settings,
            origin=origin,
            pause=self.session.pause,
            history=() if replay else self.session.history,
            replay=replay,
        )
        self.task_origin = origin
        self.last_task_id = None
        worker.logged.connect(lambda task_id: setattr(self, "last_task_id", task_id))
        worker.ready.connect(lambda model, dialect, host: self.run_view.set_model(model, dialect, host))
        worker.observed.connect(self._observed)
        worker.decided.connect(self._decided)
        worker.recorded.connect(self._recorded)
        worker.finished.connect(self._finished)
        worker.failed.connect(self._failed)
        worker.paused.connect(self.session.paused)
        worker.resumed.connect(self.session.resumed)
        self.run_view.begin(task, follow_up=bool(self.session.history))
        self.stop_bar.show_near_cursor()
        self.runner.start(worker)
        return True

    def _remote_allowed(self) -> bool:
        """Screenshots leave this machine only after the user allowed the host (asked once).

        The worker's ``build_parts`` enforces the same rule; asking happens here, on the GUI
        thread, before anything starts.  (Resolving the host's name may take a moment.)
        """
        from deskhand.app import privacy
        from deskhand.app.wiring import resolve_host

        try:
            settings = self.settings()
            dest = privacy.where(resolve_host(None, settings))
        except DeskhandError:
            return True  # a bad config: the worker reports it as usual (and build_parts guards)
        verdict = rule(dest, allowed_hosts=settings.remote_hosts, insecure_hosts=settings.insecure_hosts)
        if verdict.ruling is Ruling.REFUSE:
            self.notify("Deskhand: not sending screenshots", f"{verdict.reason}. Use https://.", True)
            return False
        if verdict.ruling is Ruling.ASK:
            if not self.confirm_remote(dest):
                self.notify("Deskhand", f"Not started: screenshots would have gone to {dest.host}.", False)
                return False
            try:
                privacy.remember_host(dest.host)
            except DeskhandError as exc:
                self.notify("Deskhand", f"Could not remember that {dest.host} is allowed: {exc}", True)
                return False
        self.sending_to = "" if dest.reach is Reach.LOOPBACK else dest.host
        return True

    def remember(self, text: str | None = None) -> bool:
        """Tray "Remember…": keep a fact (asks for it when ``text`` is None); True if kept."""
        from deskhand.app.store.memory_store import MemoryStore
        from deskhand.app.windows.memory_page import ask_fact

        fact = text if text is not None else ask_fact()
        if fact is None:
            return False
        try:
            fact_id = MemoryStore(personal_db_path(self.settings())).add(fact)
        except DeskhandError as exc:
            self.notify("Deskhand: not remembered", str(exc), True)
            return False
        self.notify("Deskhand remembers", f"#{fact_id}: {' '.join(fact.split())}", False)
        return True

    # -- schedules ----------------------------------------------------------------------

    def start_schedules(self) -> None:
        """At start: settle schedules missed while the app was not running, then keep time."""
        try:
            settings = self.settings()
            store = ScheduleStore(personal_db_path(settings))
        except DeskhandError as exc:
            log.warning("schedules are off: %s", exc)
            return
        self.schedules = ScheduleRunner(store, self._start_scheduled, self.clock)
        missed = self.schedules.missed()
        if missed and (
            settings.missed_schedules == "skip"
            or (settings.missed_schedules == "ask" and not self.confirm_missed(missed))
        ):
            self.schedules.skip(missed)
        self.schedule_timer = QTimer(self)
        self.schedule_timer.setInterval(SCHEDULE_CHECK_MS)
        self.schedule_timer.timeout.connect(self.run_due_schedules)
        self.schedule_timer.start()
        self._schedule_soon()

    def _schedule_soon(self) -> None:
        """Check the schedules once the event loop is free (after a task, a schedule may wait)."""
        if self.schedule_timer is not None:
            QTimer.singleShot(0, self.schedule_timer, self.run_due_schedules)

    def run_due_schedules(self) -> None:
        if self.schedules is None or self.session.running:
            return
        try:
            self.schedules.tick()
        except DeskhandError as exc:
            self.notify("Deskhand: schedules", str(exc), True)

    def _start_scheduled(self, schedule: Schedule) -> bool:
        if self.session.running:
            return False
        self.notify("Deskhand: scheduled task", schedule.task, False)
        return self.start_task(schedule.task, origin="scheduled")

    def _dialog_waiting(self, open_: bool) -> None:
        if not open_:
            self.session.answered()
            return
        self.session.waiting()
        if self.task_origin == "scheduled":
            self.notify(
                "Deskhand: a scheduled task needs you",
                f"{self.session.task}: an action waits for your OK (denied after "
                f"{self.dialogs.timeout_s:g} s without an answer).",
                False,
            )

    def stop(self) -> None:
        """Tray, hotkey and stop bar all come here: stop before the next input event --
        the running task's, and the calls of MCP clients using the desktop through us."""
        if self.session.request_stop():
            log.info("stop requested")
        if self.mcp.stop_all():
            log.info("stop sent to the MCP servers")
        if self.skills.teaching is not None:
            self.skills.finish_teaching()

    def show_run_view(self) -> None:
        self.run_view.show()
        self.run_view.raise_()

    def open_window(self, name: str, *, quiet: bool = False) -> None:
        """Open History, Settings, Skills or the first-run wizard (built elsewhere; imported lazily)."""
        if name == "skills":
            self.skills.open_window()
            return
        module, cls_name = {
            "history": ("deskhand.app.windows.history", "HistoryWindow"),
            "settings": ("deskhand.app.windows.settings", "SettingsWindow"),
            "first_run": ("deskhand.app.windows.first_run", "FirstRunWizard"),
        }[name]
        window = self.other_windows.get(name)
        if window is None:
            try:
                cls = getattr(importlib.import_module(module), cls_name)
                window = cls(self._audit()) if name == "history" else cls()
            except (ImportError, AttributeError, DeskhandError) as exc:
                if quiet:
                    log.info("%s window not available: %s", name, exc)
                    return
                self.notify("Deskhand", f"The {name.replace('_', ' ')} window cannot open ({exc}).", True)
                return
            for signal_name in ("saved", "completed"):  # SettingsWindow / FirstRunWizard
                signal = getattr(window, signal_name, None)
                if signal is not None:
                    signal.connect(self.apply_settings)
            if name == "first_run":
                window.completed.connect(self.ready)
            if name == "history":
                window.save_skill_requested.connect(lambda task_id: self.skills.save_task(task_id))
            self.other_windows[name] = window
        window.show()
        window.raise_()
        window.activateWindow()

    def ready(self, settings: Settings) -> None:
        """Set-up is done: say how to give the first task, and open the place to type it."""
        keys = shortcut_label(settings.hotkey_command_bar)
        message = f"Deskhand is ready. Type a task here, or press {keys} any time (or click the tray icon)."
        self.notify("Deskhand is ready", f"Press {keys} to give it a task.", False)
        if not self.session.running:
            self.command_bar.open(self.session.recent.items, message)

    def _portal_notice(self, text: str) -> None:
        """Why the desktop's dialog is coming: a tray notification (any thread)."""
        self.invoker.post(lambda: self.notify("Deskhand: screen and input access", text, False))

    def quit(self) -> None:
        self.shutdown()
        QApplication.quit()

    def shutdown(self, wait_ms: int = 10_000) -> None:
        """Stop a running task, wait (with the GUI alive) for it to end, close everything."""
        if self.schedule_timer is not None:
            self.schedule_timer.stop()
        self.schedules = None
        self.session.request_stop()
        self.voice.shutdown()
        self.skills.shutdown()
        if self.hotkeys is not None:
            self.hotkeys.stop()
            self.hotkeys = None
        timer = QElapsedTimer()
        timer.start()
        while self.runner.busy and timer.elapsed() < wait_ms:
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            self.runner.wait(20)
        for window in (self.command_bar, self.stop_bar, self.run_view, *self.other_windows.values()):
            window.close()
        if self._audit_log is not None:
            self._audit_log.close()
            self._audit_log = None
        if self.portal is not None:
            unshare_portal()
            self.portal = None

    # -- worker signals (GUI thread) --------------------------------------------------------

    def recover_from_crash(self) -> None:
        """At start: tasks a crash left running are marked interrupted (by opening the audit
        log), and any key or button they left down is released."""
        try:
            interrupted = self._audit().interrupted
        except DeskhandError as exc:
            log.warning("could not open the audit log at start: %s", exc)
            return
        if interrupted:
            from deskhand.app.wiring import release_input_after_crash

            release_input_after_crash(interrupted)

    def _audit(self) -> AuditLog:
        if self._audit_log is None:
            self._audit_log = self._open_audit_log()
        return self._audit_log

    def _observed(self, observation: Observation) -> None:
        self.run_view.show_observation(self.session.step, observation)

    def _decided(self, step: int, decision: Decision) -> None:
        self.session.decided(step, decision)
        self.run_view.show_decision(step, decision)

    def _recorded(self, record: StepRecord, observation: Observation) -> None:
        self.session.recorded(record)
        self.run_view.show_record(record, observation)

    def _finished(self, result: TaskResult) -> None:
        self.session.finished(result)
        self.run_view.show_result(result)
        self.stop_bar.hide()
        failed = result.status is TaskStatus.FAILED
        scheduled = "Scheduled task" if self.task_origin == "scheduled" else "Task"
        self.notify(f"{scheduled} {result.status.value}", result.message, failed)
        if failed:
            self.show_run_view()
        self.task_ended.emit(result)
        self._schedule_soon()

    def _failed(self, message: str) -> None:
        self.session.failed(message)
        self.run_view.show_error(message)
        self.stop_bar.hide()
        self.notify("Deskhand: the task stopped with an error", message, True)
        self.show_run_view()
        self.task_ended.emit(message)
        self._schedule_soon()

    def _render(self) -> None:
        s = self.session
        self.run_view.set_state(s.state, s.status_text())
        self.run_view.offer_follow_up(s.can_follow_up)
        if s.running:
            if s.held:
                text = f"Step {s.step}: paused by you. {HELD}"
            elif s.state is AgentState.PAUSED:
                text = f"Step {s.step}: {s.message}"  # "Paused: <why>. Retrying in …"
            else:
                text = f"Step {s.step}: {s.state.value}. {s.task}"
            self.stop_bar.set_status(s.state, text, stopping=s.stop.requested, held=s.held)


def _ask_remote_consent(dest: Destination) -> bool:
    from deskhand.app.windows.remote_consent import ask_remote_consent

    return ask_remote_consent(dest)


def _ask_missed_schedules(missed: list[Schedule]) -> bool:
    from deskhand.app.windows.missed_schedules import ask_run_missed

    return ask_run_missed(missed)
