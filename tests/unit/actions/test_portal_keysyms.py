"""Keys and characters as the RemoteDesktop portal's keysyms."""

from __future__ import annotations

import sys

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="python-xlib's keysym table")


def test_keysyms() -> None:
    from deskhand.actions._portal import char_keysym, key_keysym

    assert [char_keysym(c) for c in "a~é€"] == [0x61, 0x7E, 0xE9, 0x010020AC]
    assert [key_keysym(k) for k in ("enter", "ctrl", "win", "insert", "f5", "a")] == [
        0xFF0D, 0xFFE3, 0xFFEB, 0xFF63, 0xFFC2, 0x61,
    ]  # fmt: skip
