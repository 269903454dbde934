"""The stop bar: a small always-on-top strip with a big red Stop while a task runs.

It must never take the keyboard focus: the agent types into whatever window has focus,
so a stop bar that grabbed it (when shown, or when clicked) would swallow the next
keystrokes.  Hence a frameless tool window that does not accept focus and is shown
without activation; its buttons still take mouse clicks.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QSize, Qt, Signal
from PySide6.QtGui import QCursor, QGuiApplication, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from deskhand.app.tray.session import AgentState
from deskhand.app.windows.icons import state_pixmap

STOP_RED = "#d50000"  # distinctive on purpose: tests look for it in screenshots


STATUS_WIDTH = 380  # px: the bar keeps one size, so its buttons never jump under the pointer


class ElidedLabel(QLabel):
    """One line that ends in "…" where it does not fit, at the width it *has*; the full
    text is the tooltip.  (Eliding to a guessed width clipped mid-word when the layout
    gave the label less.)"""

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self.full_text = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.set_full_text(text)

    def set_full_text(self, text: str) -> None:
        self.full_text = " ".join(text.split())
        self.setToolTip(self.full_text)
        self._elide()

    def sizeHint(self) -> QSize:
        return QSize(STATUS_WIDTH, super().sizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = self.contentsRect().width()
        self.setText(self.fontMetrics().elidedText(self.full_text, Qt.TextElideMode.ElideRight, width))


class StopBar(QWidget):
    stop_clicked = Signal()
    details_clicked = Signal()
    hold_clicked = Signal()  # "Take over" while running, "Resume" while taken over

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
            "QPushButton#details, QPushButton#hold { background: #455a64; color: white; border: none;"
            "  border-radius: 4px; padding: 6px 10px; }"
        )
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        self.icon = QLabel()
        self.status = ElidedLabel("Starting…")
        self.status.setObjectName("status")
        self.status.setFixedWidth(STATUS_WIDTH)
        self.details = QPushButton("Details")
        self.details.setObjectName("details")
        self.hold = QPushButton("Take over")
        self.hold.setObjectName("hold")
        self.hold.setToolTip("Pause before the next action so you can use the desktop; Resume goes on")
        self.stop = QPushButton("Stop")
        self.stop.setObjectName("stop")
        for button in (self.details, self.hold, self.stop):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
        layout.addWidget(self.icon)
        layout.addWidget(self.status, 1)
        layout.addWidget(self.details)
        layout.addWidget(self.hold)
        layout.addWidget(self.stop)
        self.stop.clicked.connect(self.stop_clicked)
        self.details.clicked.connect(self.details_clicked)
        self.hold.clicked.connect(self.hold_clicked)
        self.set_status(AgentState.THINKING, "Starting…")

    def set_status(self, state: AgentState, text: str, stopping: bool = False, held: bool = False) -> None:
        """``held``: the user has taken over (the button offers Resume)."""
        self.icon.setPixmap(state_pixmap(state, 20))
        self.status.set_full_text(text)
        self.stop.setEnabled(not stopping)
        self.stop.setText("Stopping…" if stopping else "Stop")
        self.hold.setText("Resume" if held else "Take over")
        self.hold.setEnabled(not stopping)

    def show_near_cursor(self) -> None:
        """Top centre of the screen holding the pointer, without taking focus."""
        self.adjustSize()
        screen = QGuiApplication.screenAt(QCursor.pos()) or QGuiApplication.primaryScreen()
        area = screen.availableGeometry()
        self.move(QPoint(area.center().x() - self.width() // 2, area.top() + 8))
        self.show()
