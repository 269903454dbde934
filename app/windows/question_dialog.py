"""A small input dialog for the model's questions ("Which file should I open?").

Cancel, Escape, closing and the countdown all mean "no answer" (``None``): the loop then
ends the task with the question, as the terminal does.  Opened only by ``QtApprover``.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox, QLineEdit, QWidget

from deskhand.app.windows.countdown_dialog import CountdownDialog


class QuestionDialog(CountdownDialog):
    """Emits ``answered`` once, with the text or ``None``."""

    def __init__(self, question: str, timeout_s: float, parent: QWidget | None = None) -> None:
        super().__init__(
            name="deskhand-question",
            title="Deskhand asks",
            min_width=420,
            timeout_s=timeout_s,
            countdown="Closes without an answer in {s} s.",
            dismissed=None,
            parent=parent,
        )
        layout = self.body
        self.add_text(question, "question")
        self.entry = QLineEdit()
        self.entry.setObjectName("reply")
        self.focus_widget = self.entry
        layout.addWidget(self.entry)
        layout.addWidget(self.countdown)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def accept(self) -> None:
        self.settle(self.entry.text().strip() or None)
