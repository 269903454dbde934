"""A window that writes down every input event it gets, so desktop tests can check them.

Run as a subprocess: ``python probe_window.py LOG --rect X,Y,W,H [--widget canvas|line|text]
[--animate-on-click MS]``.  Each event becomes one JSON line in LOG (flushed at once):
pointer and wheel events with global coordinates, key events with their text, the text
widget's whole content after every change, and ``ready`` once the window is shown and
focused.  With ``--animate-on-click`` a left click makes the canvas repaint in changing
colours for that many milliseconds, then logs ``animation_done`` -- a screen that keeps
changing for a known time, for the settle tests.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import IO, Any

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QWheelEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QWidget

_BUTTONS = {
    Qt.MouseButton.LeftButton: "left",
    Qt.MouseButton.RightButton: "right",
    Qt.MouseButton.MiddleButton: "middle",
}
_MODIFIERS = {
    Qt.KeyboardModifier.ShiftModifier: "shift",
    Qt.KeyboardModifier.ControlModifier: "ctrl",
    Qt.KeyboardModifier.AltModifier: "alt",
    Qt.KeyboardModifier.MetaModifier: "super",
}
_MOUSE_TYPES = {
    QEvent.Type.MouseButtonPress: "press",
    QEvent.Type.MouseButtonRelease: "release",
    QEvent.Type.MouseButtonDblClick: "dblclick",
    QEvent.Type.MouseMove: "move",
}


class Recorder(QObject):
    """Application-wide event filter: one JSON line per input event."""

    def __init__(self, out: IO[str]) -> None:
        super().__init__()
        self.out = out

    def write(self, **record: Any) -> None:
        record["t"] = time.monotonic()
        self.out.write(json.dumps(record) + "\n")
        self.out.flush()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not isinstance(watched, QWidget) or not watched.isWindow():
            return False  # each event reaches the window once; children would repeat it
        kind = event.type()
        if kind in _MOUSE_TYPES and isinstance(event, QMouseEvent):
            pos = event.globalPosition().toPoint()
            self.write(
                type=_MOUSE_TYPES[kind], x=pos.x(), y=pos.y(),
                button=_BUTTONS.get(event.button()), modifiers=_mods(event.modifiers()),
            )  # fmt: skip
        elif kind == QEvent.Type.Wheel and isinstance(event, QWheelEvent):
            pos = event.globalPosition().toPoint()
            delta = event.angleDelta()
            self.write(type="wheel", x=pos.x(), y=pos.y(), dx=delta.x(), dy=delta.y())
        elif kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease) and isinstance(event, QKeyEvent):
            self.write(
                type="key_press" if kind == QEvent.Type.KeyPress else "key_release",
                key=event.key(), text=event.text(), modifiers=_mods(event.modifiers()),
                auto_repeat=event.isAutoRepeat(),
            )  # fmt: skip
        return False


def _mods(modifiers: Qt.KeyboardModifier) -> list[str]:
    return [name for flag, name in _MODIFIERS.items() if modifiers & flag]


class Canvas(QWidget):
    """A plain surface; optionally animates after a left click."""

    def __init__(self, recorder: Recorder, animate_ms: int) -> None:
        super().__init__()
        self.recorder = recorder
        self.animate_ms = animate_ms
        self.frame = 0
        self.timer = QTimer(self)
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.until = 0.0

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self.animate_ms and event.button() == Qt.MouseButton.LeftButton:
            self.until = time.monotonic() + self.animate_ms / 1000
            self.recorder.write(type="animation_start")
            self.timer.start()

    def _tick(self) -> None:
        if time.monotonic() >= self.until:
            self.timer.stop()
            self.frame = 0
            self.update()
            self.repaint()
            self.recorder.write(type="animation_done")
            return
        self.frame += 1
        self.repaint()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(40, 40, 40))
        if self.frame:
            painter.fillRect(
                self.rect().adjusted(100, 100, -100, -100), QColor.fromHsv((self.frame * 37) % 360, 200, 220)
            )
        painter.end()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("log")
    parser.add_argument("--rect", default="0,0,1920,1080")
    parser.add_argument("--widget", choices=("canvas", "line", "text"), default="canvas")
    parser.add_argument("--animate-on-click", type=int, default=0)
    args = parser.parse_args(argv)
    x, y, w, h = (int(v) for v in args.rect.split(","))

    app = QApplication([sys.argv[0]])
    out = open(args.log, "a", encoding="utf-8")  # noqa: SIM115 (lives as long as the app)
    recorder = Recorder(out)
    app.installEventFilter(recorder)

    window: QWidget
    if args.widget == "line":
        line = QLineEdit()
        line.textChanged.connect(lambda value: recorder.write(type="text", value=value))
        window = line
    elif args.widget == "text":
        text = QPlainTextEdit()
        text.textChanged.connect(lambda: recorder.write(type="text", value=text.toPlainText()))
        window = text
    else:
        window = Canvas(recorder, args.animate_on_click)
    window.setWindowFlag(Qt.WindowType.FramelessWindowHint)
    window.setWindowTitle(f"probe-{args.widget}")
    window.setGeometry(x, y, w, h)
    window.show()

    def announce() -> None:
        window.activateWindow()
        window.raise_()
        window.setFocus()
        origin = window.mapToGlobal(QPoint(0, 0))
        recorder.write(type="ready", x=origin.x(), y=origin.y(), w=window.width(), h=window.height())

    QTimer.singleShot(200, announce)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
