"""The confirmation dialog: "Deskhand wants to … — Allow once / Allow for this task / Deny".

The headline says where on the *screen* the action lands (the point the user can find,
not the model's image pixels) and names what was found there, so the person judges the
action, not a coordinate; the picture below marks the spot without hiding its label.

Deny is the default button and has the focus, Escape and closing the window deny, and an
unanswered dialog denies itself when its countdown ends -- a user who walks away must
never come back to an action that ran without them.  Opened only by ``QtApprover``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from deskhand.app.windows.countdown_dialog import CountdownDialog
from deskhand.core.approval import UserAnswer


class ConfirmDialog(CountdownDialog):
    """Non-modal; emits ``answered`` (a ``UserAnswer``) exactly once, then closes."""

    def __init__(
        self,
        what: str,
        reason: str,
        crop: QPixmap | None,
        timeout_s: float,
        parent: QWidget | None = None,
        *,
        found: str | None = None,
    ) -> None:
        """``found``: what the inspector read where the action lands ("" if nothing could
        be read there; None if the action lands nowhere, like a shell command)."""
        super().__init__(
            name="deskhand-confirm",
            title="Deskhand: allow this action?",
            min_width=480,
            timeout_s=timeout_s,
            countdown="Denied automatically in {s} s if you do not answer.",
            dismissed=UserAnswer.DENY,
            parent=parent,
        )
        layout = self.body
        on = f" on <b>{_escape(found)}</b>" if found else ""
        headline = QLabel(f"Deskhand wants to <b>{_escape(what)}</b>{on}")
        headline.setObjectName("what")
        headline.setWordWrap(True)
        font = QFont(headline.font())
        font.setPointSizeF(font.pointSizeF() * 1.2)
        headline.setFont(font)
        layout.addWidget(headline)
        self.add_text(f"It asks because {_escape(reason)}.", "reason")
        if found == "":
            self.add_text("What is under this point could not be read: check the picture.", "found")
        if crop is not None:
            picture = QLabel()
            picture.setObjectName("crop")
            picture.setPixmap(crop)
            picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(picture)
        self.countdown.setObjectName("countdown")
        layout.addWidget(self.countdown)

        row = QHBoxLayout()
        self.allow_once = QPushButton("Allow &once")
        self.allow_task = QPushButton("Allow for this &task")
        self.deny = QPushButton("&Deny")
        for button in (self.allow_once, self.allow_task, self.deny):
            row.addWidget(button)  # autoDefault: Enter presses the focused button
        self.deny.setDefault(True)  # ... and the focus starts on Deny
        self.focus_widget = self.deny
        layout.addLayout(row)
        self.allow_once.clicked.connect(lambda: self.choose(UserAnswer.ALLOW_ONCE))
        self.allow_task.clicked.connect(lambda: self.choose(UserAnswer.ALLOW_FOR_TASK))
        self.deny.clicked.connect(lambda: self.choose(UserAnswer.DENY))

    def choose(self, answer: UserAnswer) -> None:
        """Answer once (a later choice is ignored), then go away."""
        self.settle(answer)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
