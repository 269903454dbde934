"""The tray icon: the app's home when no window is open.

The icon shows the agent's state (idle, thinking, acting, waiting for you, error) and the
tooltip says it in words.  The menu is rebuilt from the current state every time it is
about to open (Vorta's pattern), so it can never show a stale Stop or a wrong tick.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from deskhand.app import autostart
from deskhand.app.controller import DeskhandApp
from deskhand.app.session import AgentState
from deskhand.app.windows.icons import state_icon
from deskhand.core.errors import SetupError

log = logging.getLogger(__name__)


class Tray(QObject):
    def __init__(self, app: DeskhandApp) -> None:
        super().__init__()
        self.app = app
        self.icon = QSystemTrayIcon(state_icon(AgentState.IDLE))
        self.menu = QMenu()
        self.menu.setObjectName("deskhand-traymenu")
        self.actions: dict[str, QAction] = {}
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

    def remote(self) -> str:
        """While a task sends screenshots off this machine: where to, in words; else ""."""
        host = self.app.sending_to if self.app.session.running else ""
        return f"Sending screenshots to {host}" if host else ""

    def used_by(self) -> str:
        """While MCP clients use the desktop through ``deskhand mcp``: who; else ""."""
        clients = self.app.mcp.clients()
        return f"Used by {', '.join(clients)}" if clients else ""

    def render(self) -> None:
        state = self.app.session.state
        self.icon.setIcon(state_icon(state))
        lines = [self.app.session.status_text(), self.remote(), self.used_by()]
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
        text = session.status_text()
        status = QAction(text if len(text) <= 80 else text[:79] + "…", self.menu)
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
        busy = (session.running and not session.stop_requested) or bool(self.app.mcp.clients())
        self._add("stop", "Stop", self.app.stop, enabled=busy)
        self._add("run_view", "Show run view", self.app.show_run_view)
        self.menu.addSeparator()
        self._add("history", "History…", lambda: self.app.open_window("history"))
        self._add("settings", "Settings…", lambda: self.app.open_window("settings"))
        toggle = self._add("autostart", "Start on login", self._toggle_autostart)
        toggle.setCheckable(True)
        toggle.setChecked(autostart.is_enabled())
        self.menu.addSeparator()
        self._add("quit", "Quit", self.app.quit)

    def _toggle_autostart(self, checked: bool) -> None:
        try:
            autostart.set_enabled(checked)
        except SetupError as exc:
            self.notify("Deskhand", str(exc), True)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason is QSystemTrayIcon.ActivationReason.Trigger:  # left click
            session = self.app.session
            if session.running or session.state is AgentState.ERROR:
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
