"""The tray app's glue: intents from the tray, hotkeys and windows in; tasks and views out.

It owns the ``SessionModel`` (the state), the windows (which only render it) and at most
one running task.  Every intent -- start, stop, open a window -- is a method here, so the
tray menu, the global hotkeys, the stop bar and the single-instance channel all do
exactly the same thing, and tests drive the app through the same doors.

What is not a decision lives in rooms of its own, each handed what it needs: showing the
task (``task_display``), running it (``tray_task``), the screenshot opt-in (``screenshot_consent``), the schedules'
timer (``schedules_tray``), the occasional windows (``other_windows``), skills
(``skills_tray``) and voice (``voice_controller``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QElapsedTimer, QEventLoop, QObject, Signal
from PySide6.QtWidgets import QApplication

from deskhand.app.platform.display import share_portal, unshare_portal
from deskhand.app.platform.hotkeys import GlobalHotkeys, HotkeyBackend, parse_chord, shortcut_label
from deskhand.app.platform.screen_exclusion import OurWindows
from deskhand.app.skills.skill_invocation import is_invocation
from deskhand.app.store.audit_log import AuditLog
from deskhand.app.store.config import Settings, load_settings
from deskhand.app.store.recent import RecentCommands
from deskhand.app.store.settings_store import audit_log_path, personal_db_path
from deskhand.app.tray.gui_call import GuiInvoker
from deskhand.app.tray.other_windows import OtherWindows
from deskhand.app.tray.qt_approver import DialogHost
from deskhand.app.tray.schedules_tray import ConfirmMissed, SchedulesTray
from deskhand.app.tray.screenshot_consent import ConfirmRemote, Notify, ask_remote_consent, screenshot_consent
from deskhand.app.tray.session import AgentState, SessionError, SessionModel
from deskhand.app.tray.skills_tray import SkillsTray
from deskhand.app.tray.task_display import TaskDisplay
from deskhand.app.tray.tray_link import McpPeers
from deskhand.app.tray.tray_task import Replay, TrayTask
from deskhand.app.tray.voice_controller import VoiceController
from deskhand.app.tray.worker import TaskRunner
from deskhand.app.windows.command_bar import CommandBar
from deskhand.app.windows.run_view import RunView
from deskhand.app.windows.stop_bar import StopBar
from deskhand.core.errors import DeskhandError
from deskhand.core.skill import Skill
from deskhand.core.skill_steps import SkillStep
from deskhand.voice.listening import SourceFactory

log = logging.getLogger(__name__)

DEFAULT_CONFIRM_TIMEOUT = 60.0
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
        self.schedules = SchedulesTray(self, confirm_missed)
        self.confirm_remote = confirm_remote or ask_remote_consent
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
        self.other_windows = OtherWindows(self)
        self.hotkeys: GlobalHotkeys | None = None
        self.hotkey_hints: dict[str, str] = {}
        self.skills = SkillsTray(self)
        self.display = TaskDisplay(self.session, self.run_view, self.stop_bar)
        self.task = TrayTask(self)

        self.command_bar.submitted.connect(self.start_task)
        self.stop_bar.stop_clicked.connect(self.stop)
        self.stop_bar.hold_clicked.connect(self.toggle_hold)
        self.run_view.follow_up_requested.connect(self.follow_up)
        self.run_view.save_skill_requested.connect(lambda: self.skills.save_task(self.task.last_id))

        self.stop_bar.details_clicked.connect(self.show_run_view)
        # A lambda, not the bound method: PySide6 segfaults collecting an ended app whose
        # own slot is connected to a signal of an object it owns (seen in the voice tests).
        self.dialogs.waiting.connect(lambda open_: self.task.dialog_waiting(open_))
        self.session.subscribe(self.display.render)
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
        replay: Replay | None = None,
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
            audit_log = self.audit()
        except DeskhandError as exc:
            self.task.failed(str(exc))
            return False
        self.task.run(task, audit_log, origin, replay)
        return True

    def _remote_allowed(self) -> bool:
        """Screenshots leave this machine only after the user allowed the host (asked once)."""
        consent = screenshot_consent(self.settings, self.confirm_remote, self.notify)
        if consent.host is not None:
            self.sending_to = consent.host
        return consent.allowed

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
        self.schedules.start()

    def run_due_schedules(self) -> None:
        self.schedules.run_due()

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
        """Open History, Settings, Skills or the first-run wizard (built on first use)."""
        self.other_windows.open(name, quiet=quiet)

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
        self.schedules.shutdown()
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
        for window in (self.command_bar, self.stop_bar, self.run_view, *self.other_windows.opened.values()):
            window.close()
        if self._audit_log is not None:
            self._audit_log.close()
            self._audit_log = None
        if self.portal is not None:
            unshare_portal()
            self.portal = None

    def recover_from_crash(self) -> None:
        """At start: tasks a crash left running are marked interrupted (by opening the audit
        log), and any key or button they left down is released."""
        try:
            interrupted = self.audit().interrupted
        except DeskhandError as exc:
            log.warning("could not open the audit log at start: %s", exc)
            return
        if interrupted:
            from deskhand.app.wiring import release_input_after_crash

            release_input_after_crash(interrupted)

    def audit(self) -> AuditLog:
        """The audit log, opened on first use (and kept open until shutdown)."""
        if self._audit_log is None:
            self._audit_log = self._open_audit_log()
        return self._audit_log
