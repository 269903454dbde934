"""A skill step's target: what a pointer step acted on, and the port that finds it again.

``Target`` describes the thing a click or scroll was on in every way replay may find it
(why a description and not a point: ``deskhand.core.skill``); the pointer steps
(``deskhand.core.skill_steps``) keep one.

Finding it needs the screen (the accessibility bus, OCR, pixels), so the lookup lives in
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

from pydantic import BaseModel, ConfigDict

from deskhand.core.element_info import clean_label
from deskhand.core.geometry import Rect, ScreenPoint
from deskhand.core.observation import Observation

__all__ = ["Found", "FoundBy", "NotFound", "Target", "TargetLookup"]


class Target(BaseModel):
    """What a pointer step acted on, in every way replay may find it again.

    ``role``/``name``/``window``: the accessibility element and its window's title;
    ``label``: the text OCR read under the point; ``offset``: the point in pixels from its
    window's top-left corner, with ``window_size`` the window's size then; ``crop``: a PNG
    (base64) of the screen around the point, centred on it -- matched only when nothing
    else names the target.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    role: str = ""
    name: str = ""
    window: str = ""
    label: str = ""
    offset: tuple[int, int] | None = None
    window_size: tuple[int, int] | None = None
    crop: str = ""

    def words(self) -> str:
        """``the button 'Apple' in 'Orchard Panel'`` -- how a person would point at it."""
        role = _ROLE_WORDS.get(self.role, self.role)
        name = clean_label(self.name or self.label)
        if name:
            what = f"the {role} '{name}'" if role else f"'{name}'"
        elif role:
            what = f"the {role}"
        elif self.offset is not None:
            what = f"the point {self.offset[0]},{self.offset[1]}"
        else:
            what = "the recorded spot"
        return f"{what} in '{clean_label(self.window)}'" if self.window.strip() else what

    def findable(self) -> bool:
        """Whether replay has anything to look for (else only the model can do the step)."""
        return bool(self.name.strip() or self.label.strip() or self.crop)


_ROLE_WORDS = {
    "push button": "button",
    "toggle button": "toggle",
    "check box": "checkbox",
    "radio button": "radio button",
    "text": "field",
    "entry": "field",
    "password text": "password field",
    "page tab": "tab",
    "menu item": "menu item",
    "list item": "list item",
    "label": "text",
}

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
