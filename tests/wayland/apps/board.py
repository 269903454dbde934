"""A Wayland-native Qt test window for the portal tests: every click, key and drag is logged.

Run: QT_QPA_PLATFORM=wayland python -m tests.wayland.apps.board --log FILE.  The window is
fullscreen, so its own coordinates are the monitor's logical coordinates (a Wayland client
cannot learn its global position; fullscreen makes it the origin).  Logged as JSON lines:
``ready`` (window size and each widget's rectangle), ``click`` (button, x, y, rect),
``text`` (the entry's text), ``drop`` (where a drag of the "Drag me" tile was released).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QFont, QMouseEvent
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton, QWidget


class Tile(QLabel):
    """Follows the pointer while the left button holds it; logs where it was dropped."""

    def __init__(self, board: Board) -> None:
        super().__init__("Drag me", board)
        self.board = board
        self.setStyleSheet("background: #ffd24d; color: black; border: 2px solid black;")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._grab: QPoint | None = None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._grab = event.position().toPoint()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._grab is not None:
            self.move(self.mapToParent(event.position().toPoint()) - self._grab)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._grab is not None:
            self._grab = None
            at = self.mapToParent(event.position().toPoint())
            self.board.write({"event": "drop", "x": at.x(), "y": at.y(), "rect": self.board.rect_of(self)})


class Button(QPushButton):
    """Remembers where (in the board's coordinates) the button was last released."""

    at = QPoint(-1, -1)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self.at = self.mapToParent(event.position().toPoint())
        super().mouseReleaseEvent(event)


class Board(QWidget):
    def __init__(self, log: Path) -> None:
        super().__init__()
        self.log = log
        self.setWindowTitle("Deskhand Wayland board")
        self.setStyleSheet("background: white; color: black;")
        font = QFont()
        font.setPointSize(20)
        self.setFont(font)
        self.buttons = []
        for n, label in enumerate(("Apply", "Cancel")):
            button = Button(label, self)
            button.setGeometry(120 + n * 300, 120, 200, 70)
            button.clicked.connect(lambda _=False, b=button: self.clicked(b))
            self.buttons.append(button)
        self.entry = QLineEdit(self)
        self.entry.setPlaceholderText("Name")
        self.entry.setGeometry(120, 260, 500, 60)
        self.entry.textChanged.connect(lambda text: self.write({"event": "text", "text": text}))
        self.tile = Tile(self)
        self.tile.setGeometry(120, 400, 160, 70)
        self.target = QLabel("Drop here", self)
        self.target.setGeometry(700, 400, 200, 70)
        self.target.setStyleSheet("border: 2px dashed black;")
        self.target.setAlignment(Qt.AlignmentFlag.AlignCenter)

    def rect_of(self, widget: QWidget) -> list[int]:
        g = widget.geometry()
        return [g.x(), g.y(), g.width(), g.height()]

    def clicked(self, button: Button) -> None:
        pos = button.at
        self.write({"event": "click", "button": button.text(), "rect": self.rect_of(button),
                    "at": [pos.x(), pos.y()]})  # fmt: skip

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        p = event.position().toPoint()
        self.write({"event": "release", "x": p.x(), "y": p.y()})

    def write(self, data: dict[str, object]) -> None:
        with self.log.open("a", encoding="utf-8") as f:
            f.write(json.dumps(data) + "\n")

    def announce(self) -> None:
        self.write({"event": "ready", "size": [self.width(), self.height()],
                    "dpr": self.devicePixelRatioF(),
                    "widgets": {b.text(): self.rect_of(b) for b in self.buttons}
                    | {"entry": self.rect_of(self.entry), "tile": self.rect_of(self.tile),
                       "target": self.rect_of(self.target)}})  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", type=Path, required=True)
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    board = Board(args.log)
    board.showFullScreen()
    QTimer.singleShot(800, board.announce)
    app.exec()


if __name__ == "__main__":
    main()
