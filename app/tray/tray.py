"""The tray icon: the app's home when no window is open.

The icon shows the agent's state (idle, thinking, acting, waiting for you, error) and the
tooltip says it in words.  The menu is rebuilt from the current state every time it is
about to open (Vorta's pattern), so it can never show a stale Stop or a wrong tick.

Why the tray asks the model server now and then (``watch_server``): "idle" with a grey
icon while no server answers tells a new user that all is well until their first task
fails; an idle app that cannot reach its server shows the error state and says why.
Its status line is elided to a fixed width (full text in its tooltip): a long task
message must not stretch the menu across the screen.  "Start on login" lives in Settings,
not one arrow key away from it here.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QFontMetrics
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from deskhand.app.backends import open_model, resolve_backend
from deskhand.app.model_choice import resolve_host
from deskhand.app.store.config import Settings
from deskhand.app.tray.controller import DeskhandApp
from deskhand.app.tray.session import AgentState
from deskhand.app.windows.icons import state_icon
from deskhand.app.windows.model_widgets import ServerJob

log = logging.getLogger(__name__)

STATUS_WIDTH_PX = 320  # the menu's status line is elided to this width
SERVER_CHECK_MS = 30_000  # while watched, how often an idle tray asks the model server


def server_version(settings: Settings) -> str:
    """Ask the configured model server for its version (raises what the client raises)."""
    backend = resolve_backend(None, settings)
    with open_model(backend, resolve_host(None, settings, backend), "", settings) as client:
        return client.server_version()


class Tray(QObject):
    def __init__(self, app: DeskhandApp) -> None:
        super().__init__()
        self.app = app
        self.icon = QSystemTrayIcon(state_icon(AgentState.IDLE))
        self.menu = QMenu()
        self.menu.setObjectName("deskhand-traymenu")
        self.menu.setToolTipsVisible(True)
        self.actions: dict[str, QAction] = {}
        self.server_problem = ""  # why the model server did not answer the last check
        self._server_job: ServerJob | None = None
        self._server_timer = QTimer(self)
        self._server_timer.setInterval(SERVER_CHECK_MS)
        self._server_timer.timeout.connect(self.check_server)
        self.menu.aboutToShow.connect(self.rebuild)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        app.session.subscribe(self.render)
        app.mcp.changed.connect(self.render)
        app.notify = self.notify
        self.rebuild()
        self.render()

    def show(self) -> None:
        self.icon.show()

    def watch_server(self) -> None:
        """Check the model server now, then every ``SERVER_CHECK_MS`` and when the menu opens."""
        self._server_timer.start()
        self.menu.aboutToShow.connect(self.check_server)
        self.app.task_ended.connect(lambda _result: self.check_server())
        self.check_server()

    def check_server(self) -> None:
        """Ask the server off the GUI thread; the answer updates icon, tooltip and menu."""
        if self.app.session.running or self._server_job is not None:
            return  # a running task reports server trouble itself; one check at a time
        settings = self.app.settings
        job = self._server_job = ServerJob(lambda _p, _s: server_version(settings()), self)
        job.succeeded.connect(lambda _version: self._server_checked(""))
        job.failed.connect(self._server_checked)
        job.start()

    def _server_checked(self, problem: str) -> None:
        if self._server_job is not None:
            self._server_job.deleteLater()  # its thread has reported; it ends on its own
            self._server_job = None
        if problem != self.server_problem:
            self.server_problem = problem
            self.render()

    def status_text(self) -> str:
        """The session's one line, or, while idle, the model server's problem."""
        if self.server_problem and self.app.session.state is AgentState.IDLE:
            return f"Deskhand: no model server. {self.server_problem}"
        return self.app.session.status_text()

    def shown_state(self) -> AgentState:
        state = self.app.session.state
        return AgentState.ERROR if self.server_problem and state is AgentState.IDLE else state

    def remote(self) -> str:
        """While a task sends screenshots off this machine: where to, in words; else ""."""
        host = self.app.sending_to if self.app.session.running else ""
        return f"Sending screenshots to {host}" if host else ""

    def used_by(self) -> str:
        """While MCP clients use the desktop through ``deskhand mcp``: who; else ""."""
        clients = self.app.mcp.clients()
        return f"Used by {', '.join(clients)}" if clients else ""

    def render(self) -> None:
        self.icon.setIcon(state_icon(self.shown_state()))
        lines = [self.status_text(), self.remote(), self.used_by()]
        self.icon.setToolTip("\n".join(line for line in lines if line))

    def _add(self, name: str, text: str, slot: object, *, enabled: bool = True) -> QAction:
        hint = self.app.hotkey_hints.get(name)
        action = QAction(f"{text}\t{hint}" if hint else text, self.menu)
        action.setObjectName(name)
        action.setEnabled(enabled)
        action.triggered.connect(slot)
        self.menu.addAction(action)
        self.actions[name] = action
        return action

    def rebuild(self) -> None:
        """Fill the menu from the current state (called just before it opens)."""
        self.menu.clear()
        self.actions.clear()
        session = self.app.session
        text = self.status_text()
        elided = QFontMetrics(self.menu.font()).elidedText(text, Qt.TextElideMode.ElideRight, STATUS_WIDTH_PX)
        status = QAction(elided, self.menu)
        status.setObjectName("status")
        status.setToolTip(text)
        status.setEnabled(False)
        self.menu.addAction(status)
        if self.remote():
            remote = QAction(self.remote(), self.menu)
            remote.setObjectName("remote")
            remote.setEnabled(False)
            self.menu.addAction(remote)
        if self.used_by():
            used = QAction(self.used_by(), self.menu)
            used.setObjectName("used_by")
            used.setEnabled(False)
            self.menu.addAction(used)
        self.menu.addSeparator()
        self._add("new_task", "New task…", self.app.open_command_bar, enabled=not session.running)
        busy = (session.running and not session.stop.requested) or bool(self.app.mcp.clients())
        self._add("stop", "Stop", self.app.stop, enabled=busy)
        self._add("run_view", "Show run view", self.app.show_run_view)
        self._add("remember", "Remember…", lambda: self.app.remember())
        teaching = self.app.skills.teaching is not None
        self._add(
            "teach",
            "Teach a skill…",
            lambda: self.app.skills.teach(),
            enabled=not session.running and not teaching,
        )
        self._add("skills", "Skills…", lambda: self.app.open_window("skills"))
        self.menu.addSeparator()
        self._add("history", "History…", lambda: self.app.open_window("history"))
        self._add("settings", "Settings…", lambda: self.app.open_window("settings"))
        self.menu.addSeparator()
        self._add("quit", "Quit", self.app.quit)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason is QSystemTrayIcon.ActivationReason.Trigger:  # left click
            session = self.app.session
            if session.running or session.state is AgentState.ERROR:  # not for a server problem
                self.app.show_run_view()
            else:
                self.app.open_command_bar()

    def notify(self, title: str, message: str, is_error: bool) -> None:
        (log.warning if is_error else log.info)("%s: %s", title, message)
        if self.icon.isVisible() and QSystemTrayIcon.supportsMessages():
            icon = (
                QSystemTrayIcon.MessageIcon.Critical if is_error else QSystemTrayIcon.MessageIcon.Information
            )
            self.icon.showMessage(title, message, icon, 8000)
