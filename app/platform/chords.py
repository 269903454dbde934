"""Hotkey chords as the settings file writes them (``Ctrl+Alt+Space``), without Qt.

``deskhand teach`` needs the stop chord in a terminal, where Qt's GUI libraries may not
load; the tray's global hotkeys (``app.hotkeys``) use the same parser.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from deskhand.core.errors import UsageError
from deskhand.core.key_names import MODIFIER_KEYS, canonical_key

__all__ = ["EXTRA_KEYS", "Chord", "OnHotkey", "parse_chord"]

EXTRA_KEYS = {"pause", *(f"f{n}" for n in range(25, 36))}  # Qt can name them; the model cannot


def _key(name: str) -> str:
    low = name.strip().lower()
    return low if low in EXTRA_KEYS else canonical_key(name)


@dataclass(frozen=True, slots=True)
class Chord:
    modifiers: frozenset[str]
    key: str

    def __str__(self) -> str:
        order = [m for m in ("ctrl", "alt", "shift", "super") if m in self.modifiers]
        return "+".join([*order, self.key])


def parse_chord(text: str) -> Chord:
    """``"Ctrl+Alt+Space"`` → Chord({"ctrl", "alt"}, "space"); UsageError if it is not one.

    Accepts the settings file's Qt spelling (Ctrl, Alt, Shift, Meta, Esc, Del, PgUp, F1…).
    """
    try:
        keys = [_key(part) for part in text.split("+") if part.strip()]
    except ValueError as exc:
        raise UsageError(f"The hotkey {text!r} is not valid ({exc}). Write it like ctrl+alt+space.") from exc
    modifiers = [k for k in keys if k in MODIFIER_KEYS]
    others = [k for k in keys if k not in MODIFIER_KEYS]
    if len(others) != 1 or not modifiers:
        raise UsageError(
            f"The hotkey {text!r} needs at least one modifier and exactly one other key, like ctrl+alt+space."
        )
    return Chord(frozenset(modifiers), others[0])


OnHotkey = Callable[[str], None]
