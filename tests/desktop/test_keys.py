"""Every canonical key name has a pyautogui name, and a key missing from the map fails cleanly."""

from __future__ import annotations

import string

import pytest

from deskhand.actions import _x11
from deskhand.actions.gui import GuiExecutor, input_status
from deskhand.actions.keys import pyautogui_key, x11_keysym
from deskhand.core.actions import Hotkey
from deskhand.core.errors import ExecutionFailed
from deskhand.core.key_names import MODIFIER_KEYS, NAMED_KEYS, canonical_key
from tests.desktop.conftest import approved, held_modifiers_and_buttons, never

pytestmark = pytest.mark.desktop

CANONICAL = sorted(MODIFIER_KEYS | NAMED_KEYS | set(string.ascii_lowercase + string.digits + "`-=[]\\;',./"))


@pytest.mark.parametrize("key", CANONICAL)
def test_canonical_keys_have_input_names(key: str):
    import pyautogui

    assert canonical_key(key) == key
    assert pyautogui_key(key) in pyautogui.KEY_NAMES
    assert x11_keysym(key)


def test_non_canonical_names_are_a_bug():
    with pytest.raises(ValueError, match="canonical"):
        pyautogui_key("Ctrl")


def test_keymap_safe_characters_on_the_default_map():
    assert set(map(chr, range(32, 127))) - _x11.keymap_safe_chars() == {"<"}


def test_key_missing_from_the_keyboard_map_fails_and_releases(start_probe, gui: GuiExecutor):
    start_probe()
    with pytest.raises(ExecutionFailed, match="no such key"):
        gui.execute(approved(Hotkey(keys=("ctrl", "f13"))), should_stop=never)
    assert held_modifiers_and_buttons() == ([], 0)


def test_input_status_for_doctor():
    status = input_status()
    assert status.startswith("pyautogui ") and "screen 1920x1080" in status
    assert "paste (X selection, Shift+Insert) for non-ASCII and <" in status
