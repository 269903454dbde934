"""The teaching tests' login window, "Login Panel": a user field and a password field.

Run: python -m tests.e2e.apps.login --log FILE [--busy-on-focus SECONDS].  Each text change is one JSON line in FILE
(the password field's too: this is a test window, and the test checks what replay typed);
the "ready" line gives each field's centre in global coordinates.  ``--busy-on-focus``: the
password field, on getting focus, keeps the application busy that long (as one that asks a
keyring first would) -- its accessibility tree does not answer meanwhile.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QFormLayout, QLineEdit, QWidget


class _BusyOnFocus(QObject):
    """Blocks the event loop for ``seconds`` once the watched widget gets focus."""

    def __init__(self, seconds: float, parent: QObject) -> None:
        super().__init__(parent)
        self.seconds = seconds

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt names it
        if event.type() == QEvent.Type.FocusIn:
            time.sleep(self.seconds)
        return False


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True, type=Path)
    parser.add_argument("--busy-on-focus", type=float, default=0.0)
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    app.setFont(QFont("DejaVu Sans", 14))
    window = QWidget()
    window.setWindowTitle("Login Panel")
    form = QFormLayout(window)
    fields: dict[str, QLineEdit] = {}
    for name in ("User", "Password"):
        field = QLineEdit()
        field.setAccessibleName(name)
        if name == "Password":
            field.setEchoMode(QLineEdit.EchoMode.Password)
            if args.busy_on_focus > 0:
                busy = _BusyOnFocus(args.busy_on_focus, window)
                field.installEventFilter(busy)

        def changed(text: str, name: str = name) -> None:
            with args.log.open("a", encoding="utf-8") as f:
                f.write(json.dumps({"event": "text", "field": name, "text": text}, ensure_ascii=False) + "\n")

        field.textChanged.connect(changed)
        form.addRow(name, field)
        fields[name] = field
    window.setMinimumWidth(360)
    window.show()
    window.move(200, 150)
    window.activateWindow()

    def ready() -> None:
        centres = {n: [f.mapToGlobal(f.rect().center()).x(), f.mapToGlobal(f.rect().center()).y()]
                   for n, f in fields.items()}  # fmt: skip
        with args.log.open("a", encoding="utf-8") as f:
            f.write(json.dumps({"event": "ready", "centres": centres}) + "\n")

    QTimer.singleShot(400, ready)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
