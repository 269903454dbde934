"""Finding a skill step's target again: the port replay talks to, and its answers.

The lookup itself needs the screen (the accessibility bus, OCR, pixels), so it lives in
``deskhand.vision.lookup``; replay (``deskhand.core.replay``) only sees this Protocol.

Contract (kept stable; ``deskhand teach`` describes clicks through it):

* ``TargetLookup.describe(point, observation, label=None)`` -- what is at a screen point
  now, as a ``Target`` (accessibility element and its window, OCR label, place in the
  window, crop); ``label``: words already read there, so OCR need not run again.
* ``TargetLookup.find(target, observation)`` -- that target on the current screen:
  ``Found`` (one place, and how it was found) or ``NotFound`` (nothing, or more than one
  candidate -- replay never guesses between two buttons).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from deskhand.core.geometry import Rect, ScreenPoint
from deskhand.core.observation import Observation
from deskhand.core.skill import Target

__all__ = ["Found", "FoundBy", "NotFound", "TargetLookup"]

# How a replayed step's target was found; "model": the model was asked to do the step.
FoundBy = Literal["accessibility", "ocr", "image", "model"]


@dataclass(frozen=True, slots=True)
class Found:
    """The target's place now: the point to act on (screen units) and its bounds."""

    point: ScreenPoint
    by: FoundBy
    bounds: Rect | None = None


@dataclass(frozen=True, slots=True)
class NotFound:
    """Why the target could not be found unambiguously, in words for the record."""

    reason: str


class TargetLookup(Protocol):
    """Describes what is at a point, and finds a described target again."""

    def describe(
        self, point: ScreenPoint, observation: Observation, *, label: str | None = None
    ) -> Target: ...

    def find(self, target: Target, observation: Observation) -> Found | NotFound: ...
