"""One X connection per thread, kept open: opening one costs more than the query asked of it.

python-xlib's ``Display()`` connects, reads the server's setup and queries its extensions:
5-12 ms, where the questions we ask (the active window, the stacking order) take well under
one.  The element list asks for the focused window every step, the skills' target journal
for the windows under each click.  So each thread keeps its connection (python-xlib
connections are not thread-safe), opened again when ``DISPLAY`` names another server or the
server closed it -- a test's Xvfb that was restarted, a session that ended.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from Xlib.display import Display

__all__ = ["forget_thread_display", "thread_display", "with_display"]

log = logging.getLogger(__name__)

T = TypeVar("T")
_local = threading.local()


def thread_display() -> Display | None:
    """This thread's connection to ``$DISPLAY`` (None without python-xlib or a server)."""
    name = os.environ.get("DISPLAY")
    kept = getattr(_local, "kept", None)
    if kept is not None and kept[0] == name:
        return kept[1]
    forget_thread_display()
    try:
        from Xlib import display
        from Xlib.error import DisplayError
    except ImportError:
        return None
    try:
        dpy = display.Display()
    except (DisplayError, OSError) as exc:
        log.debug("no X display: %s", exc)
        return None
    _local.kept = (name, dpy)
    return dpy


def forget_thread_display() -> None:
    """Close this thread's connection, if it has one (the next query opens another)."""
    kept = getattr(_local, "kept", None)
    _local.kept = None
    if kept is not None:
        try:
            kept[1].close()
        except Exception as exc:  # closing a connection the server already dropped
            log.debug("closing the X connection: %s", exc)


def with_display(query: Callable[[Display], T]) -> T | None:
    """``query`` on this thread's connection; once more on a fresh one if the server had
    closed the kept one; None when there is no X server to ask."""
    from Xlib.error import ConnectionClosedError

    for _ in range(2):
        dpy = thread_display()
        if dpy is None:
            return None
        try:
            return query(dpy)
        except (ConnectionClosedError, OSError) as exc:
            log.debug("the X connection was closed: %s", exc)
            forget_thread_display()
    return None
