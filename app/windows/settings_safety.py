"""The Settings window's "Safety" group: confirmations, strict mode, target inspection, how
long a CLI task waits for the model server, and the block rules a user may unlock.

Why unlocking says "ask" so loudly: an unlocked rule does not let anything run by itself;
the action is shown for Allow/Deny like any other risky one.  Users who read "unlock" as
"allow" would fear it (or trust it) for the wrong reason, so the warning spells it out.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QCheckBox, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from deskhand.app.store.config import Settings
from deskhand.app.windows.settings_fields import SecondsSpin, SettingsGroup, hint
from deskhand.core.policy import UNLOCKABLE_RULES

__all__ = ["RuleList", "SafetyGroup"]

MODEL_WAIT_NOTE = (
    "How long `deskhand do` waits for the model server to come back mid-task; "
    "the tray app waits until you press Stop."
)
RULES_NOTE = "These are refused outright. Check one to be asked about such actions instead."
_VISIBLE_RULES = 9


class RuleList(QWidget):
    """Every rule in ``UNLOCKABLE_RULES`` as a checkable row; a warning while any is checked."""

    def __init__(self, unlocked: Iterable[str]) -> None:
        super().__init__()
        chosen = set(unlocked)
        self.list = QListWidget()
        for rule_id, summary in UNLOCKABLE_RULES.items():
            item = QListWidgetItem(f"{rule_id} — {summary}")
            item.setData(Qt.ItemDataRole.UserRole, rule_id)
            item.setToolTip(summary)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if rule_id in chosen else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.list.setWordWrap(True)  # long summaries wrap instead of scrolling sideways
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        rows = self.list.sizeHintForRow(0) * _VISIBLE_RULES + 2 * self.list.frameWidth()
        self.list.setFixedHeight(rows)
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #8a4b00; font-weight: bold;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(hint(RULES_NOTE))
        layout.addWidget(self.list)
        layout.addWidget(self.warning)
        self.list.itemChanged.connect(lambda _item: self._warn())
        self._warn()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        chosen = self.checked()
        if chosen and not event.spontaneous():  # show the first unlocked rule, once laid out
            self.list.scrollToItem(self.item(chosen[0]), QListWidget.ScrollHint.PositionAtCenter)

    def item(self, rule_id: str) -> QListWidgetItem:
        found = [self.list.item(i) for i in range(self.list.count())]
        return next(i for i in found if i.data(Qt.ItemDataRole.UserRole) == rule_id)

    def checked(self) -> tuple[str, ...]:
        items = (self.list.item(i) for i in range(self.list.count()))
        return tuple(
            str(i.data(Qt.ItemDataRole.UserRole)) for i in items if i.checkState() == Qt.CheckState.Checked
        )

    def _warn(self) -> None:
        chosen = self.checked()
        self.warning.setVisible(bool(chosen))
        self.warning.setText(
            f"Unlocked: {', '.join(chosen)}. Such actions will ASK you (Allow or Deny) instead of "
            "being refused. They never run silently: each one waits for your Allow."
        )


class SafetyGroup(SettingsGroup):
    """Fields for ``confirm_timeout``, ``ask_every_action``, ``inspect_targets``,
    ``model_wait_seconds`` and ``unlocked_rules``."""

    def __init__(self, settings: Settings, errors: dict[str, QLabel]) -> None:
        super().__init__("Safety", errors)
        s = settings
        self.confirm_timeout = SecondsSpin("confirm_timeout", s.confirm_timeout)
        self.ask_every_action = QCheckBox("Ask before every action (strict mode)")
        self.ask_every_action.setChecked(s.ask_every_action)
        self.inspect_targets = QCheckBox(
            "Look at what a click lands on and ask before risky buttons and password fields"
        )
        self.inspect_targets.setChecked(s.inspect_targets)
        self.model_wait_seconds = SecondsSpin(
            "model_wait_seconds", s.model_wait_seconds, special="do not wait"
        )
        self.unlocked_rules = RuleList(s.unlocked_rules)
        self.row("Confirmation timeout", self.confirm_timeout, "confirm_timeout")
        self.row("", self.ask_every_action, "ask_every_action")
        self.row("", self.inspect_targets, "inspect_targets")
        self.row("Wait for the model server", self.model_wait_seconds, "model_wait_seconds", MODEL_WAIT_NOTE)
        self.row("Unlocked rules", self.unlocked_rules, "unlocked_rules")

    def values(self) -> dict[str, Any]:
        return {
            "confirm_timeout": self.confirm_timeout.seconds(),
            "ask_every_action": self.ask_every_action.isChecked(),
            "inspect_targets": self.inspect_targets.isChecked(),
            "model_wait_seconds": self.model_wait_seconds.seconds(),
            "unlocked_rules": self.unlocked_rules.checked(),
        }
