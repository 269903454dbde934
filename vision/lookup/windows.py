"""Top-level windows on X11: which one is at a point (topmost first), and their titles.

Why: a pointer step is remembered with its window's title and its place in that window,
and a target found in the accessibility tree is trusted only if its window is the one on
top at that point (another window may cover it).  X11 only; elsewhere ``None``.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from deskhand.core.geometry import Rect, ScreenPoint
from deskhand.vision.x11_connection import with_display

if TYPE_CHECKING:
    from Xlib.display import Display

__all__ = ["TopWindow", "top_windows", "window_at", "windows_titled"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TopWindow:
    id: int
    title: str
    rect: Rect


def window_at(point: ScreenPoint) -> TopWindow | None:
    """The topmost visible top-level window containing ``point``, if X11 can tell."""
    return next((w for w in top_windows() if w.rect.contains(point.x, point.y)), None)


def windows_titled(title: str, same: Callable[[str, str], bool]) -> list[TopWindow]:
    """The visible top-level windows whose title is ``title`` (by ``same``), topmost first."""
    return [w for w in top_windows() if same(w.title, title)]


def top_windows() -> list[TopWindow]:
    """The visible top-level windows, topmost first ([] if X11 cannot tell)."""
    if not sys.platform.startswith("linux"):
        return []
    try:
        from Xlib.error import XError
    except ImportError:
        return []

    def ask(dpy: Display) -> list[TopWindow]:
        found: list[TopWindow] = []
        try:
            _stacked(dpy, found)
        except XError as exc:
            log.debug("window lookup failed: %s", exc)
        return found

    return with_display(ask) or []


def _stacked(dpy: Display, found: list[TopWindow]) -> None:
    """Adds the visible top-level windows to ``found``, topmost first (kept if a later one fails)."""
    from Xlib import X
    from Xlib.error import XError

    root = dpy.screen().root
    stacking = root.get_full_property(dpy.intern_atom("_NET_CLIENT_LIST_STACKING"), X.AnyPropertyType)
    hidden = dpy.intern_atom("_NET_WM_STATE_HIDDEN")
    for wid in reversed(list(stacking.value) if stacking is not None else []):
        window = dpy.create_resource_object("window", wid)
        try:
            if window.get_attributes().map_state != X.IsViewable:
                continue
            state = window.get_full_property(dpy.intern_atom("_NET_WM_STATE"), X.AnyPropertyType)
            if state is not None and hidden in state.value:
                continue
            geom = window.get_geometry()
            origin = window.translate_coords(root, 0, 0)
            name = window.get_full_property(dpy.intern_atom("_NET_WM_NAME"), dpy.intern_atom("UTF8_STRING"))
            title = name.value.decode("utf-8", "replace") if name is not None else window.get_wm_name()
            found.append(
                TopWindow(int(wid), str(title or ""), Rect(-origin.x, -origin.y, geom.width, geom.height))
            )
        except XError:
            continue
