"""The skills tests' window, "Orchard Panel": fruit buttons in a given order and a Note field.

Run: python -m tests.e2e.apps.orchard --log FILE [--buttons Apple,Pear,Plum]
[--place top-left|bottom-right|center].  Each click and each text change is one JSON line
in FILE; the "ready" line gives each widget's centre (global coordinates), so a test can
point the fake model at the field and check which widget got which event.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget


class Orchard(QWidget):
    def __init__(self, log: Path, buttons: list[str]) -> None:
        super().__init__()
        self.log = log
        self.setWindowTitle("Orchard Panel")
        layout = QVBoxLayout(self)
        for label in buttons:
            button = QPushButton(label)
            button.setObjectName(label)
            button.clicked.connect(lambda _=False, name=label: self.write({"event": "click", "button": name}))
            layout.addWidget(button)
        layout.addWidget(QLabel("Note"))
        self.note = QLineEdit()
        self.note.setAccessibleName("Note")
        self.note.textChanged.connect(lambda text: self.write({"event": "text", "text": text}))
        layout.addWidget(self.note)
        self.setMinimumWidth(320)

    def write(self, data: dict[str, object]) -> None:
        with self.log.open("a", encoding="utf-8") as f:
            f.write(json.dumps(data, ensure_ascii=False) + "\n")

    def centres(self) -> dict[str, list[int]]:
        widgets: list[QWidget] = [*self.findChildren(QPushButton), self.note]
        found = {}
        for widget in widgets:
            centre = widget.mapToGlobal(widget.rect().center())
            found[widget.objectName() or "Note"] = [centre.x(), centre.y()]
        return found


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True, type=Path)
    parser.add_argument("--buttons", default="Apple,Pear,Plum")
    parser.add_argument("--place", default="center")
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    app.setFont(QFont("DejaVu Sans", 14))
    window = Orchard(args.log, args.buttons.split(","))
    window.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint)
    window.show()
    window.adjustSize()
    screen = QGuiApplication.primaryScreen().availableGeometry()
    frame = window.frameGeometry()
    x = {
        "left": screen.left() + 10,
        "right": screen.right() - frame.width() - 10,
        "center": screen.center().x() - frame.width() // 2,
    }
    y = {
        "top": screen.top() + 10,
        "bottom": screen.bottom() - frame.height() - 10,
        "center": screen.center().y() - frame.height() // 2,
    }
    vertical, _, horizontal = args.place.partition("-")
    window.move(x[horizontal or "center"], y[vertical])
    window.activateWindow()
    QTimer.singleShot(400, lambda: window.write({"event": "ready", "centres": window.centres()}))
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
