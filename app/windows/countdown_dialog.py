"""What the confirmation and question dialogs share: a non-modal, always-on-top window that
answers exactly once and answers *no* by itself when its countdown ends.

Escape, the window's close button and the end of the countdown all settle the dialog with
its ``dismissed`` answer (Deny, or no reply); a subclass settles it otherwise by calling
``settle``.  When shown, the focus goes to ``focus_widget`` and the countdown starts.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

from deskhand.app.tray.session import AgentState
from deskhand.app.windows.icons import state_icon


class CountdownDialog(QDialog):
    """Emits ``answered`` exactly once, then hides and deletes itself."""

    answered = Signal(object)

    def __init__(
        self,
        *,
        name: str,
        title: str,
        min_width: int,
        timeout_s: float,
        countdown: str,
        dismissed: object,
        parent: QWidget | None = None,
    ) -> None:
        """``countdown`` is the label's text with ``{s}`` for the seconds left."""
        super().__init__(parent)
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.setWindowIcon(state_icon(AgentState.WAITING))
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint)
        self.settled = False
        self.answer: object = None  # what ``answered`` carried, once settled
        self.remaining = max(1, round(timeout_s))
        self._countdown_text = countdown
        self._dismissed = dismissed
        self.focus_widget: QWidget | None = None  # set by the subclass
        self.setMinimumWidth(min_width)
        self.body = QVBoxLayout(self)
        self.countdown = QLabel()
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self._tick)
        self._show_countdown()

    def add_text(self, text: str, name: str) -> QLabel:
        """A wrapped label named ``name`` (tests find it by that) at the end of the body."""
        label = QLabel(text)
        label.setObjectName(name)
        label.setWordWrap(True)
        self.body.addWidget(label)
        return label

    def showEvent(self, event: object) -> None:
        super().showEvent(event)  # type: ignore[arg-type]
        if self.focus_widget is not None:
            self.focus_widget.setFocus(Qt.FocusReason.OtherFocusReason)
        self.timer.start()

    def _tick(self) -> None:
        self.remaining -= 1
        if self.remaining <= 0:
            self.settle(self._dismissed)
        else:
            self._show_countdown()

    def _show_countdown(self) -> None:
        self.countdown.setText(self._countdown_text.format(s=self.remaining))

    def settle(self, answer: object) -> None:
        """Answer once, then go away (QDialog's own close path would call ``reject`` again)."""
        if self.settled:
            return
        self.settled = True
        self.answer = answer
        self.timer.stop()
        self.answered.emit(answer)
        self.hide()
        self.deleteLater()

    def reject(self) -> None:  # Escape
        self.settle(self._dismissed)

    def closeEvent(self, event: QCloseEvent) -> None:  # the window's close button
        self.settle(self._dismissed)
        event.accept()
