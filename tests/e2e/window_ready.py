"""Waiting for a test window to take input: placed and focused as the X server says, and in
the accessibility tree.

Why the tree alone is not enough: an application's tree answers from its own idea of where
its window is, and that idea changes as soon as it asks the window manager to move the
window -- before the window manager has done it.  Seen with a window that moves itself
while openbox is held (SIGSTOP): ``tests.a11y.tree_shows`` named the button at its new
centre while ``xwininfo`` still had the window at the old place, so a click sent there
would have missed it.  A window manager slowed by load does the same, which is how a
tree-only poll can lose a click that a fixed sleep (time for the window manager) did not;
so the X server's own answer (``xwininfo``) is asked as well.  (The lost clicks themselves
were not seen again here: six test_teach runs with a tree-only poll passed.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from tests.a11y import tree_shows
from tests.e2e.xsession import XSession, wait_for


def wait_until_ready(
    session: XSession, title: str, centres: Mapping[str, Sequence[int]], timeout: float = 20
) -> None:
    """Until the window titled ``title`` takes input at each of ``centres``: the X server has
    it focused and over them, and its tree names an element at each in the active window."""
    bus, points = session.env["DBUS_SESSION_BUS_ADDRESS"], list(centres.values())
    wait_for(
        lambda: placed(session, title, points) and all(tree_shows(bus, x, y) for x, y in points),
        timeout,
        f"{title!r} placed, focused and in the accessibility tree",
    )


def placed(session: XSession, title: str, points: Iterable[Sequence[int]]) -> bool:
    """Whether the X server has the window titled ``title`` focused and over each of ``points``
    (``xwininfo``, not ``xdotool getwindowgeometry``: that one adds the frame's offset)."""
    active = session.run(["xdotool", "getactivewindow"])
    if active.returncode != 0:
        return False
    info = session.run(["xwininfo", "-id", active.stdout.decode().strip()]).stdout.decode(errors="replace")
    named = re.search(r'^xwininfo: Window id: \S+ "(.*)"$', info, re.MULTILINE)
    if named is None or title not in named.group(1):
        return False
    fields = {
        key.strip(): value.strip() for key, _, value in (line.partition(":") for line in info.splitlines())
    }
    x, y = int(fields["Absolute upper-left X"]), int(fields["Absolute upper-left Y"])
    width, height = int(fields["Width"]), int(fields["Height"])
    return all(x <= px < x + width and y <= py < y + height for px, py in points)
