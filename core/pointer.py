"""Where Deskhand last put the pointer, so an answer may act "from where the pointer is".

Qwen2.5-VL's and Qwen3-VL's ``left_click_drag`` drags from the pointer's position (the
cookbook's definition), and their agent makes one call per turn: a ``mouse_move`` in one
answer and the ``left_click_drag`` in the next.  The loop keeps the last place it put the
pointer with the geometry of the screenshot it was decided on, and hands it to the dialect
on the next observation in that image's pixels: the same point if the geometry did not
change, else mapped through the screen.  Only our own pointer actions count; if the point
is not on the new screenshot, it is unknown (None), and a dialect must refuse rather than
guess.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from deskhand.core.actions import Action, Click, Drag, Move, Scroll
from deskhand.core.geometry import ImagePoint, ScreenGeometry
from deskhand.core.observation import Observation

__all__ = ["Pointer", "pointer_after", "with_pointer"]


@dataclass(frozen=True, slots=True)
class Pointer:
    """A point of the screenshot whose ``geometry`` an action was decided on."""

    at: ImagePoint
    geometry: ScreenGeometry

    def on(self, geometry: ScreenGeometry) -> ImagePoint | None:
        """The same place in a screenshot with ``geometry`` (None if it is not on it)."""
        if geometry == self.geometry:
            return self.at
        return geometry.to_image(self.geometry.to_screen(self.at))


def pointer_after(action: Action, geometry: ScreenGeometry, before: Pointer | None) -> Pointer | None:
    """Where the pointer is after ``action`` ran on a screenshot with ``geometry``."""
    match action:
        case Click(at=at) | Move(at=at) | Drag(end=at) | Scroll(at=at) if at is not None:
            return Pointer(at, geometry)
        case _:
            return before


def with_pointer(observation: Observation, pointer: Pointer | None) -> Observation:
    """``observation`` knowing the pointer's place in its image (None if not on it)."""
    if pointer is None:
        return observation
    return dataclasses.replace(observation, pointer=pointer.on(observation.geometry))
