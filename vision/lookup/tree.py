"""The accessibility tree asked both ways: which element is at a point, and where is the
element with this role and name in the window with this title.

Built on ``AtspiInspector``'s D-Bus calls (same connection, same guards: any failure is
``None`` / no candidates, and the caller falls back to OCR).  The search walks the windows
whose title matches, breadth first, within ``budget`` seconds and ``max_nodes`` elements,
and keeps only elements that are showing and have a size -- a hidden tab's button of the
same name is no candidate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from deskhand.core.element_info import clean_label
from deskhand.core.geometry import Rect, ScreenPoint
from deskhand.vision.inspect.atspi import (
    _STATE_ACTIVE,
    _STATE_SHOWING,
    AtspiInspector,
    Node,
)

__all__ = ["AccessibleTree", "Element", "same_words"]


@dataclass(frozen=True, slots=True)
class Element:
    """An accessible element: its name, role, bounds, and its top-level window's title."""

    name: str
    role: str
    bounds: Rect | None
    window: str


def same_words(a: str, b: str) -> bool:
    return clean_label(a).casefold() == clean_label(b).casefold()


class AccessibleTree(AtspiInspector):
    """``element_at`` a point of the active window; ``find`` elements by role and name."""

    def __init__(self, *, budget: float = 1.5, max_nodes: int = 4000, bus_address: str | None = None) -> None:
        super().__init__(budget=budget, bus_address=bus_address)
        self.max_nodes = max_nodes

    def element_at(self, point: ScreenPoint, window: str = "") -> Element | None:
        """The element at ``point`` in the one showing window titled ``window`` that holds
        it (the window on top there, by the window manager), else in the active window."""
        found: list[Element | None] = []
        self._run(lambda deadline: found.append(self._element_at(point, window, deadline)))
        return found[0] if found else None

    def find(self, role: str, name: str, window: str) -> list[Element]:
        """Showing elements named ``name`` with ``role`` in windows titled ``window``
        (any window when ``window`` is empty)."""
        found: list[Element] = []
        self._run(lambda deadline: found.extend(self._find(role, name, window, deadline)))
        return found

    def _run(self, walk: Callable[[float], Any]) -> None:
        def guarded(deadline: float) -> None:
            walk(deadline)
            return None

        self._guarded(guarded)

    def _element_at(self, point: ScreenPoint, window: str, deadline: float) -> Element | None:
        active: list[tuple[Node, str]] = []
        titled: list[tuple[Node, str]] = []
        for top in self._windows(deadline):
            try:
                states = self._states(top, deadline)
                if _STATE_SHOWING not in states or not self._extents(top, deadline).contains(
                    point.x, point.y
                ):
                    continue
                title = str(self._prop(top, "Name", deadline) or "")
            except Exception:  # noqa: S112 - a window that vanished meanwhile
                continue
            if window and same_words(title, window):
                titled.append((top, title))
            if _STATE_ACTIVE in states:
                active.append((top, title))
        chosen = titled if len(titled) == 1 else active if len(active) == 1 else []
        if not chosen:
            return None
        top, title = chosen[0]
        info = self._describe(self._deepest(top, point, deadline), deadline)
        return Element(info.label, info.role, info.bounds, title)

    def _find(self, role: str, name: str, window: str, deadline: float) -> list[Element]:
        hits: list[Element] = []
        seen = 0
        for top in self._windows(deadline):
            title = str(self._prop(top, "Name", deadline) or "")
            if window and not same_words(title, window):
                continue
            if _STATE_SHOWING not in self._states(top, deadline):
                continue
            queue: list[Node] = [top]
            while queue and seen < self.max_nodes:
                node = queue.pop(0)
                seen += 1
                children = self._children(node, deadline)
                queue.extend(children)
                if node == top:
                    continue
                label = str(self._prop(node, "Name", deadline) or "")
                if not label.strip():  # as ``_describe`` names it: a field's placeholder is its description
                    label = str(self._prop(node, "Description", deadline) or "")
                if not same_words(label, name):
                    continue
                info = self._describe(node, deadline)
                if role and info.role != role:
                    continue
                if _STATE_SHOWING not in self._states(node, deadline):
                    continue
                if info.bounds is None or info.bounds.width <= 0 or info.bounds.height <= 0:
                    continue
                hits.append(Element(info.label, info.role, info.bounds, title))
        return hits
