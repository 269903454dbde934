"""The stop bar: a small always-on-top strip with a big red Stop while a task runs.

It must never take the keyboard focus: the agent types into whatever window has focus,
so a stop bar that grabbed it (when shown, or when clicked) would swallow the next
keystrokes.  Hence a frameless tool window that does not accept focus and is shown
without activation; its buttons still take mouse clicks.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QCursor, QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from deskhand.app.session import AgentState
from deskhand.app.windows.icons import state_pixmap

STOP_RED = "#d50000"  # distinctive on purpose: tests look for it in screenshots


class StopBar(QWidget):
    stop_clicked = Signal()
    details_clicked = Signal()

    def __init__(self) -> None:
        super().__init__(
            None,
            Qt.WindowType.Tool
            | Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
            | Qt.WindowType.WindowDoesNotAcceptFocus,
        )
        self.setObjectName("deskhand-stopbar")
        self.setWindowTitle("Deskhand: stop bar")
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setStyleSheet(
            "#deskhand-stopbar { background: #263238; border-radius: 6px; }"
            "QLabel { color: #eceff1; }"
            f"QPushButton#stop {{ background: {STOP_RED}; color: white; font-weight: bold;"
            "  border: none; border-radius: 4px; padding: 6px 18px; }"
            "QPushButton#details { background: #455a64; color: white; border: none;"
            "  border-radius: 4px; padding: 6px 10px; }"
        )
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        self.icon = QLabel()
        self.status = QLabel("Starting…")
        self.status.setObjectName("status")
        self.status.setMinimumWidth(260)
        self.status.setMaximumWidth(420)
        self.details = QPushButton("Details")
        self.details.setObjectName("details")
        self.stop = QPushButton("Stop")
        self.stop.setObjectName("stop")
        for button in (self.details, self.stop):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
        layout.addWidget(self.icon)
        layout.addWidget(self.status, 1)
        layout.addWidget(self.details)
        layout.addWidget(self.stop)
        self.stop.clicked.connect(self.stop_clicked)
        self.details.clicked.connect(self.details_clicked)
        self.set_status(AgentState.THINKING, "Starting…")

    def set_status(self, state: AgentState, text: str, stopping: bool = False) -> None:
        self.icon.setPixmap(state_pixmap(state, 20))
        metrics = self.status.fontMetrics()
        shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, self.status.maximumWidth())
        self.status.setText(shown)
        self.status.setToolTip(text)
        self.stop.setEnabled(not stopping)
        self.stop.setText("Stopping…" if stopping else "Stop")

    def show_near_cursor(self) -> None:
        """Top centre of the screen holding the pointer, without taking focus."""
        self.adjustSize()
        screen = QGuiApplication.screenAt(QCursor.pos()) or QGuiApplication.primaryScreen()
        area = screen.availableGeometry()
        self.move(QPoint(area.center().x() - self.width() // 2, area.top() + 8))
        self.show()
