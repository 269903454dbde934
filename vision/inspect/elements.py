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
"""

from __future__ import annotations

import logging
import sys
import time

from deskhand.core.elements import SeenElement
from deskhand.core.geometry import Rect
from deskhand.core.observation import Observation
from deskhand.vision.focus import focused_window
from deskhand.vision.inspect.atspi import (
    _ACCESSIBLE,
    _REGISTRY,
    _ROLE_PASSWORD_TEXT,
    _ROOT,
    AtspiInspector,
    Node,
    _OutOfTime,
)

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


class AtspiElements:
    """The ``ElementSource``: interactive elements of the active window (see the module doc)."""

    def __init__(
        self, tree: AtspiInspector | None = None, *, budget: float = 0.4, max_nodes: int = 1500
    ) -> None:
        self.tree = tree or AtspiInspector()
        self.budget = budget
        self.max_nodes = max_nodes
        self._cache: tuple[str, tuple[SeenElement, ...] | None] | None = None

    def elements(self, observation: Observation) -> tuple[SeenElement, ...] | None:
        if self._cache is not None and self._cache[0] == observation.id:
            return self._cache[1]
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
        for app in tree._children((_REGISTRY, _ROOT), deadline):
            for window in tree._children(app, deadline):
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
        tree = self.tree
        found: list[SeenElement] = []
        queue, visited = [window], 0
        while queue:
            node = queue.pop(0)
            visited += 1
            if visited > self.max_nodes or time.monotonic() > deadline:
                log.debug("element list off: the window's tree is too big to walk in time")
                return None
            states = tree._states(node, deadline)
            if _SHOWING not in states:
                continue
            role = str(tree._call(node, _ACCESSIBLE, "GetRoleName", deadline)[0])
            if node != window and role in INTERACTIVE_ROLES:
                element = self._element(node, role, states, deadline)
                if element is not None:
                    found.append(element)
            queue.extend(tree._children(node, deadline))
        return tuple(found) or None

    def _element(self, node: Node, role: str, states: set[int], deadline: float) -> SeenElement | None:
        tree = self.tree
        rect = tree._extents(node, deadline)
        if rect.width <= 0 or rect.height <= 0:
            return None
        name = str(tree._prop(node, "Name", deadline) or "")
        words = [word for state, word in _STATE_WORDS if state in states]
        if _SENSITIVE not in states:
            words.append("disabled")
        if role == "text" and tree._call(node, _ACCESSIBLE, "GetRole", deadline)[0] == _ROLE_PASSWORD_TEXT:
            role = "password text"  # Qt names it "text"; its role number says what it is
        return SeenElement(role, name, Rect(rect.x, rect.y, rect.width, rect.height), tuple(words))
