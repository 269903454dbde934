"""What is under the pointer, for the risk policy: accessibility tree first, then OCR.

``default_inspector()`` builds the chain the app should use.  On Linux it asks AT-SPI (the
desktop accessibility bus) for the element at the point -- exact label and role, e.g.
"Delete account" (push button), "password text" -- and falls back to OCR of the
screenshot when the bus is missing, the window does not expose accessibility, or the
answer is ambiguous.  On Windows and macOS AT-SPI does not exist: ``AtspiInspector``
returns ``None`` there and only OCR (the ``tesseract`` program, if installed) is used.

With ``cross_check`` the OCR reading is also taken when AT-SPI found a harmless label,
and the riskier of the two wins: a window that exposes no accessibility (a browser with
it switched off, a game, a remote desktop) may cover an accessible one, and the
accessibility tree alone would then name the covered button, not the one on screen.
"""

from __future__ import annotations

import logging
import time

from deskhand.core.geometry import ScreenPoint
from deskhand.core.gui_rules import is_password_field, match_label
from deskhand.core.observation import Observation
from deskhand.core.ports import Inspector
from deskhand.core.target import TargetInfo
from deskhand.vision.inspect.atspi import AtspiInspector, enable_accessibility
from deskhand.vision.inspect.ocr import OcrInspector

__all__ = ["AtspiInspector", "ChainInspector", "OcrInspector", "default_inspector", "enable_accessibility"]

log = logging.getLogger(__name__)


class ChainInspector:
    """Ask each inspector in turn; the first useful answer wins (see ``cross_check``)."""

    def __init__(self, *inspectors: Inspector, cross_check: bool = True) -> None:
        self.inspectors = inspectors
        self.cross_check = cross_check

    def prepare(self, observation: Observation) -> None:
        for inspector in self.inspectors:
            inspector.prepare(observation)

    def inspect(self, point: ScreenPoint, observation: Observation) -> TargetInfo | None:
        answers: list[TargetInfo] = []
        for inspector in self.inspectors:
            started = time.monotonic()
            found = inspector.inspect(point, observation)
            log.debug(
                "%s: %r in %.0f ms", type(inspector).__name__, found, (time.monotonic() - started) * 1000
            )
            if found is None:
                continue
            if _risky(found):
                return found  # the riskier reading wins; no need to look further
            answers.append(found)
            if found.label.strip() and not self.cross_check:
                break
        if not answers:
            return None
        labelled = [a for a in answers if a.label.strip()]
        if not labelled:
            return answers[0]
        best = labelled[0]
        if best is not answers[0] and not answers[0].label.strip():  # role from the tree, words from OCR
            return TargetInfo(best.label, answers[0].role, best.source, answers[0].bounds or best.bounds)
        return best

    def focused(self, observation: Observation) -> TargetInfo | None:
        for inspector in self.inspectors:
            found = inspector.focused(observation)
            if found is not None:
                return found
        return None


def _risky(target: TargetInfo) -> bool:
    return match_label(target) is not None or is_password_field(target)


def default_inspector(*, cross_check: bool = True) -> ChainInspector:
    """AT-SPI then OCR (each returns ``None`` where it cannot work)."""
    return ChainInspector(AtspiInspector(), OcrInspector(), cross_check=cross_check)
