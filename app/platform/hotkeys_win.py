"""Windows global hotkeys: ``RegisterHotKey`` on a thread that runs its own message loop.

Hotkeys registered with a NULL window belong to the registering thread and arrive as
``WM_HOTKEY`` in its queue, so registration, the ``GetMessage`` loop and unregistration all
happen on one thread; ``stop`` posts ``WM_QUIT`` to it.  Not exercised by the test suite
here (it runs on X11).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Mapping

from deskhand.app.platform.chords import Chord, OnHotkey

log = logging.getLogger(__name__)

MOD_ALT, MOD_CONTROL, MOD_SHIFT, MOD_WIN, MOD_NOREPEAT = 0x1, 0x2, 0x4, 0x8, 0x4000
WM_HOTKEY, WM_QUIT = 0x0312, 0x0012
MODIFIERS = {"alt": MOD_ALT, "ctrl": MOD_CONTROL, "shift": MOD_SHIFT, "super": MOD_WIN}
VIRTUAL_KEYS = {
    "space": 0x20, "escape": 0x1B, "enter": 0x0D, "tab": 0x09, "backspace": 0x08, "delete": 0x2E,
    "insert": 0x2D, "home": 0x24, "end": 0x23, "pageup": 0x21, "pagedown": 0x22, "left": 0x25,
    "up": 0x26, "right": 0x27, "down": 0x28, "printscreen": 0x2C, "menu": 0x5D, "capslock": 0x14,
    "pause": 0x13,
}  # fmt: skip


def virtual_key(key: str) -> int | None:
    if key in VIRTUAL_KEYS:
        return VIRTUAL_KEYS[key]
    if len(key) == 1 and key.isalnum():
        return ord(key.upper())
    if key.startswith("f") and key[1:].isdigit():
        return 0x70 + int(key[1:]) - 1
    return None


class WindowsHotkeys:  # pragma: no cover - Windows only
    def __init__(self) -> None:
        self._thread: threading.Thread | None = None
        self._thread_id = 0

    def start(self, chords: Mapping[str, Chord], on_hotkey: OnHotkey) -> list[str]:
        problems: queue.Queue[list[str]] = queue.Queue()
        self._thread = threading.Thread(
            target=self._run, args=(dict(chords), on_hotkey, problems), name="deskhand-hotkeys", daemon=True
        )
        self._thread.start()
        return problems.get(timeout=5)

    def _run(self, chords: dict[str, Chord], on_hotkey: OnHotkey, problems: queue.Queue[list[str]]) -> None:
        import ctypes
        from ctypes import wintypes

        user32 = ctypes.windll.user32  # type: ignore[attr-defined]
        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        self._thread_id = kernel32.GetCurrentThreadId()
        names: dict[int, str] = {}
        found: list[str] = []
        for number, (name, chord) in enumerate(chords.items(), start=1):
            vk = virtual_key(chord.key)
            mods = MOD_NOREPEAT
            for modifier in chord.modifiers:
                mods |= MODIFIERS[modifier]
            if vk is None or not user32.RegisterHotKey(None, number, mods, vk):
                found.append(f"The hotkey {chord} could not be registered (taken by another program?).")
                continue
            names[number] = name
        problems.put(found)
        msg = wintypes.MSG()
        try:
            while user32.GetMessageW(ctypes.byref(msg), None, 0, 0) > 0:
                if msg.message == WM_HOTKEY and msg.wParam in names:
                    try:
                        on_hotkey(names[msg.wParam])
                    except Exception:  # a thread boundary: keep listening
                        log.exception("hotkey handler failed")
        finally:
            for number in names:
                user32.UnregisterHotKey(None, number)

    def stop(self) -> None:
        if self._thread is not None and self._thread_id:
            import ctypes

            ctypes.windll.user32.PostThreadMessageW(self._thread_id, WM_QUIT, 0, 0)  # type: ignore[attr-defined]
            self._thread.join(timeout=2)
        self._thread = None
