"""A "Save As" dialog that reacts late, like Mousepad's: Enter changes nothing for a while,
then the file is saved and the dialog closes.

Run: python -m tests.e2e.apps.slow_save --log FILE --folder DIR [--delay-ms 500].  A main
window (an editor) fills the screen; the dialog sits on top with its Name field focused
and a magenta background, so a screenshot shows at a glance whether it is still open.
Each Enter in the Name field logs ``{"event": "enter"}`` (two would mean the form was
submitted twice); ``delay-ms`` after the first one the file DIR/NAME is written, ``saved``
is logged and the dialog closes.  An Enter that reaches the editor logs ``editor_enter``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

DIALOG_COLOUR = "#d000d0"


class Log:
    def __init__(self, path: Path) -> None:
        self.path = path

    def write(self, **event: object) -> None:
        event["t"] = time.monotonic()
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(event) + "\n")


class EnterWatcher(QObject):
    """Logs Enter pressed in the editor (where a second Enter would land once the dialog closed)."""

    def __init__(self, log: Log) -> None:
        super().__init__()
        self.log = log

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        pressed = event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
        if pressed and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):  # type: ignore[attr-defined]
            self.log.write(event="editor_enter")
        return False


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True, type=Path)
    parser.add_argument("--folder", required=True, type=Path)
    parser.add_argument("--delay-ms", type=int, default=500)
    args = parser.parse_args()
    log = Log(args.log)
    app = QApplication(sys.argv[:1])
    app.setFont(QFont("DejaVu Sans", 12))
    main_window = QWidget()
    main_window.setWindowTitle("Notes - Editor")
    layout = QVBoxLayout(main_window)
    status = QLabel("Untitled")
    layout.addWidget(status)
    editor = QPlainTextEdit("Some notes worth keeping.")
    watcher = EnterWatcher(log)
    editor.installEventFilter(watcher)
    layout.addWidget(editor)
    main_window.setGeometry(0, 0, 1200, 800)
    main_window.show()

    dialog = QDialog(main_window)
    dialog.setWindowTitle("Save As")
    dialog.setStyleSheet(f"QDialog {{ background: {DIALOG_COLOUR}; }}")
    form = QVBoxLayout(dialog)
    form.addWidget(QLabel("Name:"))
    name = QLineEdit()
    form.addWidget(name)
    dialog.resize(480, 160)
    pending: list[str] = []

    def save() -> None:
        (args.folder / pending[0]).write_text(editor.toPlainText(), encoding="utf-8")
        log.write(event="saved", name=pending[0])
        dialog.accept()
        status.setText(f"Saved {pending[0]}")
        editor.setFocus()

    def entered() -> None:
        log.write(event="enter", text=name.text())
        if not pending:
            pending.append(name.text())
            QTimer.singleShot(args.delay_ms, save)

    name.returnPressed.connect(entered)
    dialog.show()
    dialog.move(300, 250)
    dialog.activateWindow()
    name.setFocus()
    QTimer.singleShot(300, lambda: log.write(event="ready"))
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
