"""X11 facts pyautogui does not give us: the keyboard map, held keys, Caps Lock.

Why the keyboard map matters: pyautogui types a character by looking up the first keycode
that carries its keysym and deciding *from a US table* whether to hold Shift.  Where the
layout disagrees the wrong character appears -- on the default map under Xvfb ``<`` comes
out as ``>``, because the first key carrying ``less`` is the ISO ``<>`` key, where Shift
gives ``>``.  Rather than hard-code such exceptions we ask the live map which printable
ASCII characters pyautogui will get right, so other layouts (German, French) are handled
the same way: the rest is pasted.
"""

from __future__ import annotations

import os
import string
import threading
from collections.abc import Iterable
from functools import cache

from Xlib import XK, X
from Xlib.display import Display
from Xlib.ext import xtest

__all__ = ["caps_lock_on", "keymap_safe_chars", "release_held_keys_and_buttons"]

_local = threading.local()

# pyautogui's rule for holding Shift (pyautogui.isShiftCharacter), kept in step with it.
_US_SHIFTED = set('~!@#$%^&*()_+{}|:"<>?')
_BUTTON_MASKS = (
    (1, X.Button1Mask), (2, X.Button2Mask), (3, X.Button3Mask),
    (4, X.Button4Mask), (5, X.Button5Mask),
)  # fmt: skip


def _display() -> Display:
    display = getattr(_local, "display", None)
    if display is None:
        display = _local.display = Display(os.environ.get("DISPLAY"))
    return display


def _keysym_of(char: str) -> int:
    if char == " ":
        return int(XK.string_to_keysym("space"))
    return int(XK.string_to_keysym(char) or XK.string_to_keysym(_ASCII_NAMES.get(char, char)))


_ASCII_NAMES = {
    "!": "exclam", '"': "quotedbl", "#": "numbersign", "$": "dollar", "%": "percent",
    "&": "ampersand", "'": "apostrophe", "(": "parenleft", ")": "parenright",
    "*": "asterisk", "+": "plus", ",": "comma", "-": "minus", ".": "period", "/": "slash",
    ":": "colon", ";": "semicolon", "<": "less", "=": "equal", ">": "greater",
    "?": "question", "@": "at", "[": "bracketleft", "\\": "backslash",
    "]": "bracketright", "^": "asciicircum", "_": "underscore", "`": "grave",
    "{": "braceleft", "|": "bar", "}": "braceright", "~": "asciitilde",
}  # fmt: skip


@cache
def keymap_safe_chars() -> frozenset[str]:
    """Printable ASCII characters pyautogui types correctly on the current keyboard map.

    A character is safe when the keycode pyautogui picks (the lowest-level key carrying
    its keysym) yields that keysym at the Shift level pyautogui's US table chooses.
    Cached: a layout switch mid-session needs a restart to be noticed.
    """
    display = _display()
    safe = set()
    for char in string.ascii_letters + string.digits + string.punctuation + " ":
        keysym = _keysym_of(char)
        keycode = display.keysym_to_keycode(keysym)
        if not keycode:
            continue
        shifted = char.isupper() or char in _US_SHIFTED
        plain = display.keycode_to_keysym(keycode, 0)
        # A key with nothing on its Shift level gives its plain keysym with Shift too.
        typed = (display.keycode_to_keysym(keycode, 1) or plain) if shifted else plain
        if typed == keysym:
            safe.add(char)
    return frozenset(safe)


def caps_lock_on() -> bool:
    """Whether Caps Lock is latched (it would flip the case of typed letters)."""
    return bool(_display().screen().root.query_pointer().mask & X.LockMask)


def release_held_keys_and_buttons(*, every_key: bool = False) -> None:
    """Release the modifier keys (with ``every_key``: all keys) and the mouse buttons the
    server reports as down.

    A task ending normally lets go of what it pressed itself and of modifiers, and leaves
    other keys alone: the user may be holding one.  After a crash nobody knows what the
    dead task held -- ``kill -9`` mid-typing leaves a letter key down, auto-repeating into
    the focused window -- so the next start releases every key (``every_key``).
    """
    display = _display()
    held = display.query_keymap()  # 32 bytes, one bit per keycode
    candidates: Iterable[int]
    if every_key:
        candidates = range(8, 256)  # X keycodes start at 8
    else:
        candidates = [code for codes in display.get_modifier_mapping() for code in codes if code]
    for keycode in candidates:
        if held[keycode // 8] & (1 << (keycode % 8)):
            xtest.fake_input(display, X.KeyRelease, keycode)
    mask = display.screen().root.query_pointer().mask
    for button, bit in _BUTTON_MASKS:
        if mask & bit:
            xtest.fake_input(display, X.ButtonRelease, button)
    display.sync()
