"""The Settings window: model server, safety, hotkeys, voice and history, one group each.

Why nothing is saved until every field is valid: a half-applied config (new host, old model
that does not exist there) is worse than none.  ``settings_store.updated`` checks the whole
form with the same rules ``load_settings`` uses, and each refusal is shown under its field.
The groups live in ``settings_server``, ``settings_safety`` and ``settings_voice``; this
module lays them out, collects their values and saves.

The window fits the screen it opens on (``placement``): two columns when they fit side by
side, else one, so at 150 % it scrolls one way only.  Close (or Escape) leaves without
saving.  "Start on login" is here rather than in the tray menu, where it sat one arrow key
away from Settings; it is not a config key but the OS's own autostart entry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from deskhand.app.platform import autostart
from deskhand.app.store.config import Settings, config_path, load_settings
from deskhand.app.store.memory_store import MemoryStore
from deskhand.app.store.settings_store import InvalidSettings, personal_db_path, save_settings, updated
from deskhand.app.windows.memory_page import MemoryPage
from deskhand.app.windows.model_widgets import ServerFactory, error_label, ollama_server, show_error
from deskhand.app.windows.placement import fit_to_screen, room_on_screen
from deskhand.app.windows.settings_fields import SettingsGroup, key_edit, key_text
from deskhand.app.windows.settings_mcp import McpGroup
from deskhand.app.windows.settings_safety import SafetyGroup
from deskhand.app.windows.settings_server import ServerGroup
from deskhand.app.windows.settings_voice import VoiceGroup
from deskhand.core.errors import DeskhandError

__all__ = ["SettingsWindow"]


class HotkeysGroup(SettingsGroup):
    """Fields for ``hotkey_command_bar`` and ``hotkey_stop`` (push-to-talk is under Voice),
    and the OS autostart entry (not a config key: applied by the window on Save)."""

    def __init__(self, settings: Settings, errors: dict[str, QLabel]) -> None:
        super().__init__("Start and hotkeys", errors)
        self.autostart = QCheckBox("Start Deskhand when I log in")
        self.autostart.setChecked(autostart.is_enabled())
        self.hotkey_command_bar = key_edit(settings.hotkey_command_bar)
        self.hotkey_stop = key_edit(settings.hotkey_stop)
        self.row("", self.autostart)
        self.row("Command bar hotkey", self.hotkey_command_bar, "hotkey_command_bar")
        self.row("Stop hotkey", self.hotkey_stop, "hotkey_stop")

    def values(self) -> dict[str, Any]:
        return {
            "hotkey_command_bar": key_text(self.hotkey_command_bar),
            "hotkey_stop": key_text(self.hotkey_stop),
        }


class HistoryGroup(SettingsGroup):
    """Fields for ``data_dir`` and ``retention_days``."""

    def __init__(self, settings: Settings, errors: dict[str, QLabel]) -> None:
        super().__init__("History", errors)
        self.data_dir = QLineEdit(settings.data_dir or "")
        self.data_dir.setPlaceholderText("default: the platform's data folder")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        self.retention_days = QSpinBox()
        self.retention_days.setRange(0, 36500)
        self.retention_days.setSuffix(" days")
        self.retention_days.setSpecialValueText("keep forever")
        self.retention_days.setValue(settings.retention_days)
        dir_row = QHBoxLayout()
        dir_row.addWidget(self.data_dir, 1)
        dir_row.addWidget(browse)
        self.row("History folder", dir_row, "data_dir")
        self.row("Keep history for", self.retention_days, "retention_days")

    def values(self) -> dict[str, Any]:
        return {
            "data_dir": self.data_dir.text().strip() or None,
            "retention_days": self.retention_days.value(),
        }

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Keep the history in", self.data_dir.text())
        if folder:
            self.data_dir.setText(folder)


class SettingsWindow(QWidget):
    """Edits the config file; ``saved`` carries the new ``Settings`` once they are on disk."""

    saved = Signal(object)

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        path: Path | None = None,
        server_factory: ServerFactory = ollama_server,
    ) -> None:
        super().__init__()
        self.setWindowTitle("Deskhand settings")
        self.path = path or config_path()
        self.settings = settings or load_settings(self.path)
        self.errors: dict[str, QLabel] = {}  # field name -> the label under its row
        self.server = ServerGroup(self.settings, self.errors, server_factory)
        self.safety = SafetyGroup(self.settings, self.errors)
        self.hotkeys = HotkeysGroup(self.settings, self.errors)
        self.voice = VoiceGroup(self.settings, self.errors)
        self.history = HistoryGroup(self.settings, self.errors)
        # Memory acts on its store at once (not on Save): see windows.memory_page.
        self.memory = MemoryPage(lambda: MemoryStore(personal_db_path(self.settings)))
        self.mcp = McpGroup(self.settings, self.errors)
        self.groups: tuple[SettingsGroup, ...] = (
            self.server, self.safety, self.hotkeys, self.voice, self.history, self.mcp,
        )  # fmt: skip
        # The fields by the names they had before the groups (callers and tests use them).
        self.host, self.models, self.pull = self.server.host, self.server.models, self.server.pull
        self.confirm_timeout = self.safety.confirm_timeout
        self.ask_every_action = self.safety.ask_every_action
        self.hotkey_command_bar = self.hotkeys.hotkey_command_bar
        self.hotkey_stop = self.hotkeys.hotkey_stop
        self.data_dir, self.retention_days = self.history.data_dir, self.history.retention_days
        self.form_error = error_label()  # errors not tied to a field shown here
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.save_button = QPushButton("Save")
        self.save_button.clicked.connect(self.save)
        self.close_button = QPushButton("Close")
        self.close_button.setToolTip("Close without saving (Esc)")
        self.close_button.clicked.connect(self.close)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close)
        self.scroll_area = QScrollArea()
        self._lay_out()
        self.refresh_models()

    def _lay_out(self) -> None:
        """Two columns if they fit on this screen side by side, else one; then fit and centre."""
        chrome = QSize(40, 120)  # the window's margins, the scroll bar and the button row
        content = self._columns(
            ((self.server, self.hotkeys, self.history), (self.safety, self.voice, self.mcp, self.memory))
        )
        if content.sizeHint().width() + chrome.width() > room_on_screen(self).width():
            content = self._columns(
                ((self.server, self.safety, self.hotkeys, self.voice, self.history, self.mcp, self.memory),)
            )
            self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(content)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.form_error)
        layout.addLayout(buttons)
        # As large as the content, as far as the screen allows (it scrolls beyond that).
        fit_to_screen(self, content.sizeHint() + chrome)

    @staticmethod
    def _columns(columns: tuple[tuple[QWidget, ...], ...]) -> QWidget:
        content = QWidget()
        row = QHBoxLayout(content)
        for groups in columns:
            column = QVBoxLayout()
            for group in groups:
                column.addWidget(group)
            column.addStretch(1)
            row.addLayout(column, 1)
        return content

    def effective_host(self) -> str:
        return self.server.effective_host()

    def refresh_models(self) -> None:
        self.server.refresh_models()

    def form_values(self) -> dict[str, Any]:
        """What the form says, as raw values for ``Settings`` to judge."""
        values: dict[str, Any] = {}
        for group in self.groups:
            values.update(group.values())
        return values

    def save(self) -> bool:
        """Validate everything; save only if all of it is valid.  True when saved."""
        for label in [*self.errors.values(), self.form_error]:
            show_error(label, "")
        problems: dict[str, str] = {}
        try:
            new: Settings | None = updated(self.settings, self.form_values())
        except InvalidSettings as exc:
            new, problems = None, exc.errors
        for group in self.groups:
            problems = {**group.problems(), **problems}
        if new is None or problems:
            for key, message in problems.items():
                show_error(self.errors.get(key, self.form_error), message)
            self.status.setText("Nothing was saved: fix the fields marked in red.")
            return False
        try:
            save_settings(new, self.path)
        except DeskhandError as exc:
            self.status.setText(str(exc))
            return False
        self.settings = new
        self.status.setText(f"Saved to {self.path}.")
        self.saved.emit(new)
        return self._apply_autostart()

    def _apply_autostart(self) -> bool:
        wanted = self.hotkeys.autostart.isChecked()
        if wanted == autostart.is_enabled():
            return True
        try:
            autostart.set_enabled(wanted)
        except DeskhandError as exc:
            self.status.setText(f"Settings saved, but starting on login could not be changed: {exc}")
            return False
        return True

    def closeEvent(self, event: Any) -> None:
        self.server.detach()
        super().closeEvent(event)
