"""Which monitor the user is working on: the one holding the focused window."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from deskhand.core.geometry import Rect
from deskhand.vision.x11_connection import with_display

if TYPE_CHECKING:
    from Xlib.display import Display

__all__ = ["FocusedWindow", "focused_window", "focused_window_rect", "monitor_for"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FocusedWindow:
    """The focused top-level window: its id, desktop rectangle, class and title."""

    id: int
    rect: Rect
    wm_class: str  # the X11 class ("XTerm", "Mousepad"), "" if unset
    title: str


def focused_window_rect() -> Rect | None:
    """The focused top-level window's rectangle in desktop coordinates, if we can tell."""
    if sys.platform.startswith("linux"):
        window = focused_window()
        return None if window is None else window.rect
    if sys.platform == "win32":
        return _win32_focused_rect()
    return None


def focused_window() -> FocusedWindow | None:
    """The focused top-level window on X11 (``_NET_ACTIVE_WINDOW``), if we can tell."""
    try:
        from Xlib.error import XError
    except ImportError:
        return None

    def ask(dpy: Display) -> FocusedWindow | None:
        try:
            return _active_window(dpy)
        except XError as exc:
            log.debug("focus lookup failed: %s", exc)
            return None

    return with_display(ask)


def _active_window(dpy: Display) -> FocusedWindow | None:
    from Xlib import X

    root = dpy.screen().root
    active = root.get_full_property(dpy.intern_atom("_NET_ACTIVE_WINDOW"), X.AnyPropertyType)
    if active is None or not active.value or not active.value[0]:
        return None
    window = dpy.create_resource_object("window", active.value[0])
    geom = window.get_geometry()
    origin = window.translate_coords(root, 0, 0)
    wm_class = window.get_wm_class()
    title = window.get_full_property(dpy.intern_atom("_NET_WM_NAME"), dpy.intern_atom("UTF8_STRING"))
    name = title.value.decode("utf-8", "replace") if title is not None else window.get_wm_name()
    return FocusedWindow(
        id=int(active.value[0]),
        rect=Rect(-origin.x, -origin.y, geom.width, geom.height),
        wm_class=wm_class[1] if wm_class else "",
        title=name if isinstance(name, str) else "",
    )


def _win32_focused_rect() -> Rect | None:  # pragma: no cover - Windows only
    import ctypes
    from ctypes import wintypes

    user32 = ctypes.windll.user32  # type: ignore[attr-defined]
    hwnd = user32.GetForegroundWindow()
    if not hwnd:
        return None
    rect = wintypes.RECT()
    if not user32.GetWindowRect(hwnd, ctypes.byref(rect)):
        return None
    return Rect(rect.left, rect.top, rect.right - rect.left, rect.bottom - rect.top)


def monitor_for(window: Rect | None, monitors: list[Rect]) -> int:
    """Index into ``monitors`` of the one showing most of ``window`` (0 when unknown)."""
    if window is None or not monitors:
        return 0

    def overlap(m: Rect) -> int:
        w = min(m.x + m.width, window.x + window.width) - max(m.x, window.x)
        h = min(m.y + m.height, window.y + window.height) - max(m.y, window.y)
        return max(w, 0) * max(h, 0)

    best = max(range(len(monitors)), key=lambda i: overlap(monitors[i]))
    return best if overlap(monitors[best]) > 0 else 0
