"""What is under the pointer, for the risk policy: accessibility tree first, then OCR.

``default_inspector()`` builds the chain the app should use.  On Linux it asks AT-SPI (the
desktop accessibility bus) for the element at the point -- exact label and role, e.g.
"Delete account" (push button), "password text" -- and falls back to OCR of the
screenshot when the bus is missing, the window does not expose accessibility, or the
answer is ambiguous.  On Windows and macOS AT-SPI does not exist: ``AtspiInspector``
returns ``None`` there and only OCR (the ``tesseract`` program, if installed) is used.

AT-SPI answers in a few milliseconds, OCR of a strip in 0.1-0.5 s, so the order matters
for every click.  AT-SPI is trusted only inside the *active* window (a window that
exposes no accessibility -- a terminal, a game, a remote desktop -- may be on top of an
accessible one, and the tree would then name the covered button); elsewhere OCR reads
the pixels.  ``cross_check`` says when the OCR reading is also taken after AT-SPI found a
harmless label, the riskier of the two winning: ``"always"``, ``"never"``, or
``"when-ready"`` (default) -- when the OCR read-ahead of the screenshot is already done,
which costs nothing (see ``OcrInspector``).

What has keyboard focus is the element the tree names, in the window the window manager
names (``WindowInspector``): the window's class tells a terminal that publishes no tree
(xterm) and its id keeps each window's typed line apart.
OCR reads the screen's full-resolution pixels (``frames``: the grab each observation
was made from), never the downscaled image.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import Literal

from deskhand.core.element_info import UNREADABLE_ROLE, ElementInfo
from deskhand.core.geometry import ScreenPoint
from deskhand.core.gui_rules import is_password_field, match_label
from deskhand.core.observation import Observation
from deskhand.core.ports import Inspector
from deskhand.vision.inspect.atspi import AtspiInspector, enable_accessibility
from deskhand.vision.inspect.ocr import FrameSource, OcrInspector
from deskhand.vision.inspect.window import WindowInspector

__all__ = [
    "AtspiInspector",
    "ChainInspector",
    "FrameSource",
    "OcrInspector",
    "WindowInspector",
    "default_inspector",
    "enable_accessibility",
]

log = logging.getLogger(__name__)

CrossCheck = Literal["always", "never", "when-ready"]


class ChainInspector:
    """Ask each inspector in turn; the first useful answer wins (see ``cross_check``)."""

    def __init__(self, *inspectors: Inspector, cross_check: CrossCheck = "when-ready") -> None:
        self.inspectors = inspectors
        self.cross_check = cross_check

    def prepare(self, observation: Observation) -> None:
        for inspector in self.inspectors:
            inspector.prepare(observation)

    def inspect(self, point: ScreenPoint, observation: Observation) -> ElementInfo | None:
        readings: list[ElementInfo] = []
        for inspector in self.inspectors:
            second_opinion = any(a.label.strip() for a in readings)
            if second_opinion and not self._cross_checks(inspector, observation):
                break
            started = time.monotonic()
            if second_opinion and self.cross_check == "when-ready" and isinstance(inspector, OcrInspector):
                found = inspector.read_ahead(point, observation)  # free: no OCR on the click's path
            else:
                found = inspector.inspect(point, observation)
            log.debug(
                "%s: %r in %.0f ms", type(inspector).__name__, found, (time.monotonic() - started) * 1000
            )
            if found is None:
                continue
            if _risky(found):
                return found  # the riskier reading wins; no need to look further
            readings.append(found)
        if not readings:
            return None
        labelled = [a for a in readings if a.label.strip()]
        if not labelled:  # "text nobody could read" says more than a role without a label
            return next((a for a in readings if a.role == UNREADABLE_ROLE), readings[0])
        best = labelled[0]
        if best is not readings[0] and not readings[0].label.strip():  # role from the tree, words from OCR
            return ElementInfo(best.label, readings[0].role, best.source, readings[0].bounds or best.bounds)
        return best

    def focused(self, observation: Observation) -> ElementInfo | None:
        """The first element an inspector finds focused, in the focused window if one
        names it (its class then names the application: the window manager knows which
        window has focus even when the tree's idea of the active window is stale)."""
        found = [f for f in (i.focused(observation) for i in self.inspectors) if f is not None]
        element = next((f for f in found if f.source != "window"), None)
        window = next((f for f in found if f.source == "window"), None)
        if element is None or window is None:
            return element or window
        return replace(element, app=window.app or element.app, window=window.window)

    def _cross_checks(self, inspector: Inspector, observation: Observation) -> bool:
        if self.cross_check == "when-ready":
            return isinstance(inspector, OcrInspector) and inspector.read_ahead_done(observation)
        return self.cross_check == "always"


def _risky(element: ElementInfo) -> bool:
    return match_label(element) is not None or is_password_field(element)


def default_inspector(
    *, cross_check: CrossCheck = "when-ready", frames: FrameSource | None = None
) -> ChainInspector:
    """AT-SPI then OCR, and the focused window (each returns ``None`` where it cannot work);
    OCR reads ``frames``."""
    return ChainInspector(
        AtspiInspector(), OcrInspector(frames=frames), WindowInspector(), cross_check=cross_check
    )
