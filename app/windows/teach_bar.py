"""The small bar shown while the user teaches a skill: it is recording, and how to end it.

Deskhand's own windows are never recorded (``app.teach_session``), so clicking its Stop
button ends the demonstration without becoming a step of it.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QCursor, QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

__all__ = ["TeachBar"]


class TeachBar(QWidget):
    stop_clicked = Signal()

    def __init__(self, stop_hotkey: str) -> None:
        super().__init__(
            None, Qt.WindowType.Tool | Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint
        )
        self.setObjectName("deskhand-teachbar")
        self.setWindowTitle("Deskhand: teaching")
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setStyleSheet(
            "#deskhand-teachbar { background: #fff8e1; border: 2px solid #c62828; border-radius: 6px; }"
        )
        row = QHBoxLayout(self)
        self.text = QLabel(f"● Recording a new skill. Do the task, then press {stop_hotkey} (or Stop).")
        self.text.setObjectName("teach-status")
        self.stop = QPushButton("Stop")
        self.stop.setObjectName("teach-stop")
        self.stop.clicked.connect(self.stop_clicked.emit)
        row.addWidget(self.text)
        row.addWidget(self.stop)

    def show_near_cursor(self) -> None:
        """At the bottom of the screen holding the pointer, out of the way of most work."""
        screen = QGuiApplication.screenAt(QCursor.pos()) or QGuiApplication.primaryScreen()
        area = screen.availableGeometry()
        self.adjustSize()
        self.move(QPoint(area.center().x() - self.width() // 2, area.bottom() - self.height() - 24))
        self.show()
