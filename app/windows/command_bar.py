"""The command bar: one line to type a task into, opened by the global hotkey.

Like a launcher: frameless, centred at the top of the screen the pointer is on, Enter
starts, Escape (or clicking elsewhere) closes, Up/Down recall recent tasks -- so a task
that failed is one Up and one Enter away from a retry.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QEvent, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QCursor, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from deskhand.app.recent import HistoryWalker

WIDTH = 680


class _Entry(QLineEdit):
    """The line edit; Up/Down/Escape are handled by the bar."""

    def __init__(self, bar: CommandBar) -> None:
        super().__init__()
        self.bar = bar

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Up:
            self.setText(self.bar.walker.older(self.text()))
        elif key == Qt.Key.Key_Down:
            self.setText(self.bar.walker.newer(self.text()))
        elif key == Qt.Key.Key_Escape:
            self.bar.hide()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.bar.submit()
        else:
            super().keyPressEvent(event)


class CommandBar(QWidget):
    submitted = Signal(str)

    def __init__(self) -> None:
        super().__init__(
            None, Qt.WindowType.Tool | Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint
        )
        self.setObjectName("deskhand-commandbar")
        self.setWindowTitle("Deskhand: new task")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setStyleSheet(
            "#deskhand-commandbar { background: #fafafa; border: 2px solid #1565c0; border-radius: 8px; }"
            "QLineEdit { border: none; font-size: 18px; padding: 8px; background: transparent; }"
            "QLabel { color: #546e7a; padding: 0 8px 6px 8px; }"
        )
        self.walker = HistoryWalker([])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(0)
        self.entry = _Entry(self)
        self.entry.setObjectName("task")
        self.entry.setPlaceholderText("What should Deskhand do?  Enter starts · Esc closes · ↑ recent tasks")
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.entry)
        layout.addWidget(self.message)
        self.setFixedWidth(WIDTH)

    def open(self, recent: list[str], message: str = "") -> None:
        """Show at the top centre of the screen holding the pointer and take the focus."""
        self.walker = HistoryWalker(recent)
        self.entry.clear()
        self.set_message(message)
        self.adjustSize()
        screen = QGuiApplication.screenAt(QCursor.pos()) or QGuiApplication.primaryScreen()
        area = screen.availableGeometry()
        self.move(QPoint(area.center().x() - WIDTH // 2, area.top() + area.height() // 6))
        self.show()
        self.raise_()
        self.activateWindow()
        self.entry.setFocus(Qt.FocusReason.ActiveWindowFocusReason)
        if sys.platform.startswith("linux"):
            QTimer.singleShot(0, self._insist_on_focus)

    def _insist_on_focus(self) -> None:
        """After a global hotkey, Qt's activation request may be refused; ask as a pager does."""
        if self.isVisible() and not self.isActiveWindow():
            from deskhand.app.x11_windows import activate

            activate(int(self.winId()))

    def set_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
        self.adjustSize()

    def submit(self) -> None:
        text = self.entry.text().strip()
        if not text:
            return
        self.hide()
        self.submitted.emit(text)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.WindowDeactivate and self.isVisible():
            self.hide()  # clicked elsewhere: get out of the way, like a launcher
        return super().event(event)
