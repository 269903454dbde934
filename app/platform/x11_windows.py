"""Small X11 queries Qt does not offer: is a window really off screen, who has focus.

Qt's ``hide()`` only *sends* an unmap request; a reparenting window manager then unmaps its
frame in its own time.  Before a screenshot we must know both happened, so we ask the X
server on our own connection.  python-xlib connections are not thread-safe, so each
thread gets its own (``threading.local``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable

from Xlib import X, display
from Xlib.error import BadDrawable, BadWindow, DisplayError, XError
from Xlib.protocol import event as xevent

log = logging.getLogger(__name__)

_local = threading.local()


def _display() -> display.Display:
    dpy = getattr(_local, "display", None)
    if dpy is None:
        dpy = _local.display = display.Display()
    return dpy


def close_thread_display() -> None:
    dpy = getattr(_local, "display", None)
    if dpy is not None:
        dpy.close()
        _local.display = None


def toplevel(window_id: int) -> int:
    """The ancestor of ``window_id`` that is a child of the root: the WM frame, or itself."""
    dpy = _display()
    root = dpy.screen().root.id
    current = window_id
    for _ in range(16):
        parent = dpy.create_resource_object("window", current).query_tree().parent
        if parent is None or parent.id in (root, X.NONE):
            return current
        current = parent.id
    return current


def frame_rect(window_id: int) -> tuple[int, int, int, int] | None:
    """Where the window's top-level frame really is, in root coordinates (x, y, w, h).

    Qt's own idea can lag behind the window manager (seen: a stay-on-top tool window
    reported at 0,0 while shown at the top centre), so the X server is asked.
    """
    dpy = _display()
    try:
        top = dpy.create_resource_object("window", toplevel(window_id))
        geometry = top.get_geometry()
        origin = top.translate_coords(dpy.screen().root, 0, 0)
    except (XError, DisplayError):
        return None
    return (-origin.x, -origin.y, geometry.width, geometry.height)


def _viewable(window_id: int) -> bool:
    dpy = _display()
    try:
        top = toplevel(window_id)
        return bool(dpy.create_resource_object("window", top).get_attributes().map_state == X.IsViewable)
    except (BadWindow, BadDrawable):
        return False  # destroyed frame: certainly not on screen


def wait_unmapped(window_ids: Iterable[int], timeout: float = 1.0) -> bool:
    """Poll until none of ``window_ids`` (nor their WM frames) is viewable; False on timeout."""
    ids = list(window_ids)
    if not ids:
        return True
    deadline = time.monotonic() + timeout
    try:
        while True:
            if not any(_viewable(w) for w in ids):
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.002)
    except (XError, DisplayError, OSError) as exc:
        log.warning("could not check that our windows are hidden: %s", exc)
        return False


def active_window() -> int | None:
    """The window the window manager says is active (``_NET_ACTIVE_WINDOW``)."""
    dpy = _display()
    root = dpy.screen().root
    prop = root.get_full_property(dpy.intern_atom("_NET_ACTIVE_WINDOW"), X.AnyPropertyType)
    if prop is None or not prop.value or not prop.value[0]:
        return None
    return int(prop.value[0])


def activate(window_id: int) -> None:
    """Ask the window manager to focus ``window_id`` as a pager would (source 2).

    Qt's own request is marked as coming from an application, which focus-stealing
    prevention may refuse after a global hotkey (the key event went to our grab, not to
    Qt, so Qt has no fresh user timestamp).
    """
    dpy = _display()
    root = dpy.screen().root
    message = xevent.ClientMessage(
        window=dpy.create_resource_object("window", window_id),
        client_type=dpy.intern_atom("_NET_ACTIVE_WINDOW"),
        data=(32, [2, X.CurrentTime, 0, 0, 0]),
    )
    root.send_event(message, event_mask=X.SubstructureRedirectMask | X.SubstructureNotifyMask)
    dpy.flush()


def _pid_of(dpy: display.Display, window_id: int) -> int | None:
    prop = dpy.create_resource_object("window", window_id).get_full_property(
        dpy.intern_atom("_NET_WM_PID"), X.AnyPropertyType
    )
    return int(prop.value[0]) if prop is not None and len(prop.value) else None


def owned_by(pid: int, window_id: int) -> bool:
    """Whether the client window ``window_id`` carries process ``pid``'s ``_NET_WM_PID``."""
    try:
        return bool(window_id) and _pid_of(_display(), window_id) == pid
    except (XError, DisplayError) as exc:
        log.debug("could not tell who owns window %#x: %s", window_id, exc)
        return False


def owned_at(pid: int, x: int, y: int) -> bool:
    """Whether a window of process ``pid`` is at the desktop point (x, y), at any depth.

    Every window from the root's child at the point (usually a window manager's frame,
    which has no ``_NET_WM_PID`` itself) down to the deepest one is asked: the client
    inside the frame, and an embedded window -- our tray icon inside the tray host's panel
    -- that belongs to us although the top-level around it does not.
    """
    dpy = _display()
    root = dpy.screen().root
    try:
        current = root
        for _ in range(16):
            child = current.translate_coords(root, x, y).child
            if not child:
                return False
            if _pid_of(dpy, child.id) == pid:
                return True
            current = child
    except (XError, DisplayError) as exc:
        log.debug("could not tell who owns the window at (%d, %d): %s", x, y, exc)
    return False
