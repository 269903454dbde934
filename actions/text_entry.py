"""Typing text exactly as given, into whatever has keyboard focus.

The strategy, per line of the text (each ``\\n`` -- or ``\\r\\n`` / ``\\r`` -- is an Enter
key press, so terminals run commands and editors break lines the way a person would):

* **Keys** for short plain ASCII that the live keyboard map types correctly (see
  ``_x11.keymap_safe_chars``; on the default map only ``<`` is excluded) and while Caps
  Lock is off.  Real key events suit search boxes, autocompletion and terminals.
* **Paste** for everything else -- non-ASCII, tabs (a Tab key would move focus), characters
  the layout mistypes, and long lines (keys cost ~0.6 ms a character here, a paste of any
  length ~3-6 ms).  On X11 the chord is Shift+Insert, which Qt, GTK and xterm all bind to
  paste (checked here; Ctrl+V is a control character in a terminal, and xterm pastes
  PRIMARY, which we fill too); ``_clipboard`` explains why we wait for the app to fetch the
  text before sending anything else.  ``xdotool type`` is not used: it loses non-ASCII
  characters at random under Xvfb.

Off X11 the layout cannot be inspected: Windows (pyautogui resolves keys through the active
layout) keys only letters, digits and space; macOS (pyautogui assumes a US layout) pastes
everything.  Both are untested here.

The user's previous clipboard content is not restored.
"""

from __future__ import annotations

import string
import sys

from deskhand.actions._backend import Input
from deskhand.actions._clipboard import Clipboard, platform_clipboard
from deskhand.core.errors import Stopped
from deskhand.core.ports import ShouldStop
from deskhand.core.typed_line import NEWLINE  # the policy judges the lines these Enters send

__all__ = ["TextTyper"]

# Keyable without inspecting the layout (see the module docstring).
_WINDOWS_SAFE = frozenset(string.ascii_letters + string.digits + " ")
_MACOS_SAFE: frozenset[str] = frozenset()


def _paste_chord() -> tuple[str, ...]:
    if sys.platform == "darwin":
        return ("command", "v")
    if sys.platform == "win32":
        return ("ctrl", "v")
    return ("shift", "insert")


class TextTyper:
    """Types text with keys or a paste, line by line, stopping between chunks."""

    def __init__(
        self,
        device: Input,
        clipboard: Clipboard | None = None,
        *,
        max_keyed_chars: int = 200,
        chunk_chars: int = 32,
        paste_timeout: float = 1.5,
    ) -> None:
        self.device = device
        self._clipboard = clipboard
        self.max_keyed_chars = max_keyed_chars
        self.chunk_chars = chunk_chars
        self.paste_timeout = paste_timeout

    @property
    def clipboard(self) -> Clipboard:
        if self._clipboard is None:
            self._clipboard = platform_clipboard()
        return self._clipboard

    def close(self) -> None:
        """Stop serving the clipboard (on X11 a thread and a display connection)."""
        if self._clipboard is not None:
            self._clipboard.close()

    def type(self, text: str, should_stop: ShouldStop) -> str:
        """Type ``text``; returns feedback for the model ("" when all went as expected)."""
        lines = NEWLINE.split(text)
        unaccepted = 0
        for number, line in enumerate(lines):
            if line:
                if self._keyable(line):
                    self._key_in(line, should_stop)
                elif not self._paste(line):
                    unaccepted += 1
            if number < len(lines) - 1:
                _check(should_stop)
                self._tap("enter")
        if unaccepted:
            return (
                "The text was pasted, but no window fetched it from the clipboard within "
                f"{self.paste_timeout:g} s; probably nothing that accepts text had keyboard focus."
            )
        return ""

    def _keyable(self, line: str) -> bool:
        if len(line) > self.max_keyed_chars:
            return False
        if sys.platform.startswith("linux"):
            from deskhand.actions import _x11

            safe = _x11.keymap_safe_chars()
            if any(c.isalpha() for c in line) and _x11.caps_lock_on():
                return False
        else:
            safe = _WINDOWS_SAFE if sys.platform == "win32" else _MACOS_SAFE
        return all(c in safe for c in line)

    def _key_in(self, line: str, should_stop: ShouldStop) -> None:
        for start in range(0, len(line), self.chunk_chars):
            _check(should_stop)
            self.device.write(line[start : start + self.chunk_chars])

    def _paste(self, line: str) -> bool:
        self.clipboard.offer(line)
        chord = _paste_chord()
        pressed: list[str] = []
        try:
            for key in chord:
                pressed.append(key)  # before the press: a press that fails halfway is released too
                self.device.key_down(key)
        finally:
            for key in reversed(pressed):
                self.device.key_up(key)
        return self.clipboard.wait_taken(self.paste_timeout)

    def _tap(self, key: str) -> None:
        try:
            self.device.key_down(key)
        finally:
            self.device.key_up(key)


def _check(should_stop: ShouldStop) -> None:
    if should_stop():
        raise Stopped()
