"""The command bar: one line to type a task into, opened by the global hotkey.

Like a launcher: frameless, centred at the top of the screen the pointer is on, Enter
starts, Escape (or clicking elsewhere) closes, Up/Down recall recent tasks -- so a task
that failed is one Up and one Enter away from a retry.

Voice: the mic button (hold to talk, or tap and pause when done) and a level meter while
listening.  A spoken task is put in the line and runs after a short countdown unless the
user types (then Enter runs it) or presses Escape -- recognition is never trusted blindly.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QEvent, QObject, QPoint, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QCursor,
    QGuiApplication,
    QHideEvent,
    QIcon,
    QInputEvent,
    QKeyEvent,
    QPainter,
    QPixmap,
)
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QProgressBar, QToolButton, QVBoxLayout, QWidget

from deskhand.app.store.recent import HistoryWalker

WIDTH = 680


class _Entry(QLineEdit):
    """The line edit; Up/Down/Escape are handled by the bar."""

    def __init__(self, bar: CommandBar) -> None:
        super().__init__()
        self.bar = bar

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key not in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape):
            self.bar.hold_countdown()  # the user is editing a spoken task: let them finish
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


def mic_icon(color: str = "#1565c0") -> QIcon:
    """A microphone drawn here (no icon theme or emoji font is guaranteed to have one)."""
    pixmap = QPixmap(32, 32)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(color))
    p.drawRoundedRect(QRectF(11, 3, 10, 17), 5, 5)
    pen = p.pen()
    pen.setStyle(Qt.PenStyle.SolidLine)
    pen.setColor(QColor(color))
    pen.setWidth(2)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawArc(QRectF(7, 8, 18, 17), 180 * 16, 180 * 16)
    p.drawLine(16, 25, 16, 29)
    p.drawLine(11, 29, 21, 29)
    p.end()
    return QIcon(pixmap)


class CommandBar(QWidget):
    submitted = Signal(str)
    mic_pressed = Signal()
    mic_released = Signal(float)  # seconds the button was held, from the events' own times
    closed = Signal()  # hidden for any reason: Escape, clicked elsewhere, submitted

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
        self.entry.setPlaceholderText(
            "What should Deskhand do?  Enter starts · Esc closes · ↑ recent tasks · /name runs a skill"
        )
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.hide()
        self.mic = QToolButton()
        self.mic.setObjectName("mic")
        self.mic.setIcon(mic_icon())
        self.mic.setAutoRaise(True)
        self.mic.setToolTip("Hold to talk (or tap, speak, and pause)")
        self._mic_down_ms = self._mic_held_ms = 0
        self.mic.installEventFilter(self)
        self.mic.pressed.connect(self.mic_pressed.emit)
        self.mic.released.connect(lambda: self.mic_released.emit(self._mic_held_ms / 1000.0))
        self.meter = QProgressBar()
        self.meter.setObjectName("level")
        self.meter.setRange(0, 100)
        self.meter.setTextVisible(False)
        self.meter.setFixedHeight(4)
        self.meter.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.entry)
        row.addWidget(self.mic)
        layout.addLayout(row)
        layout.addWidget(self.meter)
        layout.addWidget(self.message)
        self.setFixedWidth(WIDTH)
        self.countdown = QTimer(self)
        self.countdown.setInterval(1000)
        self.countdown.timeout.connect(self._tick)
        self.seconds_left = 0
        self.note = ""  # shown after the countdown, e.g. which recognizer heard the task

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
            from deskhand.app.platform.x11_windows import activate

            activate(int(self.winId()))

    def set_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
        self.adjustSize()

    def submit(self) -> None:
        text = self.entry.text().strip()
        if not text:
            return
        self.countdown.stop()
        self.hide()
        self.submitted.emit(text)

    # -- voice ------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Times the mic button's press by the input events' own timestamps: a tap stays a
        tap even when the GUI thread is slow to hand the release over (starting the
        recording takes a moment, longer on a loaded machine)."""
        if watched is self.mic and isinstance(event, QInputEvent):
            repeat = isinstance(event, QKeyEvent) and event.isAutoRepeat()
            if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.KeyPress) and not repeat:
                self._mic_down_ms = event.timestamp()
            elif event.type() in (QEvent.Type.MouseButtonRelease, QEvent.Type.KeyRelease) and not repeat:
                self._mic_held_ms = max(0, event.timestamp() - self._mic_down_ms)
        return super().eventFilter(watched, event)

    def set_voice_available(self, available: bool, why: str = "") -> None:
        """Without a microphone the button stays clickable (greyed icon): a click says why."""
        self.mic.setIcon(mic_icon() if available else mic_icon("#9e9e9e"))
        self.mic.setToolTip(
            "Hold to talk (or tap, speak, and pause)" if available else f"Voice input is unavailable: {why}"
        )

    def set_listening(self, listening: bool) -> None:
        self.meter.setValue(0)
        self.meter.setVisible(listening)
        self.mic.setDown(listening)
        if listening:
            self.countdown.stop()
            self.set_message("Listening… let go of the key (or pause) when you are done. Esc cancels.")
        else:
            self.adjustSize()

    def set_level(self, dbfs: float) -> None:
        """Show a frame's loudness: -60 dBFS (silence) .. 0 dBFS (full scale)."""
        self.meter.setValue(max(0, min(100, round((dbfs + 60.0) * 100 / 60.0))))

    def show_transcript(self, text: str, seconds: float, note: str = "") -> None:
        """Put a spoken task in the line; it runs when the countdown ends unless edited."""
        self.entry.setText(text)
        self.entry.setFocus(Qt.FocusReason.OtherFocusReason)
        self.note = note
        self.seconds_left = max(1, round(seconds))
        self.countdown.start()
        self._show_countdown()

    def hold_countdown(self) -> None:
        if self.countdown.isActive():
            self.countdown.stop()
            self.set_message("Edit the task, then press Enter to run it.")

    def _tick(self) -> None:
        self.seconds_left -= 1
        if self.seconds_left <= 0:
            self.countdown.stop()
            self.submit()
        else:
            self._show_countdown()

    def _show_countdown(self) -> None:
        note = f"  {self.note}" if self.note else ""
        self.set_message(f"Runs in {self.seconds_left} s. Type to edit, Esc to cancel.{note}")

    def hideEvent(self, event: QHideEvent) -> None:
        self.countdown.stop()
        self.meter.hide()
        super().hideEvent(event)
        self.closed.emit()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.WindowDeactivate and self.isVisible():
            self.hide()  # clicked elsewhere: get out of the way, like a launcher
        return super().event(event)
