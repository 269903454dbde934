"""The one question at start when schedules were missed: "Run them now?" (default: No).

A schedule missed because the computer was off may no longer be wanted (yesterday's
report), so catching up needs the user's yes; Escape and closing mean no.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from deskhand.app.store.schedule_store import Schedule
from deskhand.app.tray.session import AgentState
from deskhand.app.windows.icons import state_icon

__all__ = ["MissedSchedulesDialog", "ask_run_missed"]


class MissedSchedulesDialog(QDialog):
    def __init__(self, missed: list[Schedule], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("deskhand-missed-schedules")
        self.setWindowTitle("Deskhand: missed schedules")
        self.setWindowIcon(state_icon(AgentState.WAITING))
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint)
        self.setMinimumWidth(420)
        names = "\n".join(f"• {s.task} ({s.spec})" for s in missed)
        text = QLabel(
            f"While Deskhand was not running, {len(missed)} scheduled "
            f"{'task was' if len(missed) == 1 else 'tasks were'} missed:\n\n{names}\n\n"
            "Run each of them once now? Otherwise they wait for their next time."
        )
        text.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        buttons = QDialogButtonBox()
        self.run = QPushButton("Run them now")
        self.run.setObjectName("run")
        self.skip = QPushButton("Skip to next time")
        self.skip.setObjectName("skip")
        buttons.addButton(self.run, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.skip, QDialogButtonBox.ButtonRole.RejectRole)
        self.skip.setDefault(True)
        self.skip.setFocus()
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


def ask_run_missed(missed: list[Schedule]) -> bool:
    return MissedSchedulesDialog(missed).exec() == QDialog.DialogCode.Accepted
