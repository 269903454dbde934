"""The focused window itself, for the keyboard: which application, which window.

The accessibility tree names the focused *element*, but many terminals (xterm, kitty,
Alacritty, ...) publish no tree at all, and pixels do not show focus.  The window
manager always knows the focused window: its class says which application it is
("XTerm"), its id tells windows apart.  The policy needs both -- a terminal runs what is
typed when Enter comes, and what was typed into one window is not on another's line
(``deskhand.core.typed_line``).  X11 only; elsewhere ``None``.
"""

from __future__ import annotations

import sys

from deskhand.core.element_info import ElementInfo
from deskhand.core.geometry import ScreenPoint
from deskhand.core.observation import Observation
from deskhand.vision.focus import focused_window

__all__ = ["WindowInspector"]


class WindowInspector:
    """Tells the focused top-level window (never what is under a point)."""

    def prepare(self, observation: Observation) -> None:
        """Nothing to read ahead: one window-manager query per lookup."""

    def inspect(self, point: ScreenPoint, observation: Observation) -> ElementInfo | None:
        return None

    def focused(self, observation: Observation) -> ElementInfo | None:
        if not sys.platform.startswith("linux"):
            return None
        window = focused_window()
        if window is None:
            return None
        return ElementInfo(
            window.title,
            "window",
            "window",
            window.rect,
            app=window.wm_class.lower(),
            window=f"x11:{window.id:#x}",
        )
