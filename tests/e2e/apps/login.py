"""The teaching tests' login window, "Login Panel": a user field and a password field.

Run: python -m tests.e2e.apps.login --log FILE.  Each text change is one JSON line in FILE
(the password field's too: this is a test window, and the test checks what replay typed);
the "ready" line gives each field's centre in global coordinates.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QFormLayout, QLineEdit, QWidget


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True, type=Path)
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
