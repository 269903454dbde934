"""A small input dialog for the model's questions ("Which file should I open?").

Cancel, Escape, closing and the countdown all mean "no answer" (``None``): the loop then
ends the task with the question, as the terminal does.  Opened only by ``QtApprover``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from deskhand.app.session import AgentState
from deskhand.app.windows.icons import state_icon


class QuestionDialog(QDialog):
    """Emits ``answered`` once, with the text or ``None``."""

    answered = Signal(object)  # str | None

    def __init__(self, question: str, timeout_s: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("deskhand-question")
        self.setWindowTitle("Deskhand asks")
        self.setWindowIcon(state_icon(AgentState.WAITING))
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint)
        self.done_ = False
        self.remaining = max(1, round(timeout_s))
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        label = QLabel(question)
        label.setObjectName("question")
        label.setWordWrap(True)
        layout.addWidget(label)
        self.entry = QLineEdit()
        self.entry.setObjectName("reply")
        layout.addWidget(self.entry)
        self.countdown = QLabel()
        layout.addWidget(self.countdown)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self._tick)
        self._show_countdown()

    def showEvent(self, event: object) -> None:
        super().showEvent(event)  # type: ignore[arg-type]
        self.entry.setFocus(Qt.FocusReason.OtherFocusReason)
        self.timer.start()

    def _tick(self) -> None:
        self.remaining -= 1
        if self.remaining <= 0:
            self._finish(None)
        else:
            self._show_countdown()

    def _show_countdown(self) -> None:
        self.countdown.setText(f"Closes without an answer in {self.remaining} s.")

    def _finish(self, reply: str | None) -> None:
        if self.done_:
            return
        self.done_ = True
        self.timer.stop()
        self.answered.emit(reply)
        self.hide()
        self.deleteLater()

    def accept(self) -> None:
        self._finish(self.entry.text().strip() or None)

    def reject(self) -> None:
        self._finish(None)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._finish(None)
        event.accept()
