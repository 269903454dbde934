"""Open the Settings and History windows in a fresh process and report how they sit on screen.

Run as ``python -m tests.ui.window_fit OUT.json [SHOTS_DIR]`` with ``QT_SCALE_FACTOR`` set:
the scale factor is read once, when the ``QApplication`` starts, so a scaled check needs its
own process.  It writes, per window, the frame and the screen's available area (logical
pixels), whether the window needs sideways scrolling, and for History where each column
ends relative to the table's visible width.  With SHOTS_DIR it also saves a screenshot of
the whole screen with each window open, for a person to look at.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QWidget


def _settle(ms: int = 400) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def _rect(widget: QWidget) -> list[int]:
    frame = widget.frameGeometry()
    return [frame.x(), frame.y(), frame.width(), frame.height()]


def _available(widget: QWidget) -> list[int]:
    area = widget.screen().availableGeometry()
    return [area.x(), area.y(), area.width(), area.height()]


def _shoot(widget: QWidget, shots: Path | None, name: str) -> None:
    if shots is not None:
        widget.screen().grabWindow(0).save(str(shots / f"{name}.png"))


def measure_settings(shots: Path | None, home: Path) -> dict[str, Any]:
    from deskhand.app.windows.settings import SettingsWindow

    window = SettingsWindow(path=home / "config.toml")
    window.show()
    _settle()
    report = {
        "frame": _rect(window),
        "available": _available(window),
        "sideways_scroll": window.scroll_area.horizontalScrollBar().maximum() > 0,
        "texts": visible_texts(window),
    }
    _shoot(window, shots, "settings")
    window.close()
    return report


def visible_texts(window: QWidget) -> list[str]:
    """Every word the window shows: labels, buttons, check boxes, choices, placeholders, titles."""
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QGroupBox, QLabel, QLineEdit

    texts: list[str] = []
    for label in window.findChildren(QLabel):
        texts.append(label.text())
    for button in window.findChildren(QAbstractButton):
        texts.append(button.text())
    for box in window.findChildren(QGroupBox):
        texts.append(box.title())
    for edit in window.findChildren(QLineEdit):
        texts.append(edit.placeholderText())
    for combo in window.findChildren(QComboBox):
        texts += [combo.itemText(i) for i in range(combo.count())]
    return [t for t in texts if t]


def measure_history(shots: Path | None, home: Path) -> dict[str, Any]:
    from deskhand.app.store.audit_log import AuditLog
    from deskhand.app.windows.history import HistoryWindow
    from tests.unit.app.audit_samples import fill

    log = AuditLog(home / "audit.sqlite3")
    fill(log)
    window = HistoryWindow(log)
    window.show()
    _settle()
    table, header = window.table, window.table.horizontalHeader()
    report = {
        "frame": _rect(window),
        "available": _available(window),
        "viewport_width": table.viewport().width(),
        "column_ends": [
            header.sectionViewportPosition(c) + header.sectionSize(c) for c in range(header.count())
        ],
        "column_widths": [header.sectionSize(c) for c in range(header.count())],
        "headers": [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())],
        "header_length": header.length(),
        "sideways_scroll": table.horizontalScrollBar().maximum() > 0,
    }
    _shoot(window, shots, "history")
    window.close()
    log.close()
    return report


def main(argv: list[str]) -> int:
    out = Path(argv[0])
    shots = Path(argv[1]) if len(argv) > 1 else None
    app = QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as tmp:
        report = {
            "scale": app.primaryScreen().devicePixelRatio(),
            "settings": measure_settings(shots, Path(tmp)),
            "history": measure_history(shots, Path(tmp)),
        }
    out.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
