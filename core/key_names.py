"""Key names: the one spelling of each key that actions, executors and recorders share.

Models write keys every which way ("Ctrl", "Return", "cmd", "PgDn"); a hotkey keeps only
our names, so the executors (``deskhand.actions.keys``), the demonstration recorder and
the typed-line tracker (``deskhand.core.typed_line``) each match one spelling.  Kept apart
from ``deskhand.core.actions`` (whose ``Hotkey`` holds ``Keys``): most users of the names
never build an action.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

__all__ = ["MODIFIER_KEYS", "NAMED_KEYS", "Keys", "canonical_key"]

MODIFIER_KEYS = frozenset({"ctrl", "alt", "shift", "super"})
NAMED_KEYS = frozenset(
    {
        "enter", "tab", "space", "backspace", "delete", "escape", "insert",
        "home", "end", "pageup", "pagedown", "up", "down", "left", "right",
        "capslock", "printscreen", "menu",
        *(f"f{n}" for n in range(1, 25)),
    }
)  # fmt: skip
_KEY_ALIASES = {
    "control": "ctrl", "ctl": "ctrl", "lctrl": "ctrl", "rctrl": "ctrl",
    "cmd": "super", "command": "super", "win": "super", "windows": "super", "meta": "super",
    "option": "alt", "opt": "alt", "altgr": "alt",
    "return": "enter", "esc": "escape", "del": "delete", "bksp": "backspace",
    "back_space": "backspace", "page_up": "pageup", "page_down": "pagedown", "pgup": "pageup",
    "pgdn": "pagedown", "pgdown": "pagedown", "prior": "pageup", "next": "pagedown", "spacebar": "space",
    "arrowup": "up", "arrowdown": "down", "arrowleft": "left", "arrowright": "right",
    "uparrow": "up", "downarrow": "down", "leftarrow": "left", "rightarrow": "right",
    "print": "printscreen", "prtsc": "printscreen", "ins": "insert",
}  # fmt: skip
_PRINTABLE_KEY = re.compile(r"^[a-z0-9`\-=\[\]\\;',./]$")


def canonical_key(name: str) -> str:
    """Normalise a key name as models write it ("Ctrl", "Return", "cmd") to ours."""
    key = name.strip().lower().replace(" ", "")
    if len(name.strip()) == 1:
        key = name.strip().lower()
    key = _KEY_ALIASES.get(key, key)
    if key in MODIFIER_KEYS or key in NAMED_KEYS or _PRINTABLE_KEY.match(key):
        return key
    raise ValueError(f"unknown key name {name!r}")


def _canonical_keys(keys: tuple[str, ...]) -> tuple[str, ...]:
    if not keys:
        raise ValueError("a hotkey needs at least one key")
    return tuple(canonical_key(k) for k in keys)


# Keys pressed together, each in our spelling (a pydantic field type: validates and normalises).
Keys = Annotated[tuple[str, ...], AfterValidator(_canonical_keys)]
