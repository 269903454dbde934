"""A window of small buttons for the grounding benchmark: every click is logged with its button.

Run: python -m bench.small_elements_app --log FILE.  24 buttons of 84x22 pixels in a 10-pt
font, 4 pixels apart vertically -- on a 2560x1440 screen sent as 1316x728 they are ~43x11
image pixels, the size a fixed grounding error of a few image pixels misses.  The "ready"
line gives each button's desktop rectangle; each "click" line names the button hit.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QApplication, QGridLayout, QPushButton, QWidget

WORDS = (
    "Alpha", "Bravo", "Delta", "Echo", "Golf", "Hotel", "India", "Kilo", "Lambda", "Metro", "Oscar",
    "Papa", "Romeo", "Silver", "Tango", "Victor", "Yankee", "Zenith", "Juliet", "Quebec", "Nectar",
    "Orbit", "Copper", "Radar",
)  # fmt: skip
COLUMNS = 6


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True, type=Path)
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    app.setFont(QFont("DejaVu Sans", 10))
    window = QWidget()
    window.setWindowTitle("Small targets")
    grid = QGridLayout(window)
    grid.setHorizontalSpacing(24)
    grid.setVerticalSpacing(4)
    grid.setContentsMargins(48, 16, 48, 16)
    buttons = []
    for n, word in enumerate(WORDS):
        button = QPushButton(word)
        button.setObjectName(word)
        button.setFixedSize(84, 22)
        button.clicked.connect(lambda _=False, w=word: write(args.log, {"event": "click", "button": w}))
        grid.addWidget(button, n // COLUMNS, n % COLUMNS)
        buttons.append(button)
    window.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint)
    window.show()
    window.adjustSize()
    screen = QGuiApplication.primaryScreen().availableGeometry()
    window.move(screen.center() - window.frameGeometry().center() + window.frameGeometry().topLeft())
    window.activateWindow()

    def ready() -> None:
        rects = {}
        for button in buttons:
            top_left = button.mapToGlobal(button.rect().topLeft())
            rects[button.objectName()] = [top_left.x(), top_left.y(), button.width(), button.height()]
        write(args.log, {"event": "ready", "rects": rects})

    QTimer.singleShot(300, ready)
    return app.exec()


def write(log: Path, data: dict[str, object]) -> None:
    with log.open("a", encoding="utf-8") as f:
        f.write(json.dumps(data) + "\n")


if __name__ == "__main__":
    sys.exit(main())
