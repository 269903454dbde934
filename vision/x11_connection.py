"""One X connection for the process, kept open: opening one costs more than the query asked of it.

python-xlib's ``Display()`` connects, reads the server's setup and queries its extensions:
5-12 ms, where the questions we ask (the active window, the stacking order) take well under
one.  The element list asks for the focused window every step, the skills' target journal
for the windows under each click, each from a thread of its own.  So one connection is kept
and lent to one query at a time (python-xlib connections are not thread-safe), and opened
again when ``DISPLAY`` names another server or the server closed it -- a test's Xvfb that
was restarted, a session that ended.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from Xlib.display import Display

__all__ = ["forget_display", "with_display"]

log = logging.getLogger(__name__)

T = TypeVar("T")
_lock = threading.RLock()
_kept: tuple[str | None, Display] | None = None


def with_display(query: Callable[[Display], T]) -> T | None:
    """``query`` on the kept connection to ``$DISPLAY``, one query at a time; once more on a
    fresh connection if the server had closed it; None when there is no X server to ask."""
    from Xlib.error import ConnectionClosedError

    with _lock:
        for _ in range(2):
            dpy = _connection()
            if dpy is None:
                return None
            try:
                return query(dpy)
            except (ConnectionClosedError, OSError) as exc:
                log.debug("the X connection was closed: %s", exc)
                forget_display()
    return None


def forget_display() -> None:
    """Close the kept connection, if any (the next query opens another)."""
    global _kept
    with _lock:
        kept, _kept = _kept, None
    if kept is not None:
        try:
            kept[1].close()
        except Exception as exc:  # closing a connection the server already dropped
            log.debug("closing the X connection: %s", exc)


def _connection() -> Display | None:
    global _kept
    name = os.environ.get("DISPLAY")
    if _kept is not None and _kept[0] == name:
        return _kept[1]
    forget_display()
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
    _kept = (name, dpy)
    return dpy
