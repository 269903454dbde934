"""The self-test's Qt side: a full-screen board of board_buttons, and the run that drives it.

Why full screen and frameless: the model must see our buttons and nothing else that could
be mistaken for them, and the corners of the screen are where grounding errors show (the
resize to the model's grid, panel offsets, HiDPI).  The board records every mouse press in
desktop coordinates -- the ground truth the self-test scores against.  The loop runs on a
``ServerJob`` thread; the board stays on the GUI thread, where Qt needs it.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QGuiApplication, QKeyEvent, QMouseEvent, QScreen
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from deskhand.app.store.config import Settings
from deskhand.app.tray.self_test import LABELS, PLACES, BoardButton, ClickLog, SelfTestReport, run_self_test
from deskhand.app.windows.model_widgets import ServerJob
from deskhand.core.geometry import Rect
from deskhand.core.ports import ShouldStop
from deskhand.vision.capture import list_monitors
from deskhand.vision.ollama_model import ProgressCallback

__all__ = ["ButtonBoard", "SelfTestRun"]

MARGIN = 6  # px between a corner button and the screen edge


class ButtonBoard(QWidget):
    """White, frameless, full-screen; labelled buttons at ``PLACES``; logs every press."""

    cancelled = Signal()

    def __init__(self, screen: QScreen | None = None, labels: Sequence[str] = LABELS) -> None:
        super().__init__(None, Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint)
        self.setWindowTitle("Deskhand self-test")
        self.setStyleSheet("background: white; color: black;")
        self.log = ClickLog()
        # A copy of the screen's rectangle: the QScreen object can go away (monitor unplugged).
        self.area = QRect((screen or QGuiApplication.primaryScreen()).geometry())
        self.setGeometry(self.area)
        note = QLabel("Deskhand self-test: the model is clicking named buttons. Press Esc to stop.", self)
        note.setFont(QFont(note.font().family(), 14))
        note.adjustSize()
        self.note = note
        self.buttons: list[QPushButton] = []
        font = QFont(self.font().family(), 20, QFont.Weight.Bold)
        for label in labels:
            button = QPushButton(label, self)
            button.setFont(font)
            button.setStyleSheet("background: #e8eefc; border: 2px solid #3a5bd9; padding: 10px 28px;")
            button.adjustSize()
            button.installEventFilter(self)
            self.buttons.append(button)
        self.installEventFilter(self)

    def show_on_screen(self) -> None:
        self.setGeometry(self.area)
        self.showFullScreen()
        self.raise_()
        self.activateWindow()

    def resizeEvent(self, event: object) -> None:
        """Place the buttons in this window's current size (the WM decides it)."""
        w, h = self.width(), self.height()
        for button, (fx, fy) in zip(self.buttons, PLACES, strict=False):
            size = button.sizeHint()
            x = MARGIN + round(fx * (w - size.width() - 2 * MARGIN))
            y = MARGIN + round(fy * (h - size.height() - 2 * MARGIN))
            button.setGeometry(x, y, size.width(), size.height())
        self.note.move((w - self.note.width()) // 2, h // 4)

    def board_buttons(self) -> list[BoardButton]:
        out = []
        for button in self.buttons:
            origin = button.mapToGlobal(button.rect().topLeft())
            out.append(
                BoardButton(button.text(), Rect(origin.x(), origin.y(), button.width(), button.height()))
            )
        return out

    def ready(self) -> bool:
        """Shown, exposed and spread over the whole screen (the WM has placed us)."""
        handle = self.windowHandle()
        return bool(handle and handle.isExposed() and self.geometry() == self.area)

    def monitor_number(self) -> int | None:
        """This screen as ``--monitor N`` (1-based, mss order); None lets capture choose."""
        g = self.area
        wanted = (g.x(), g.y(), g.width(), g.height())
        found = [i for i, m in enumerate(list_monitors(), start=1) if tuple(m) == wanted]
        return found[0] if found else None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.MouseButtonPress and isinstance(event, QMouseEvent):
            point = event.globalPosition().toPoint()
            self.log.add(point.x(), point.y())
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.cancelled.emit()
        else:
            super().keyPressEvent(event)


class SelfTestRun(QObject):
    """Shows the board, runs the loop once per button off the GUI thread, reports.

    ``finished`` carries a ``SelfTestReport``; ``failed`` a one-line message (server down,
    model missing, no display).  ``progressed(index, total, label)`` before each button.
    """

    finished = Signal(object)
    failed = Signal(str)
    progressed = Signal(int, int, str)

    def __init__(self, settings: Settings, *, host: str, model: str, screen: QScreen | None = None) -> None:
        super().__init__()
        self.settings, self.host, self.model = settings, host, model
        self.board = ButtonBoard(screen)
        self.board.cancelled.connect(self.cancel)
        self.job: ServerJob | None = None
        self._clock = QElapsedTimer()
        self._poll = QTimer(self)
        self._poll.setInterval(50)
        self._poll.timeout.connect(self._wait_for_board)

    def start(self) -> None:
        self.board.show_on_screen()
        self._clock.start()
        self._poll.start()

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def _wait_for_board(self) -> None:
        if not self.board.ready() and self._clock.elapsed() < 5000:
            return
        self._poll.stop()
        if not self.board.ready():
            self._end(None, "The self-test window could not be shown full screen; is a display available?")
            return
        QTimer.singleShot(300, self._run)  # let the window manager finish drawing it

    def _run(self) -> None:
        board_buttons, log = self.board.board_buttons(), self.board.log
        monitor = self.board.monitor_number()

        def work(report: ProgressCallback, should_stop: ShouldStop) -> object:
            return run_self_test(
                board_buttons,
                clicks=log.clicks,
                set_current=log.set_current,
                settings=self.settings,
                host=self.host,
                model=self.model,
                monitor=monitor,
                should_stop=should_stop,
                on_progress=lambda i, label: report(label, i, len(board_buttons)),
            )

        job = self.job = ServerJob(work, None)
        job.progressed.connect(lambda label, i, n: self.progressed.emit(i, n, label))
        job.succeeded.connect(lambda report: self._end(report, ""))
        job.failed.connect(lambda message: self._end(None, message))
        job.cancelled.connect(lambda: self._end(None, "The self-test was stopped."))
        job.start()

    def _end(self, report: SelfTestReport | None, message: str) -> None:
        self.board.close()
        if self.job is not None:
            self.job.wait(5000)
            self.job = None
        if report is not None:
            self.finished.emit(report)
            return
        self.failed.emit(message or "The self-test ended without a result.")

    def close(self) -> None:
        """The owner is going away: stop the run and let its thread end on its own."""
        self._poll.stop()
        if self.job is not None:
            self.job.detach()
            self.job = None
        self.board.close()
