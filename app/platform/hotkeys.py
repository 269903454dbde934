"""Global hotkeys: open the command bar and stop a task from any application.

A chord is written as in the settings file, ``Ctrl+Alt+Space`` (Qt's spelling; case and
the model's key names, ``core.key_names.canonical_key``, work too).  Each platform has a backend that
listens on its own thread and calls back with the chord's name; ``GlobalHotkeys`` turns
that into a Qt signal, so handlers run on the GUI thread.

* X11: ``XGrabKey`` on the root window (``hotkeys_x11``), for every combination of the
  Caps Lock and Num Lock modifiers, which would otherwise make the chord dead while a
  lock is on.
* Windows: ``RegisterHotKey`` with a message loop on the listening thread (``hotkeys_win``).
* macOS: not implemented -- it needs an event tap and the Accessibility permission; the
  tray menu works instead.  Wayland sessions likewise offer no global grab to clients (the
  GlobalShortcuts portal, xdg-desktop-portal 1.17+, is not used yet: 1.16 here lacks it).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from typing import Protocol

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QKeySequence

from deskhand.app.platform.chords import Chord, OnHotkey, parse_chord

__all__ = [
    "Chord",
    "GlobalHotkeys",
    "HotkeyBackend",
    "OnHotkey",
    "UnsupportedHotkeys",
    "default_backend",
    "parse_chord",
    "shortcut_label",
]

log = logging.getLogger(__name__)


def shortcut_label(text: str) -> str:
    """A hotkey as every window and menu shows it: Qt's own spelling, e.g. "Ctrl+Alt+Space".

    The Settings window's key editors show this spelling, so the tray menu and messages use
    it too; a chord Qt cannot name (``super+…``) is capitalised part by part."""
    sequence = QKeySequence.fromString(text, QKeySequence.SequenceFormat.PortableText)
    shown = sequence.toString(QKeySequence.SequenceFormat.NativeText)
    return shown or "+".join(part.strip().capitalize() for part in text.split("+") if part.strip())


class HotkeyBackend(Protocol):
    def start(self, chords: Mapping[str, Chord], on_hotkey: OnHotkey) -> list[str]:
        """Register the chords; return one problem sentence per chord that failed."""
        ...

    def stop(self) -> None: ...


class UnsupportedHotkeys:
    """Where no global grab exists: say so once, and let the tray menu do the work."""

    def __init__(self, why: str) -> None:
        self.why = why

    def start(self, chords: Mapping[str, Chord], on_hotkey: OnHotkey) -> list[str]:
        return [f"Global hotkeys are not available: {self.why}. Use the tray menu instead."] if chords else []

    def stop(self) -> None:
        return None


def default_backend() -> HotkeyBackend:
    if sys.platform == "win32":
        from deskhand.app.platform.hotkeys_win import WindowsHotkeys

        return WindowsHotkeys()
    if sys.platform == "darwin":
        return UnsupportedHotkeys("macOS needs an event tap with the Accessibility permission (not yet)")
    if not os.environ.get("DISPLAY"):
        return UnsupportedHotkeys("this is not an X11 session (Wayland does not let apps grab keys)")
    if os.environ.get("WAYLAND_DISPLAY") and os.environ.get("DESKHAND_DISPLAY", "").lower() != "x11":
        # XWayland's DISPLAY is set too, but a grab there sees keys only while an X11 app has focus.
        return UnsupportedHotkeys(
            "this is a Wayland session: apps cannot grab keys, and xdg-desktop-portal before 1.17 "
            "has no GlobalShortcuts portal"
        )
    from deskhand.app.platform.hotkeys_x11 import X11Hotkeys

    return X11Hotkeys()


class GlobalHotkeys(QObject):
    """Emits ``triggered(name)`` on the GUI thread when a registered chord is pressed."""

    triggered = Signal(str)

    def __init__(self, chords: Mapping[str, Chord], backend: HotkeyBackend | None = None) -> None:
        super().__init__()
        self.chords = dict(chords)
        self.backend = backend or default_backend()
        self.started = False

    def start(self) -> list[str]:
        problems = self.backend.start(self.chords, self.triggered.emit)
        self.started = True
        for problem in problems:
            log.warning("%s", problem)
        return problems

    def stop(self) -> None:
        if self.started:
            self.backend.stop()
            self.started = False
