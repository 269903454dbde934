"""Our canonical key names (``deskhand.core.actions``) in the input layer's vocabulary.

The parser already normalised every key to one of ``MODIFIER_KEYS``, ``NAMED_KEYS`` or a
single unshifted printable character, so this is a plain table, not a second parser.  The
few names pyautogui spells differently -- and ``super``, which is the Command key on macOS
and the Windows key elsewhere -- are the only entries that are not the identity.
"""

from __future__ import annotations

import sys

from deskhand.core.key_names import MODIFIER_KEYS, NAMED_KEYS

__all__ = ["MODIFIER_KEYS", "X11_KEYSYMS", "pyautogui_key", "x11_keysym"]

_SUPER = "command" if sys.platform == "darwin" else "win"

# Canonical name -> pyautogui name, where they differ.
_PYAUTOGUI_RENAMES = {"super": _SUPER, "menu": "apps"}

# Canonical name -> X11 keysym name (for XTest, ``xdotool key`` and keymap checks).
X11_KEYSYMS: dict[str, str] = {
    "ctrl": "Control_L", "alt": "Alt_L", "shift": "Shift_L", "super": "Super_L",
    "enter": "Return", "tab": "Tab", "space": "space", "backspace": "BackSpace",
    "delete": "Delete", "escape": "Escape", "insert": "Insert", "home": "Home", "end": "End",
    "pageup": "Prior", "pagedown": "Next", "up": "Up", "down": "Down", "left": "Left",
    "right": "Right", "capslock": "Caps_Lock", "printscreen": "Print", "menu": "Menu",
    **{f"f{n}": f"F{n}" for n in range(1, 25)},
    "`": "grave", "-": "minus", "=": "equal", "[": "bracketleft", "]": "bracketright",
    "\\": "backslash", ";": "semicolon", "'": "apostrophe", ",": "comma", ".": "period",
    "/": "slash",
}  # fmt: skip


def pyautogui_key(key: str) -> str:
    """The pyautogui name of canonical ``key``; raises ValueError for a non-canonical one."""
    if key in _PYAUTOGUI_RENAMES:
        return _PYAUTOGUI_RENAMES[key]
    if key in MODIFIER_KEYS or key in NAMED_KEYS:
        return key
    if len(key) == 1 and key.isprintable() and not key.isupper():
        return key
    raise ValueError(f"{key!r} is not a canonical key name (see deskhand.core.actions)")


def x11_keysym(key: str) -> str:
    """The X11 keysym name of canonical ``key`` (letters and digits are their own name)."""
    if key in X11_KEYSYMS:
        return X11_KEYSYMS[key]
    if len(key) == 1 and key.isalnum() and key.isascii():
        return key
    raise ValueError(f"{key!r} is not a canonical key name (see deskhand.core.actions)")
