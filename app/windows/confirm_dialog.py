"""The confirmation dialog: "Deskhand wants to … — Allow once / Allow for this task / Deny".

Deny is the default button and has the focus, Escape and closing the window deny, and an
unanswered dialog denies itself when its countdown ends -- a user who walks away must
never come back to an action that ran without them.  Opened only by ``QtApprover``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFont, QPixmap
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from deskhand.app.session import AgentState
from deskhand.app.windows.icons import state_icon
from deskhand.core.policy import UserAnswer


class ConfirmDialog(QDialog):
    """Non-modal; emits ``answered`` exactly once, then closes."""

    answered = Signal(object)  # UserAnswer

    def __init__(
        self,
        what: str,
        reason: str,
        crop: QPixmap | None,
        timeout_s: float,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("deskhand-confirm")
        self.setWindowTitle("Deskhand: allow this action?")
        self.setWindowIcon(state_icon(AgentState.WAITING))
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint)
        self.answer: UserAnswer | None = None
        self.remaining = max(1, round(timeout_s))

        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        headline = QLabel(f"Deskhand wants to <b>{_escape(what)}</b>")
        headline.setObjectName("what")
        headline.setWordWrap(True)
        font = QFont(headline.font())
        font.setPointSizeF(font.pointSizeF() * 1.2)
        headline.setFont(font)
        layout.addWidget(headline)
        why = QLabel(f"It asks because {_escape(reason)}.")
        why.setObjectName("reason")
        why.setWordWrap(True)
        layout.addWidget(why)
        if crop is not None:
            picture = QLabel()
            picture.setObjectName("crop")
            picture.setPixmap(crop)
            picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(picture)
        self.countdown = QLabel()
        self.countdown.setObjectName("countdown")
        layout.addWidget(self.countdown)

        row = QHBoxLayout()
        self.allow_once = QPushButton("Allow &once")
        self.allow_task = QPushButton("Allow for this &task")
        self.deny = QPushButton("&Deny")
        for button in (self.allow_once, self.allow_task, self.deny):
            row.addWidget(button)  # autoDefault: Enter presses the focused button
        self.deny.setDefault(True)  # ... and the focus starts on Deny
        layout.addLayout(row)
        self.allow_once.clicked.connect(lambda: self.choose(UserAnswer.ALLOW_ONCE))
        self.allow_task.clicked.connect(lambda: self.choose(UserAnswer.ALLOW_FOR_TASK))
        self.deny.clicked.connect(lambda: self.choose(UserAnswer.DENY))

        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self._tick)
        self._show_countdown()

    def showEvent(self, event: object) -> None:
        super().showEvent(event)  # type: ignore[arg-type]
        self.deny.setFocus(Qt.FocusReason.OtherFocusReason)
        self.timer.start()

    def _tick(self) -> None:
        self.remaining -= 1
        if self.remaining <= 0:
            self.choose(UserAnswer.DENY)
        else:
            self._show_countdown()

    def _show_countdown(self) -> None:
        self.countdown.setText(f"Denied automatically in {self.remaining} s if you do not answer.")

    def choose(self, answer: UserAnswer) -> None:
        """Answer once, then go away (QDialog's own close path would call ``reject`` again)."""
        if self.answer is not None:
            return
        self.answer = answer
        self.timer.stop()
        self.answered.emit(answer)
        self.hide()
        self.deleteLater()

    def reject(self) -> None:  # Escape
        self.choose(UserAnswer.DENY)

    def closeEvent(self, event: QCloseEvent) -> None:  # the window's close button
        self.choose(UserAnswer.DENY)
        event.accept()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
