"""Building blocks of the Settings window: a group box with a form, and fields that can only
offer what ``Settings`` accepts.

Why ranges and choices are read from the model (``bounds``, ``choice``): the window must
never offer a value that ``load_settings`` would refuse, nor hide one it accepts; reading
them from ``Settings`` keeps the two from drifting apart.  Everything a field *can* get
wrong (a hotkey, a number typed as text) is still judged by ``Settings`` on Save.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from typing import Any

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QKeySequenceEdit,
    QLabel,
    QLayout,
    QWidget,
)

from deskhand.app.store.config import Settings
from deskhand.app.windows.model_widgets import error_label

__all__ = [
    "SecondsSpin",
    "SettingsGroup",
    "bounds",
    "choice",
    "hint",
    "key_edit",
    "key_text",
]


def bounds(name: str) -> tuple[float, float]:
    """The inclusive range ``Settings`` allows for the number field ``name``."""
    low = high = None
    for rule in Settings.model_fields[name].metadata:
        low = getattr(rule, "ge", low)
        high = getattr(rule, "le", high)
    if low is None or high is None:
        raise ValueError(f"Settings.{name} has no inclusive range to offer in a spin box")
    return float(low), float(high)


def choice(name: str, labels: Mapping[str, str], current: str) -> QComboBox:
    """A combo box with exactly the values ``Settings.name`` allows (its ``Literal``)."""
    combo = QComboBox()
    for value in typing.get_args(Settings.model_fields[name].annotation):
        combo.addItem(labels.get(value, value), value)
    combo.setCurrentIndex(combo.findData(current))
    # Long labels show in full in the popup; they must not make the whole window wider.
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(24)
    return combo


def key_edit(chord: str) -> QKeySequenceEdit:
    """The hotkey editor: one chord, recorded by pressing it, with a clear button."""
    edit = QKeySequenceEdit(QKeySequence(chord))
    edit.setMaximumSequenceLength(1)
    edit.setClearButtonEnabled(True)
    return edit


def key_text(edit: QKeySequenceEdit) -> str:
    """The chord in Qt's portable spelling, the one ``Settings`` stores."""
    return edit.keySequence().toString(QKeySequence.SequenceFormat.PortableText)


def hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: #5f6368;")
    return label


class SecondsSpin(QDoubleSpinBox):
    """Seconds in the range ``Settings`` allows for ``name``.

    A finer value from a hand-edited file (7.25 s in a whole-second box) is kept until the
    user changes the box, so opening the window and saving never rounds it away.
    """

    def __init__(self, name: str, value: float, *, decimals: int = 0, special: str = "") -> None:
        super().__init__()
        self.setDecimals(decimals)
        self.setRange(*bounds(name))
        self.setSingleStep(1.0 if decimals == 0 else 0.5)
        self.setSuffix(" s")
        if special:
            self.setSpecialValueText(special)
        self.setValue(value)
        self._original, self._shown = value, self.value()

    def seconds(self) -> float:
        return self._original if self.value() == self._shown else self.value()


class SettingsGroup(QGroupBox):
    """One titled group of the window: a form whose rows each get an error label below.

    The labels go into the window's shared ``errors`` (field name -> label), so a refusal
    from ``Settings`` lands under the field it is about.
    """

    def __init__(self, title: str, errors: dict[str, QLabel]) -> None:
        super().__init__(title)
        self.form = QFormLayout(self)
        self._errors = errors

    def row(self, label: str, field: QWidget | QLayout, key: str = "", note: str = "") -> None:
        self.form.addRow(label, field)
        if note:
            self.form.addRow("", hint(note))
        if key:
            self._errors[key] = error_label()
            self.form.addRow("", self._errors[key])

    def values(self) -> dict[str, Any]:
        """What this group's fields say, as raw values for ``Settings`` to judge."""
        raise NotImplementedError

    def problems(self) -> dict[str, str]:
        """Refusals of this group's own, beyond ``Settings`` (field name -> one line)."""
        return {}
