"""A small Qt form the end-to-end tests drive: every click, scroll and edit is logged.

Run: python -m tests.e2e.apps.form --log FILE [--place top-left|top-right|bottom-left|
bottom-right|center] [--buttons Apply,Cancel] [--long-list] [--point-size 15]. Each event is
one JSON line in FILE with global pointer coordinates, so a test can check where a click
really landed; the "ready" line gives each button's centre.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class Form(QWidget):
    def __init__(
        self, log: Path, buttons: list[str], long_list: bool, hides: dict[str, str] | None = None
    ) -> None:
        super().__init__()
        self.log = log
        self.hides = hides or {}  # clicking the key button hides the value button
        self.setWindowTitle("Deskhand test form")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Deskhand form"))
        for label in buttons:
            button = QPushButton(label)
            button.setObjectName(label)
            button.clicked.connect(lambda _=False, b=button: self._clicked(b))
            layout.addWidget(button)
        self.buttons = self.findChildren(QPushButton)
        self.entry = QLineEdit()
        self.entry.setPlaceholderText("Name")
        self.entry.textChanged.connect(lambda text: self._write({"event": "text", "text": text}))
        layout.addWidget(self.entry)
        if long_list:
            self.items = QListWidget()
            self.items.addItems([f"Row {n}" for n in range(1, 60)] + ["Hidden treasure"])
            self.items.setMinimumHeight(220)
            self.items.itemClicked.connect(lambda item: self._write({"event": "item", "text": item.text()}))
            self.items.verticalScrollBar().valueChanged.connect(
                lambda v: self._write({"event": "scroll", "value": v})
            )
            layout.addWidget(self.items)

    def _clicked(self, button: QPushButton) -> None:
        from PySide6.QtGui import QCursor

        hidden = self.hides.get(button.objectName())
        if hidden is not None:
            self.findChild(QPushButton, hidden).hide()

        pos = QCursor.pos()
        rect = button.rect().translated(button.mapToGlobal(button.rect().topLeft()))
        self._write(
            {
                "event": "click",
                "button": button.objectName(),
                "x": pos.x(),
                "y": pos.y(),
                "rect": [rect.x(), rect.y(), rect.width(), rect.height()],
            }
        )

    def _write(self, data: dict[str, object]) -> None:
        with self.log.open("a", encoding="utf-8") as f:
            f.write(json.dumps(data) + "\n")


def place(window: QWidget, where: str) -> None:
    screen = QGuiApplication.primaryScreen().availableGeometry()
    window.adjustSize()
    frame = window.frameGeometry()
    margin = 2
    x = {"left": screen.left() + margin, "right": screen.right() - frame.width() - margin}
    y = {"top": screen.top() + margin, "bottom": screen.bottom() - frame.height() - margin}
    if where == "center":
        window.move(screen.center() - frame.center() + frame.topLeft())
    else:
        vertical, horizontal = where.split("-")
        window.move(x[horizontal], y[vertical])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True, type=Path)
    parser.add_argument("--place", default="center")
    parser.add_argument("--buttons", default="Apply,Cancel")
    parser.add_argument("--long-list", action="store_true")
    parser.add_argument("--at", help="X,Y: put the window's top-left there (desktop coordinates)")
    parser.add_argument("--hide-on-click", default="", help="A:B -- clicking button A hides button B")
    parser.add_argument("--point-size", type=int, default=15, help="the font size (9 is a desktop's usual)")
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    font = QFont("DejaVu Sans", args.point_size)
    app.setFont(font)
    hides = dict([args.hide_on_click.split(":", 1)]) if args.hide_on_click else {}
    form = Form(args.log, args.buttons.split(","), args.long_list, hides)
    form.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint)
    form.show()
    if args.at:
        x, y = (int(v) for v in args.at.split(","))
        form.move(x, y)
    else:
        place(form, args.place)
    form.activateWindow()

    def ready() -> None:  # once the window manager has placed it, so the centres are final
        centres = {}
        for button in form.buttons:
            centre = button.mapToGlobal(button.rect().center())
            centres[button.objectName()] = [centre.x(), centre.y()]
        form._write({"event": "ready", "centres": centres})

    QTimer.singleShot(300, ready)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
