"""The grounding stage of the decide step: the element list in, snapped or zoomed points out.

``perceive`` gives an observation its numbered elements before the model is asked (the
dialect shows them); ``refine`` looks at each pointer action of the decision the model
made: one it aimed by element number is left alone, a point at one element's edge is
snapped to its centre, and -- at most once per step, only when the rules of
``deskhand.core.grounding`` say so -- a small or ambiguous target is looked at again in a
zoomed crop of the same grab, and the refined point replaces the first.  Every change is
written down as a note for the step record (``grounding``), with both points and the crop.

A failed zoom (no grab kept, an answer without a point, an unparseable one) keeps the
first answer: zooming may only improve a point, never lose the step.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from typing import Any

from deskhand.core.actions import Action, Click, Decision, Drag, Move, Scroll, describe
from deskhand.core.elements import numbered
from deskhand.core.geometry import ImageBox, ImagePoint, through_crop
from deskhand.core.grounding import GroundingOptions, snap_to_element, zoom_reason, zoom_region
from deskhand.core.observation import Completion, Conversation, Observation
from deskhand.core.ports import Dialect, ElementSource, Inspector, Zoomer

__all__ = ["ZOOM_PROMPT", "Refiner"]

Note = dict[str, Any]
Ask = Callable[[Conversation], Completion]

ZOOM_PROMPT = """{task}

Zoomed-in view: this image is not the whole screen. It shows only the part of the screen around the point you chose for your last action ({what}), enlarged {factor:g} times, so small things are easier to see. Give that same action again, with its point on the intended target in this image's coordinates."""


def _xy(point: ImagePoint) -> list[float]:
    return [round(point.x, 1), round(point.y, 1)]


def _point_of(action: Action) -> ImagePoint | None:
    match action:
        case Click(at=p) | Move(at=p):
            return p
        case Scroll(at=p):
            return p
        case Drag(start=p):
            return p
        case _:
            return None


def _moved(action: Action, point: ImagePoint) -> Action:
    match action:
        case Drag():
            return action.model_copy(update={"start": point})
        case Click() | Move() | Scroll():
            return action.model_copy(update={"at": point})
        case _:
            return action


class Refiner:
    """Snaps and zooms pointer answers (see the module docstring); one per task."""

    def __init__(
        self,
        options: GroundingOptions,
        *,
        elements: ElementSource | None = None,
        zoomer: Zoomer | None = None,
    ) -> None:
        self.options = options
        self.source = elements if options.elements else None
        self.zoomer = zoomer if options.zoom else None

    def perceive(self, observation: Observation) -> Observation:
        """The observation with its numbered elements (unchanged when there are none)."""
        if self.source is None:
            return observation
        seen = self.source.elements(observation)
        if not seen:
            return observation
        return replace(observation, elements=numbered(seen, observation.geometry))

    def refine(
        self,
        decision: Decision,
        observation: Observation,
        *,
        task: str,
        dialect: Dialect,
        ask: Ask,
        inspector: Inspector | None,
        timed_inspect: Callable[[], AbstractContextManager[None]] = nullcontext,
    ) -> tuple[Decision, list[Note]]:
        """The decision with its points snapped or zoomed, and a note per change;
        ``timed_inspect`` times the inspector's lookups as the step's "inspect" stage."""
        notes: list[Note] = []
        actions = list(decision.actions)
        zoomed = False
        for index, action in enumerate(actions):
            point = _point_of(action)
            if point is None:
                continue
            if isinstance(action, Click | Move) and action.element is not None:
                notes.append({"action": index, "element": action.element})
                continue
            snapped = self._snap(point, observation)
            if snapped is not None:
                number, centre = snapped
                actions[index] = _moved(action, centre)
                snap = {"from": _xy(point), "to": _xy(centre), "element": number}
                notes.append({"action": index, "snapped": snap})
                continue
            zoomer = self.zoomer
            if zoomed or zoomer is None:
                continue
            with timed_inspect():
                found_box = self._found_box(point, observation, inspector)
            reason = zoom_reason(point, observation.elements, found_box, self.options)
            if reason is None:
                continue
            zoomed = True
            note, refined = self._zoom(zoomer, action, point, reason, observation, task, dialect, ask)
            notes.append({"action": index, "zoom": note})
            if refined is not None:
                actions[index] = _moved(action, refined)
        if not notes:
            return decision, notes
        return decision.model_copy(update={"actions": tuple(actions)}), notes

    def _snap(self, point: ImagePoint, observation: Observation) -> tuple[int, ImagePoint] | None:
        if not self.options.snap or not observation.elements:
            return None
        element = snap_to_element(point, observation.elements, self.options.snap_reach)
        if element is None or element.centre == point:
            return None
        return element.number, element.centre

    def _found_box(
        self, point: ImagePoint, observation: Observation, inspector: Inspector | None
    ) -> ImageBox | None:
        """The element the accessibility tree finds at the point, as a box of the image (when
        no element is listed: with a list, the list says what is near)."""
        if inspector is None or observation.elements:
            return None
        try:
            found = inspector.inspect(observation.geometry.to_screen(point), observation)
        except Exception:  # an inspector's failure only means "nothing known"; see core.inspection
            return None
        if found is None or found.bounds is None or found.source != "accessibility":
            return None  # OCR's box is the label's ink, not the target: it says nothing of size
        return observation.geometry.rect_to_image(found.bounds)

    def _zoom(
        self,
        zoomer: Zoomer,
        action: Action,
        point: ImagePoint,
        reason: str,
        observation: Observation,
        task: str,
        dialect: Dialect,
        ask: Ask,
    ) -> tuple[Note, ImagePoint | None]:
        note: Note = {"reason": reason, "first": _xy(point)}
        region = zoom_region(point, observation.geometry, self.options)
        started = time.perf_counter()
        crop = zoomer.zoom(observation, region, dialect.grid)
        note["crop"] = list(region)
        if crop is None:
            note["skipped"] = "the full-resolution grab of this screenshot is gone"
            return note, None
        crop = self._with_elements(crop, observation)
        note["crop_image_size"] = list(crop.geometry.image_size)
        note["crop_ms"] = round((time.perf_counter() - started) * 1000, 1)
        factor = (crop.geometry.image_size.width / region.width) / (
            observation.geometry.image_size.width / observation.geometry.screen_rect.width
        )
        prompt = ZOOM_PROMPT.format(task=task, what=describe(action), factor=round(factor, 1))
        completion = ask(dialect.conversation(prompt, (), crop))
        note["raw_output"] = completion.text
        note["model_ms"] = round(completion.model_ms, 1)
        parsed = dialect.parse(completion.text, crop)
        if not isinstance(parsed, Decision):
            note["skipped"] = f"the zoomed answer could not be used: {parsed.problem}"
            return note, None
        in_crop = next((p for p in map(_point_of, parsed.actions) if p is not None), None)
        if in_crop is None:
            note["skipped"] = "the zoomed answer named no point"
            return note, None
        refined = through_crop(in_crop, crop.geometry, observation.geometry)
        note["in_crop"] = _xy(in_crop)
        note["refined"] = _xy(refined)
        return note, refined

    def _with_elements(self, crop: Observation, observation: Observation) -> Observation:
        """The crop with the elements it shows, boxed in its own pixels, same numbers."""
        if not observation.elements:
            return crop
        kept = []
        for element in observation.elements:
            box = element.box
            left, top = observation.geometry.to_desktop(ImagePoint(x=box.left, y=box.top))
            right, bottom = observation.geometry.to_desktop(ImagePoint(x=box.right, y=box.bottom))
            r = crop.geometry.screen_rect
            if right <= r.x or bottom <= r.y or left >= r.x + r.width or top >= r.y + r.height:
                continue
            a = crop.geometry.from_desktop(left, top)
            b = crop.geometry.from_desktop(right, bottom)
            kept.append(replace(element, box=ImageBox(a.x, a.y, b.x, b.y)))
        return replace(crop, elements=tuple(kept))
