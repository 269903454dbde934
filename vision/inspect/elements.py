"""The active window's interactive elements from the accessibility tree, when it can be trusted.

The ``ElementSource`` port (``deskhand.core.ports``) behind the element list the model is
shown (``deskhand.core.elements``).  It walks the same tree, over the same connection, as
the risk inspector (``AtspiInspector``) and trusts it in the same cases only:

* exactly one window of the tree is active and showing -- else the tree's idea of the
  front window is stale or several claim it;
* the window manager's focused window (X11) covers that window's centre -- else a window
  that publishes no tree (a terminal, a game, a remote desktop) is in front of it, and the
  tree would list buttons the screen does not show;
* the walk finished within its budget and found at least one interactive element.

Anything else gives ``None``: the model then gets the screenshot alone, as without the list.

Reading the list costs tens of milliseconds of D-Bus round trips (mostly marshalling in
this process), which used to sit between the screenshot and the model request.  So the
settler hands its still frame over (``read_ahead``, beside the screen's encoding) and the
walk runs while the still window runs out; the step's observation takes that list only if
its grab is byte-identical to the frame the walk started on (``frames``), i.e. nothing on
screen changed between the walk and the screenshot.  Otherwise the list is read afresh.
"""

from __future__ import annotations

import logging
import sys
import threading
from typing import Any

from deskhand.core.elements import SeenElement
from deskhand.core.geometry import Rect, Size
from deskhand.core.observation import Observation
from deskhand.vision.capture import Frame
from deskhand.vision.focus import focused_window
from deskhand.vision.inspect.atspi import (
    _ACCESSIBLE,
    _COMPONENT,
    _ROLE_PASSWORD_TEXT,
    AtspiInspector,
    Node,
    _OutOfTime,
)
from deskhand.vision.inspect.dbus_pipeline import Call, Pipeline
from deskhand.vision.inspect.ocr import FrameSource

__all__ = ["INTERACTIVE_ROLES", "AtspiElements"]

log = logging.getLogger(__name__)

INTERACTIVE_ROLES = frozenset(
    {
        "push button", "toggle button", "check box", "radio button", "combo box", "text",
        "password text", "entry", "spin button", "slider", "link", "menu item",
        "check menu item", "radio menu item", "menu", "page tab", "list item", "tree item",
    }
)  # fmt: skip
_CHECKED, _EXPANDED, _FOCUSED, _PRESSED, _SELECTED, _SENSITIVE = 4, 10, 12, 20, 23, 24
_ACTIVE, _SHOWING = 1, 25
_STATE_WORDS = ((_CHECKED, "checked"), (_PRESSED, "pressed"), (_SELECTED, "selected"),
                (_EXPANDED, "expanded"), (_FOCUSED, "focused"))  # fmt: skip


def _level_calls(level: list[Node]) -> list[Call]:
    """What is asked of every node of a level: its states, its role's name, its children."""
    return [call for node in level for call in (
        (node, _ACCESSIBLE, "GetState", None, ()),
        (node, _ACCESSIBLE, "GetRoleName", None, ()),
        (node, _ACCESSIBLE, "GetChildren", None, ()),
    )]  # fmt: skip


def _element_calls(node: Node) -> list[Call]:
    """What is asked of an interactive element: its box, its name, its role's number."""
    return [
        (node, _COMPONENT, "GetExtents", "u", (0,)),
        (node, "org.freedesktop.DBus.Properties", "Get", "ss", (_ACCESSIBLE, "Name")),
        (node, _ACCESSIBLE, "GetRole", None, ()),
    ]


class _Ahead:
    """A walk started for a still frame, and (once ``done``) what it found."""

    def __init__(self, frame: Frame) -> None:
        self.frame = frame
        self.done = threading.Event()
        self.superseded = False  # a later still frame came before the walk could start
        self.found: tuple[SeenElement, ...] | None = None

    def shows(self, frame: Frame | None) -> bool:
        """Whether ``frame`` is byte for byte the screen this walk started on."""
        return (
            frame is not None
            and frame.rect == self.frame.rect
            and frame.size == self.frame.size
            and frame.raw == self.frame.raw
        )


class AtspiElements:
    """The ``ElementSource``: interactive elements of the active window (see the module doc)."""

    def __init__(
        self,
        tree: AtspiInspector | None = None,
        *,
        budget: float = 2.0,
        max_nodes: int = 1500,
        frames: FrameSource | None = None,
    ) -> None:
        self.tree = tree or AtspiInspector()
        self.budget = budget
        self.max_nodes = max_nodes
        self.frames = frames  # the full-resolution grab of an observation (``MssScreen.frame``)
        self.read_ahead_used = 0  # observations served by a walk started during the settle
        self._cache: tuple[str, tuple[SeenElement, ...] | None] | None = None
        self._walking = threading.Lock()  # one walk at a time on the tree's connection
        self._lock = threading.Lock()
        self._ahead: _Ahead | None = None
        self._calls = Pipeline()

    def read_ahead(self, raw: bytearray, size: Size, rect: Rect) -> None:
        """Start walking for a frame the settler found still (its ``on_still``); a later
        frame supersedes it.  Returns at once."""
        if self.frames is None or not sys.platform.startswith("linux"):
            return
        ahead = _Ahead(Frame(raw, size, rect))
        with self._lock:
            if self._ahead is not None:
                self._ahead.superseded = True
            self._ahead = ahead
        threading.Thread(
            target=self._walk_ahead, args=(ahead,), name="deskhand-elements", daemon=True
        ).start()

    def _walk_ahead(self, ahead: _Ahead) -> None:
        try:
            with self._walking:
                if not ahead.superseded:
                    ahead.found = self._look()
        finally:
            ahead.done.set()

    def elements(self, observation: Observation) -> tuple[SeenElement, ...] | None:
        if self._cache is not None and self._cache[0] == observation.id:
            return self._cache[1]
        with self._lock:
            ahead, self._ahead = self._ahead, None
        if ahead is not None and self.frames is not None and ahead.shows(self.frames(observation)):
            ahead.done.wait(self.budget)
            found = ahead.found
            self.read_ahead_used += 1
        else:
            with self._walking:
                found = self._look() if sys.platform.startswith("linux") else None
        self._cache = (observation.id, found)
        return found

    def _look(self) -> tuple[SeenElement, ...] | None:
        tree = self.tree
        result: list[tuple[SeenElement, ...] | None] = [None]

        def walk(deadline: float) -> None:
            window = self._active_window(deadline)
            if window is not None:
                result[0] = self._walk(window, deadline)

        saved, tree.budget = tree.budget, self.budget
        try:
            tree._guarded(walk)
        finally:
            tree.budget = saved
        return result[0] or None

    def _active_window(self, deadline: float) -> Node | None:
        tree = self.tree
        active = []
        for window in tree._windows(deadline):  # live applications' windows only
            try:
                states = tree._states(window, deadline)
            except _OutOfTime:
                raise
            except Exception as exc:  # a window closing meanwhile
                log.debug("skipping a window: %s", exc)
                continue
            if _ACTIVE in states and _SHOWING in states:
                active.append(window)
        if len(active) != 1:
            log.debug("element list off: %d active windows in the accessibility tree", len(active))
            return None
        rect = tree._extents(active[0], deadline)
        front = focused_window()
        if front is not None:
            cx, cy = rect.x + rect.width // 2, rect.y + rect.height // 2
            if not front.rect.contains(cx, cy):
                log.debug("element list off: the focused window %r is not the tree's active one", front.title)
                return None
        return active[0]

    def _walk(self, window: Node, deadline: float) -> tuple[SeenElement, ...] | None:
        """Breadth first, one level at a time, each level's calls sent together (pipelined):
        a round trip per call would cost ~1 ms each, ~200 ms for a form of 24 buttons.  The
        details of a level's interactive elements go in the same round trip as the next
        level's questions, so a tree of depth d costs d + 1 round trips, not 2 d."""
        found: list[SeenElement] = []
        level, visited = [window], 1
        asked = self._calls.ask(self.tree._conn, _level_calls(level), deadline)
        while True:
            interactive: list[tuple[Node, str, set[int]]] = []
            below: list[Node] = []
            for i, node in enumerate(level):
                state, role, children = asked[3 * i : 3 * i + 3]
                if state is None or role is None:
                    continue
                states = {
                    n * 32 + bit for n, word in enumerate(state[0]) for bit in range(32) if word >> bit & 1
                }
                if _SHOWING not in states:
                    continue
                if node != window and str(role[0]) in INTERACTIVE_ROLES:
                    interactive.append((node, str(role[0]), states))
                below.extend((str(c[0]), str(c[1])) for c in (children[0] if children else ()))
            visited += len(below)
            if visited > self.max_nodes:
                log.debug("element list off: the window's tree is too big to walk")
                return None
            calls = [call for node, _, _ in interactive for call in _element_calls(node)]
            replies = (
                self._calls.ask(self.tree._conn, calls + _level_calls(below), deadline)
                if calls or below
                else []
            )
            found.extend(self._elements(interactive, replies[: len(calls)]))
            if not below:
                return tuple(found) or None
            level, asked = below, replies[len(calls) :]

    def _elements(self, nodes: list[tuple[Node, str, set[int]]], asked: list[Any]) -> list[SeenElement]:
        """The elements of ``nodes`` from the replies to their ``_element_calls``."""
        out = []
        for i, (_, role, states) in enumerate(nodes):
            extents, name, number = asked[3 * i : 3 * i + 3]
            if extents is None:
                continue
            x, y, w, h = extents[0]
            if w <= 0 or h <= 0:
                continue
            words = [word for state, word in _STATE_WORDS if state in states]
            if _SENSITIVE not in states:
                words.append("disabled")
            if number is not None and number[0] == _ROLE_PASSWORD_TEXT:
                role = "password text"  # Qt names it "text"; its role number says what it is
            label = str(name[0][1]) if name is not None else ""
            out.append(SeenElement(role, label, Rect(x, y, w, h), tuple(words)))
        return out
