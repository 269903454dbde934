"""The Settings window: Ollama host and model, pulling, risk options, hotkeys, history.

Why nothing is saved until every field is valid: a half-applied config (new host, old model
that does not exist there) is worse than none.  ``settings_store.updated`` checks the whole
form with the same rules ``load_settings`` uses, and each refusal is shown under its field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from deskhand.app.config import Settings, config_path, load_settings
from deskhand.app.settings_store import InvalidSettings, save_settings, updated
from deskhand.app.windows.model_widgets import (
    ModelPicker,
    PullPanel,
    ServerFactory,
    error_label,
    ollama_server,
    show_error,
)
from deskhand.app.wiring import resolve_host
from deskhand.core.errors import DeskhandError

__all__ = ["SettingsWindow"]


def _spin(low: int, high: int, value: int, suffix: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setSuffix(suffix)
    spin.setValue(value)
    return spin


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
        s = self.settings
        self.host = QLineEdit(s.host or "")
        self.host.setPlaceholderText(resolve_host(None, Settings()))
        self.models = ModelPicker(server_factory, s.model)
        self.pull = PullPanel(server_factory, self.effective_host)
        self.confirm_timeout = _spin(5, 3600, round(s.confirm_timeout), " s")
        self.ask_every_action = QCheckBox("Ask before every action (strict mode)")
        self.ask_every_action.setChecked(s.ask_every_action)
        self.hotkey_command_bar = self._key_edit(s.hotkey_command_bar)
        self.hotkey_stop = self._key_edit(s.hotkey_stop)
        self.data_dir = QLineEdit(s.data_dir or "")
        self.data_dir.setPlaceholderText("default: the platform's data folder")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        self.retention_days = _spin(0, 36500, s.retention_days, " days")
        self.retention_days.setSpecialValueText("keep forever")
        self.errors = {name: error_label() for name in Settings.model_fields}
        self.form_error = error_label()  # errors not tied to one field
        self.status = QLabel()
        self.save_button = QPushButton("Save")
        self.save_button.clicked.connect(self.save)

        form = QFormLayout()
        dir_row = QHBoxLayout()
        dir_row.addWidget(self.data_dir, 1)
        dir_row.addWidget(browse)
        rows: list[tuple[str, QWidget | QHBoxLayout, str]] = [
            ("Ollama host", self.host, "host"),
            ("Vision model", self.models, "model"),
            ("Pull a model", self.pull, ""),
            ("Confirmation timeout", self.confirm_timeout, "confirm_timeout"),
            ("", self.ask_every_action, "ask_every_action"),
            ("Command bar hotkey", self.hotkey_command_bar, "hotkey_command_bar"),
            ("Stop hotkey", self.hotkey_stop, "hotkey_stop"),
            ("History folder", dir_row, "data_dir"),
            ("Keep history for", self.retention_days, "retention_days"),
        ]
        for label, field, key in rows:
            form.addRow(label, field)
            if key:
                form.addRow("", self.errors[key])
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.form_error)
        layout.addWidget(self.status)
        layout.addWidget(self.save_button)
        self.host.editingFinished.connect(self.refresh_models)
        self.models.refresh_button.clicked.connect(self.refresh_models)
        self.pull.pulled.connect(lambda _name: self.refresh_models())
        self.refresh_models()

    @staticmethod
    def _key_edit(chord: str) -> QKeySequenceEdit:
        edit = QKeySequenceEdit(QKeySequence(chord))
        edit.setMaximumSequenceLength(1)
        edit.setClearButtonEnabled(True)
        return edit

    def effective_host(self) -> str:
        return resolve_host(self.host.text().strip() or None, Settings())

    def refresh_models(self) -> None:
        try:
            updated(self.settings, {"host": self.host.text()})
        except InvalidSettings as exc:
            show_error(self.errors["host"], exc.errors.get("host", str(exc)))
            return
        show_error(self.errors["host"], "")
        self.models.refresh(self.effective_host())

    def form_values(self) -> dict[str, Any]:
        """What the form says, as raw values for ``Settings`` to judge."""
        portable = QKeySequence.SequenceFormat.PortableText
        return {
            "host": self.host.text().strip() or None,
            "model": self.models.current_model(),
            "confirm_timeout": float(self.confirm_timeout.value()),
            "ask_every_action": self.ask_every_action.isChecked(),
            "hotkey_command_bar": self.hotkey_command_bar.keySequence().toString(portable),
            "hotkey_stop": self.hotkey_stop.keySequence().toString(portable),
            "data_dir": self.data_dir.text().strip() or None,
            "retention_days": self.retention_days.value(),
        }

    def save(self) -> bool:
        """Validate everything; save only if all of it is valid.  True when saved."""
        for label in [*self.errors.values(), self.form_error]:
            show_error(label, "")
        try:
            new = updated(self.settings, self.form_values())
        except InvalidSettings as exc:
            for key, message in exc.errors.items():
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
        return True

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Keep the history in", self.data_dir.text())
        if folder:
            self.data_dir.setText(folder)

    def closeEvent(self, event: Any) -> None:
        self.pull.detach()
        self.models.detach()
        super().closeEvent(event)
