"""The Skills window: the skills kept, each one's steps in words, run with parameters, delete.

It reads the ``SkillStore`` it is given and renders; running is the caller's ``run``
(``SkillsTray.run``: the tray's task worker, the same gate as any task), which says in one
line why a skill did not start (a missing parameter, a broken file, a busy desktop).
A skill file that does not load is listed with its problem rather than hidden, so a
hand-edit gone wrong is found.  Delete asks once more, in the button itself.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from deskhand.app.skills.skill_store import SkillStore
from deskhand.app.windows.page_button import page_button
from deskhand.app.windows.placement import fit_to_screen
from deskhand.core.errors import DeskhandError
from deskhand.core.skill import Skill, SkillError
from deskhand.core.skill_steps import say

__all__ = ["SkillsWindow"]

Run = Callable[[str, dict[str, str]], str]  # name, values -> "" if started, else why not
CONFIRM_MS = 4000  # how long "Click again to delete" waits for the second click


class SkillsWindow(QWidget):
    teach_requested = Signal()

    def __init__(self, open_store: Callable[[], SkillStore], run: Run) -> None:
        super().__init__()
        self.setObjectName("deskhand-skills")
        self.setWindowTitle("Deskhand skills")
        self.open_store, self.run = open_store, run
        self.skill: Skill | None = None
        self.fields: dict[str, QLineEdit] = {}
        self.names = QListWidget()
        self.names.setObjectName("skills-list")
        self.names.currentItemChanged.connect(lambda item, _old: self._show(item))
        self.title = QLabel("Choose a skill on the left.")
        self.title.setObjectName("skill-title")
        self.title.setWordWrap(True)
        self.steps = QPlainTextEdit()
        self.steps.setObjectName("skill-steps")
        self.steps.setReadOnly(True)
        self.form = QFormLayout()
        self.problem = QLabel()
        self.problem.setObjectName("skills-problem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020")
        self.run_button = page_button("Run", "skill-run", self.run_selected)
        self.delete_button = page_button("Delete", "skill-delete", self.delete_selected)
        self.teach_button = page_button("Teach a skill…", "skill-teach", self.teach_requested.emit)
        self._disarm = QTimer(self)
        self._disarm.setSingleShot(True)
        self._disarm.timeout.connect(self._reset_delete)
        buttons = QHBoxLayout()
        for button in (self.run_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        detail = QWidget()
        pane = QVBoxLayout(detail)
        pane.addWidget(self.title)
        pane.addWidget(self.steps, 1)
        pane.addLayout(self.form)
        pane.addWidget(self.problem)
        pane.addLayout(buttons)
        left = QWidget()
        side = QVBoxLayout(left)
        side.addWidget(self.names, 1)
        side.addWidget(self.teach_button)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(detail)
        split.setStretchFactor(1, 2)
        QVBoxLayout(self).addWidget(split)
        fit_to_screen(self, QSize(860, 520))
        self.reload()

    def reload(self) -> None:
        """List the skills again, keeping the selection where it can."""
        current = self.skill.name if self.skill else None
        self.names.clear()
        try:
            names = self.open_store().names()
        except DeskhandError as exc:
            self.problem.setText(str(exc))
            names = []
        for name in names:
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.names.addItem(item)
            if name == current:
                self.names.setCurrentItem(item)
        if self.names.currentItem() is None:
            self._show(None)
        if not names:
            self.title.setText("No skills yet. Teach one, or save a finished task with “Save as skill…”.")

    def _show(self, item: QListWidgetItem | None) -> None:
        self.skill = None
        self._reset_delete()
        self.problem.clear()
        while self.form.rowCount():
            self.form.removeRow(0)
        self.fields.clear()
        self.steps.clear()
        self.run_button.setEnabled(False)
        self.delete_button.setEnabled(item is not None)
        if item is None:
            self.title.setText("Choose a skill on the left.")
            return
        name = str(item.data(Qt.ItemDataRole.UserRole))
        try:
            skill = self.open_store().load(name)
        except (SkillError, DeskhandError) as exc:
            self.title.setText(f"{name}: cannot be used")
            self.problem.setText(str(exc))
            return
        self.skill = skill
        self.title.setText(f"{skill.name}: {skill.description or '(no description)'}")
        self.steps.setPlainText("\n".join(f"{n}. {say(step)}" for n, step in enumerate(skill.steps, 1)))
        for key, param in skill.params.items():
            field = QLineEdit(param.default or "")
            field.setObjectName(f"param-{key}")
            if param.secret:
                field.setEchoMode(QLineEdit.EchoMode.Password)
                field.setPlaceholderText("typed into a password field: give it each time")
            self.fields[key] = field
            self.form.addRow(key, field)
        self.run_button.setEnabled(True)

    def select(self, name: str) -> None:
        for row in range(self.names.count()):
            if self.names.item(row).data(Qt.ItemDataRole.UserRole) == name:
                self.names.setCurrentRow(row)

    def values(self) -> dict[str, str]:
        """The parameters as filled in; an empty field without a default is left out, so
        the replay's own check names what is missing."""
        assert self.skill is not None  # noqa: S101 - Run is enabled only with a skill shown
        return {
            key: field.text()
            for key, field in self.fields.items()
            if field.text() or self.skill.params[key].default is not None
        }

    def run_selected(self) -> None:
        if self.skill is None:
            return
        problem = self.run(self.skill.name, self.values())
        self.problem.setText(problem)
        if not problem:
            for key, field in self.fields.items():
                if self.skill.params[key].secret:
                    field.clear()  # a password stays in the window no longer than needed

    def delete_selected(self) -> None:
        item = self.names.currentItem()
        if item is None:
            return
        name = str(item.data(Qt.ItemDataRole.UserRole))
        if not self._disarm.isActive():
            self.delete_button.setText(f"Click again to delete '{name}'")
            self._disarm.start(CONFIRM_MS)
            return
        self._reset_delete()
        try:
            self.open_store().delete(name)
        except (SkillError, DeskhandError) as exc:
            self.problem.setText(str(exc))
            return
        self.skill = None
        self.reload()

    def _reset_delete(self) -> None:
        self._disarm.stop()
        self.delete_button.setText("Delete")
