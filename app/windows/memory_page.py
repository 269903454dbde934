"""The Memory page of Settings, and the tray's "Remember…" box.

Both act on the store at once (no Save needed): forgetting a fact should not wait for an
unrelated field to validate.  Every add goes through ``MemoryStore.add``, so the secret
scanner refuses here exactly as on the command line, and the reason is shown in the page.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from deskhand.app.store.memory_store import MemoryStore
from deskhand.app.windows.page_button import page_button
from deskhand.core.errors import DeskhandError

__all__ = ["MemoryPage", "ask_fact"]


class MemoryPage(QGroupBox):
    """List, add, forget, clear and export remembered facts."""

    changed = Signal()

    def __init__(self, open_store: Callable[[], MemoryStore], parent: QWidget | None = None) -> None:
        super().__init__("Memory", parent)
        self.setObjectName("memory-page")
        self.open_store = open_store
        intro = QLabel(
            "Facts Deskhand keeps about you and your setup. The ones that share words with a task "
            "go into its prompt. Secrets are never kept."
        )
        intro.setWordWrap(True)
        self.facts = QListWidget()
        self.facts.setObjectName("memory-facts")
        self.facts.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.entry = QLineEdit()
        self.entry.setObjectName("memory-entry")
        self.entry.setPlaceholderText("e.g. My reports go to ~/Reports")
        self.entry.returnPressed.connect(self.add)
        self.add_button = page_button("Remember", "memory-add", self.add)
        self.forget_button = page_button("Forget selected", "memory-forget", self.forget_selected)
        self.clear_button = page_button("Forget all", "memory-clear", self.clear)
        self.export_button = page_button("Export…", "memory-export", self.export)
        self.problem = QLabel()
        self.problem.setObjectName("memory-problem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020")
        adding = QHBoxLayout()
        adding.addWidget(self.entry, 1)
        adding.addWidget(self.add_button)
        buttons = QHBoxLayout()
        for button in (self.forget_button, self.clear_button, self.export_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.facts, 1)
        layout.addLayout(adding)
        layout.addWidget(self.problem)
        layout.addLayout(buttons)
        self.reload()

    def _run(self, work: Callable[[MemoryStore], object]) -> bool:
        try:
            work(self.open_store())
        except DeskhandError as exc:
            self.problem.setText(str(exc))
            return False
        self.problem.clear()
        self.reload()
        self.changed.emit()
        return True

    def reload(self) -> None:
        self.facts.clear()
        try:
            facts = self.open_store().facts()
        except DeskhandError as exc:
            self.problem.setText(str(exc))
            return
        for fact in facts:
            by = "" if fact.source == "user" else "  (proposed by the model)"
            item = QListWidgetItem(f"{fact.text}{by}")
            item.setData(Qt.ItemDataRole.UserRole, fact.id)
            self.facts.addItem(item)
        has_facts = bool(facts)
        self.clear_button.setEnabled(has_facts)
        self.export_button.setEnabled(has_facts)

    def add(self) -> None:
        text = self.entry.text()
        if text.strip() and self._run(lambda store: store.add(text)):
            self.entry.clear()

    def forget_selected(self) -> None:
        ids = [int(item.data(Qt.ItemDataRole.UserRole)) for item in self.facts.selectedItems()]
        self._run(lambda store: [store.forget(i) for i in ids])

    def clear(self) -> None:
        self._run(lambda store: store.clear())

    def export(self, path: str | None = None) -> None:
        """Write every fact as plain text; ``path`` skips the file dialog (tests, scripts)."""
        dest = path or QFileDialog.getSaveFileName(self, "Export memory", "deskhand-memory.txt")[0]
        if not dest:
            return
        try:
            text = self.open_store().export_text()
            with open(dest, "w", encoding="utf-8") as out:
                out.write(text)
        except (OSError, DeskhandError) as exc:
            self.problem.setText(f"Could not export to {dest}: {exc}")


def ask_fact() -> str | None:
    """The tray's "Remember…": one line of text, or None if cancelled."""
    text, ok = QInputDialog.getText(
        None, "Deskhand: remember", "A fact for later tasks (e.g. “My reports go to ~/Reports”):"
    )
    return text if ok and text.strip() else None
