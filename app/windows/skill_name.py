"""Naming a skill to keep: "Save as skill…" on a finished task, and the review after teaching.

The dialog asks for a name and, optionally, which typed literals become parameters (one
``KEY=LITERAL`` per line, as ``--param`` does on the command line).  Saving is the
caller's function -- ``deskhand skills save``'s and ``deskhand teach``'s own -- so a
refusal (a bad name, a literal never typed, a task that cannot be kept) is the same
sentence as in the terminal, shown here, and the dialog stays open to fix it.  An
existing skill of the same name is replaced only after the user has seen it is there.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from deskhand.core.errors import DeskhandError
from deskhand.core.skill import Skill, SkillError, parse_params

__all__ = ["SkillNameDialog"]

Save = Callable[[str, dict[str, str]], Skill]  # name, literals -> the skill kept


class SkillNameDialog(QDialog):
    saved = Signal(object)  # the Skill, once written

    def __init__(
        self,
        title: str,
        lines: list[str],
        save: Save,
        exists: Callable[[str], bool],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("skill-name-dialog")
        self.setWindowTitle(f"Deskhand: {title.lower()}")
        self.save, self.exists = save, exists
        self._confirmed_replace = ""
        layout = QVBoxLayout(self)
        heading = QLabel(title)
        heading.setObjectName("skill-name-title")
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        layout.addWidget(heading)
        if lines:
            steps = QPlainTextEdit("\n".join(lines))
            steps.setObjectName("skill-steps")
            steps.setReadOnly(True)
            steps.setMinimumHeight(120)
            layout.addWidget(steps)
        form = QFormLayout()
        self.name = QLineEdit()
        self.name.setObjectName("skill-name")
        self.name.setPlaceholderText("e.g. monday-report (lower-case letters, digits, - and _)")
        self.params = QPlainTextEdit()
        self.params.setObjectName("skill-params")
        self.params.setPlaceholderText("Optional, one per line: KEY=text you typed, e.g. team=ops")
        self.params.setMaximumHeight(70)
        form.addRow("Name", self.name)
        form.addRow("Parameters", self.params)
        layout.addLayout(form)
        self.problem = QLabel()
        self.problem.setObjectName("skill-name-problem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020")
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("skill-save")
        buttons.accepted.connect(self.try_save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(520, self.sizeHint().height())

    def try_save(self) -> bool:
        """Save under the name given; on a refusal say why here and stay open."""
        name = self.name.text().strip()
        try:
            literals = parse_params([line for line in self.params.toPlainText().splitlines() if line.strip()])
            if name and self.exists(name) and self._confirmed_replace != name:
                self._confirmed_replace = name
                self.problem.setText(f"A skill '{name}' exists already. Press Save again to replace it.")
                return False
            skill = self.save(name, literals)
        except (SkillError, DeskhandError) as exc:
            self.problem.setText(str(exc))
            return False
        self.saved.emit(skill)
        self.accept()
        return True
