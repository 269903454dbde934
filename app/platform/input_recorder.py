"""The user's real input on an X11 desktop, as it happens: the RECORD extension.

Why RECORD and not a grab or XInput2 on our own windows: it sees every key and button
event the server takes from any device (a keyboard, a mouse, or XTest, which is what
``xdotool`` and tests inject), in order, without taking them away from the application
the user is working in.  One connection creates the recording context and later disables
it; a second one is handed to the server for the data (it blocks in
``record_enable_context`` on its own thread until disabled).

Keycodes become text here, with our own copy of the keyboard map.  The map can change
while we record -- ``xdotool type`` binds a spare keycode to each character it lacks,
presses it, and binds it back -- so the ``ChangeKeyboardMapping`` requests of all
clients are recorded in the same stream and applied in order: each key press is read
with the map that was in force when the server took it.  Keysyms become text through
libxkbcommon (``xkb_keysym_to_utf32``: every keysym, exactly); without the library,
Latin-1 and Unicode keysyms still convert.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import struct
import threading
from collections.abc import Callable
from typing import Any

from Xlib import XK, X, display
from Xlib.error import DisplayError
from Xlib.ext import record
from Xlib.protocol import rq

from deskhand.core.demonstration import Keystroke, PointerButton
from deskhand.core.errors import SetupError
from deskhand.core.key_names import canonical_key

__all__ = ["InputRecorder", "OnInput", "keysym_text"]

log = logging.getLogger(__name__)

OnInput = Callable[[Keystroke | PointerButton[Any]], None]
_CHANGE_KEYBOARD_MAPPING = 100  # the core request that rebinds keycodes
START_TIMEOUT_S = 5.0
DRAIN_TIMEOUT_S = 15.0  # a click's lookup (OCR) may take seconds on a busy machine
_MODIFIER_NAMES = {
    "ctrl": ("Control_L", "Control_R"),
    "alt": ("Alt_L", "Alt_R", "Meta_L", "Meta_R"),
    "super": ("Super_L", "Super_R", "Hyper_L", "Hyper_R"),
    "level3": ("ISO_Level3_Shift", "Mode_switch"),
}
_MODIFIER_KEYSYMS = frozenset(
    XK.string_to_keysym(n)
    for n in ("Shift_L", "Shift_R", "Caps_Lock", "Shift_Lock", "Num_Lock", "ISO_Level5_Shift",
              *(name for names in _MODIFIER_NAMES.values() for name in names))
)  # fmt: skip


def _load_xkbcommon() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("xkbcommon") or "libxkbcommon.so.0"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    to_utf32 = lib.xkb_keysym_to_utf32
    to_utf32.argtypes, to_utf32.restype = [ctypes.c_uint32], ctypes.c_uint32
    return lambda keysym: int(to_utf32(keysym))


_TO_UTF32 = _load_xkbcommon()


def keysym_text(keysym: int) -> str:
    """The character a keysym types ("" for none: modifiers, arrows, function keys)."""
    if _TO_UTF32 is not None:
        code = _TO_UTF32(keysym)
    elif 0x20 <= keysym <= 0x7E or 0xA0 <= keysym <= 0xFF:
        code = keysym  # Latin-1 keysyms are their code points
    elif 0x01000100 <= keysym <= 0x0110FFFF:
        code = keysym - 0x01000000  # Unicode keysyms
    else:
        code = 0
    text = chr(code) if 0 < code <= 0x10FFFF else ""
    return text if text.isprintable() else ""


def _keysym_names() -> dict[int, str]:
    """Keysym -> its name (python-xlib only maps names to keysyms); the first name wins
    (``Prior`` before ``Page_Up``: ``canonical_key`` knows both)."""
    names: dict[int, str] = {}
    for attr in dir(XK):
        if attr.startswith("XK_"):
            names.setdefault(int(getattr(XK, attr)), attr[3:])
    return names


_NAMES = _keysym_names()


def key_name(keysym: int) -> str | None:
    """Our name of a key (``canonical_key``): "s", "enter", "f5"; None if it has none."""
    if keysym == 0 or keysym in _MODIFIER_KEYSYMS:
        return None
    text = keysym_text(keysym)
    name = text.lower() if text.isascii() and text.strip() else _NAMES.get(keysym, "")
    if not name:
        return None
    try:
        return canonical_key(name.removeprefix("KP_"))
    except ValueError:
        return None


class _Keymap:
    """The core keyboard map, kept current from the recorded ChangeKeyboardMapping requests."""

    def __init__(self, dpy: display.Display) -> None:
        first = dpy.display.info.min_keycode
        count = dpy.display.info.max_keycode - first + 1
        self.keysyms: dict[int, list[int]] = {
            first + i: list(row) for i, row in enumerate(dpy.get_keyboard_mapping(first, count))
        }
        self.masks: dict[str, int] = {"shift": X.ShiftMask}
        codes = {
            kind: {dpy.keysym_to_keycode(XK.string_to_keysym(n)) for n in names} - {0}
            for kind, names in _MODIFIER_NAMES.items()
        }
        for index, keycodes in enumerate(dpy.get_modifier_mapping()):
            for kind, wanted in codes.items():
                if wanted & set(keycodes):
                    self.masks.setdefault(kind, 1 << index)
        self.masks.setdefault("ctrl", X.ControlMask)
        self.masks.setdefault("alt", X.Mod1Mask)
        self.masks.setdefault("super", X.Mod4Mask)

    def apply_request(self, data: bytes, swapped: bool) -> None:
        """Apply a recorded ChangeKeyboardMapping request (its raw bytes)."""
        if len(data) < 8 or data[0] != _CHANGE_KEYBOARD_MAPPING:
            return
        count, first, per = data[1], data[4], data[5]
        little = (struct.pack("=H", 1) == b"\x01\x00") != swapped  # the sending client's byte order
        order = "<" if little else ">"
        values = struct.unpack(f"{order}{count * per}I", data[8 : 8 + 4 * count * per])
        for i in range(count):
            self.keysyms[first + i] = list(values[i * per : (i + 1) * per])

    def keysym(self, keycode: int, state: int) -> tuple[int, int]:
        """(the keysym typed with ``state``, the key's unshifted keysym)."""
        row = self.keysyms.get(keycode, [])
        syms = list(row) + [0] * max(0, 6 - len(row))
        base = syms[0]
        group = 4 if state & self.masks.get("level3", 0) and (syms[4] or syms[5]) else 0
        lower, upper = syms[group], syms[group + 1]
        if not upper:  # one symbol for both levels: a letter's upper case comes from its lower
            capital = chr(lower).upper() if lower and lower < 0x100 else ""
            upper = ord(capital) if len(capital) == 1 and capital != chr(lower) else lower
        shifted = bool(state & X.ShiftMask)
        if state & X.LockMask and lower < 0x100 and chr(lower).isalpha():
            shifted = not shifted
        return (upper if shifted else lower), base

    def modifiers(self, state: int) -> frozenset[str]:
        return frozenset(k for k in ("ctrl", "alt", "shift", "super") if state & self.masks[k])


class InputRecorder:
    """Records key presses and button presses/releases until ``stop``; calls ``on_input``
    (on the recording thread) with each one, in the order the server took them."""

    def __init__(self, on_input: OnInput) -> None:
        self.on_input = on_input
        self._ctrl: display.Display | None = None
        self._data: display.Display | None = None
        self._context = 0
        self._thread: threading.Thread | None = None
        self._keymap: _Keymap | None = None
        self.failure: BaseException | None = None  # what ended the recording thread, if not stop
        self._recording = threading.Event()  # the server has started sending: nothing is missed now

    def start(self) -> None:
        if not os.environ.get("DISPLAY"):
            raise SetupError(
                "Tried to record your input, but this is not an X11 session (DISPLAY is not set). "
                "Teaching works on X11 desktops; on Wayland log in to an X11 session."
            )
        try:
            self._ctrl, self._data = display.Display(), display.Display()
        except DisplayError as exc:
            raise SetupError(
                f"Tried to record your input, but the X display cannot be opened ({exc})."
            ) from exc
        if not self._ctrl.has_extension("RECORD"):
            self.close()
            raise SetupError(
                "Tried to record your input, but the X server has no RECORD extension. "
                "Enable it (Xorg loads it by default; Xvfb has it) and try again."
            )
        self._keymap = _Keymap(self._ctrl)
        self._context = self._ctrl.record_create_context(
            0,
            [record.AllClients],
            [{"core_requests": (_CHANGE_KEYBOARD_MAPPING, _CHANGE_KEYBOARD_MAPPING), "core_replies": (0, 0),
              "ext_requests": (0, 0, 0, 0), "ext_replies": (0, 0, 0, 0), "delivered_events": (0, 0),
              "device_events": (X.KeyPress, X.ButtonRelease), "errors": (0, 0),
              "client_started": False, "client_died": False}],
        )  # fmt: skip
        self._ctrl.sync()  # the context must exist before the other connection enables it
        self._thread = threading.Thread(target=self._run, name="deskhand-teach-record", daemon=True)
        self._thread.start()
        # Return only once the server records: "Recording…" must not be said too early.
        if not self._recording.wait(START_TIMEOUT_S) and self.failure is None:
            log.warning("the X server did not confirm the recording within %.0f s", START_TIMEOUT_S)

    def _run(self) -> None:
        assert self._data is not None  # noqa: S101 - set by start() before the thread runs
        try:
            self._data.record_enable_context(self._context, self._received)
        except Exception as exc:  # a thread boundary: the session reads ``failure``
            log.exception("recording input failed")
            self.failure = exc
            self._recording.set()

    def _received(self, reply: Any) -> None:
        keymap = self._keymap
        assert keymap is not None  # noqa: S101 - set by start()
        if reply.category == record.StartOfData:
            self._recording.set()
            return
        if reply.category == record.FromClient:
            keymap.apply_request(bytes(reply.data), bool(reply.client_swapped))
            return
        if reply.category != record.FromServer:
            return
        data = bytes(reply.data)
        while len(data) >= 32:
            event, data = rq.EventField(None).parse_binary_value(data, self._data.display, None, None)  # type: ignore[union-attr]
            try:
                self._deliver(event, keymap)
            except Exception:  # one event must not end the recording; it is logged
                log.exception("could not read a recorded input event")

    def _deliver(self, event: Any, keymap: _Keymap) -> None:
        kind = event.type & 0x7F
        time_ms = int(event.time)
        if kind == X.KeyPress:
            keysym, base = keymap.keysym(event.detail, event.state)
            stroke = Keystroke(key_name(base), keysym_text(keysym), keymap.modifiers(event.state), time_ms)
            self.on_input(stroke)
        elif kind in (X.ButtonPress, X.ButtonRelease):
            pressed = kind == X.ButtonPress
            self.on_input(PointerButton(event.detail, pressed, event.root_x, event.root_y, time_ms))

    def stop(self) -> None:
        """Disable the recording and wait for its thread; safe to call twice."""
        if self._ctrl is not None and self._thread is not None:
            try:
                self._ctrl.record_disable_context(self._context)
                self._ctrl.sync()
            except Exception as exc:  # the server went away: the thread ends on its own
                log.info("could not disable the recording: %s", exc)
            self._thread.join(timeout=DRAIN_TIMEOUT_S)  # a lookup still running finishes first
            self._thread = None
            try:
                self._ctrl.record_free_context(self._context)
                self._ctrl.sync()
            except Exception as exc:
                log.info("could not free the recording context: %s", exc)
        self.close()

    def close(self) -> None:
        for dpy in (self._data, self._ctrl):
            if dpy is not None:
                try:
                    dpy.close()
                except Exception as exc:
                    log.debug("closing a display connection: %s", exc)
        self._data = self._ctrl = None
