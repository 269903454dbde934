"""The push button of the list windows (Skills, the Memory page of Settings): named for
tests and never auto-default.

Why not auto-default: in a dialog, Qt makes an auto-default button that has had the focus
the one Enter presses, so Enter typed in a field could run or forget something; these
buttons act only when pressed themselves.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QPushButton


def page_button(text: str, name: str, slot: Callable[[], object]) -> QPushButton:
    """A button labelled ``text``, found by ``name`` (object name), that calls ``slot``."""
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAutoDefault(False)
    button.clicked.connect(slot)
    return button
