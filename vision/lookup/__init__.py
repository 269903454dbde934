"""What a skill step acts on: described from a screen point, and found again later.

``ScreenLookup`` implements ``deskhand.core.skill_target.TargetLookup``:

* ``describe(point, observation)`` -- the accessibility element at the point (role, name)
  and its window's title, the window's place (so the point's offset in it), the OCR label
  under the point when the tree names nothing, and a crop of the screen around it.  Used
  by ``deskhand skills save`` (through the audit log, as each click is about to run) and
  by ``deskhand teach`` as the user clicks.
* ``find(target, observation)`` -- the same target on the current screen: the element by
  role + name in the window with that title; else the OCR label (in that window); else
  the crop, by template matching.  Each way must give exactly one place; two candidates
  are as good as none (``NotFound`` says which ways were tried and why they failed).

Pixels (OCR, crops) come from the screen's full-resolution grab of the observation
(``frames``), else a fresh grab.
"""

from __future__ import annotations

import logging

from deskhand.core.errors import CaptureFailed
from deskhand.core.geometry import Rect, ScreenPoint
from deskhand.core.observation import Observation
from deskhand.core.skill_target import Found, NotFound, Target
from deskhand.vision.capture import Frame, grab_frame
from deskhand.vision.inspect.ocr import STRIP_ZOOM, FrameSource, OcrInspector
from deskhand.vision.inspect.words import Phrase
from deskhand.vision.lookup.pixels import CROP_HALF, bounds_of, crop_around, match_crop
from deskhand.vision.lookup.tree import AccessibleTree, same_words
from deskhand.vision.lookup.windows import window_at, windows_titled

__all__ = ["ScreenLookup"]

log = logging.getLogger(__name__)


def _centre(rect: Rect) -> ScreenPoint:
    return ScreenPoint(x=rect.x + rect.width // 2, y=rect.y + rect.height // 2)


class ScreenLookup:
    """Describe and find skill targets on this desktop (see the module docstring)."""

    def __init__(self, *, frames: FrameSource | None = None, tree: AccessibleTree | None = None,
                 ocr: OcrInspector | None = None) -> None:  # fmt: skip
        self.frames = frames
        self.tree = tree or AccessibleTree()
        self.ocr = ocr or OcrInspector(frames=frames, prefetch_after=None)

    def close(self) -> None:
        self.tree.close()

    def describe(self, point: ScreenPoint, observation: Observation, *, label: str | None = None) -> Target:
        """``label``: the words already read under the point (the policy's inspector read
        them), so OCR is not run twice; ``None``: read them here if the tree names nothing."""
        top = window_at(point)
        element = self.tree.element_at(point, top.title if top else "")
        name, role = (element.name, element.role) if element is not None else ("", "")
        if name.strip():
            label = ""
        elif label is None:
            read = self.ocr.inspect(point, observation)
            label = read.label if read is not None else ""
        window = (element.window if element is not None else "") or (top.title if top else "")
        frame = self._frame(observation, around=point)
        return Target(
            role=role,
            name=name,
            window=window,
            label=label,
            offset=(point.x - top.rect.x, point.y - top.rect.y) if top else None,
            window_size=(top.rect.width, top.rect.height) if top else None,
            crop=crop_around(frame, point) if frame is not None else "",
        )

    def find(self, target: Target, observation: Observation) -> Found | NotFound:
        why: list[str] = []
        if target.name.strip() or (target.role.strip() and target.window.strip()):
            # An unnamed element (a field with a placeholder) is found by its role, if it is
            # the only one of its kind in its window.
            hits = [e for e in self.tree.find(target.role, target.name, target.window) if e.bounds]
            visible = [e for e in hits if e.bounds and self._on_top(_centre(e.bounds), target.window)]
            if len(visible) == 1 and visible[0].bounds is not None:
                return Found(_centre(visible[0].bounds), "accessibility", visible[0].bounds)
            why.append(f"accessibility: {_count(len(visible), 'element')}")
        text = target.label.strip() or target.name.strip()
        if text:
            phrases = [p for p in self._phrases(observation, target.window) if same_words(p.text, text)]
            placed = [p.bounds() for p in phrases if self._on_top(_centre(p.bounds()), target.window)]
            if len(placed) == 1:
                return Found(_centre(placed[0]), "ocr", placed[0])
            why.append(f"ocr: {_count(len(placed), 'label')}")
        if target.crop:
            frame = self._frame(observation)
            if frame is None:
                why.append("image: no screen grab")
            else:
                point, reason = match_crop(target.crop, frame)
                if point is not None:
                    return Found(point, "image", bounds_of(point))
                why.append(f"image: {reason}")
        return NotFound("; ".join(why) or "nothing describes it")

    def _on_top(self, point: ScreenPoint, title: str) -> bool:
        """Whether the window on top at ``point`` is the target's (unknown: yes)."""
        if not title.strip():
            return True
        top = window_at(point)
        return top is None or same_words(top.title, title)

    def _phrases(self, observation: Observation, title: str) -> list[Phrase]:
        """Phrases of the target's window(s) if its title names any (a window is read
        faster, and sharper, than the whole screen), else of the whole screen."""
        screen = observation.geometry.screen_rect
        windows = [_clip(w.rect, screen) for w in windows_titled(title, same_words)] if title.strip() else []
        if not windows or any(r is None for r in windows):
            return self.ocr._read_whole(observation) or []
        found: list[Phrase] = []
        for rect in windows:
            pixels = self.ocr._pixels(observation, rect) if rect is not None else None
            if pixels is not None:
                image, area, ratio = pixels
                found += self.ocr._read(image, area, ratio, max(1.0, STRIP_ZOOM / ratio)) or []
        return found

    def _frame(self, observation: Observation, around: ScreenPoint | None = None) -> Frame | None:
        """The observation's own full-resolution grab if the screen kept it; else a grab now,
        of the area ``around`` a point only (a crop needs no more), or of the whole screen."""
        frame = self.frames(observation) if self.frames is not None else None
        if frame is not None and frame.rect == observation.geometry.screen_rect:
            return frame
        area = observation.geometry.screen_rect
        if around is not None:
            hw, hh = CROP_HALF
            area = _clip(Rect(around.x - hw - 1, around.y - hh - 1, 2 * hw + 2, 2 * hh + 2), area) or area
        try:
            return grab_frame(area)
        except CaptureFailed as exc:
            log.info("cannot grab the screen: %s", exc)
            return None


def _count(n: int, what: str) -> str:
    return f"no {what} matches" if n == 0 else f"{n} {what}s match"


def _clip(rect: Rect, screen: Rect) -> Rect | None:
    """``rect`` within ``screen`` (None if it lies elsewhere, e.g. on another monitor)."""
    left, top = max(rect.x, screen.x), max(rect.y, screen.y)
    right = min(rect.x + rect.width, screen.x + screen.width)
    bottom = min(rect.y + rect.height, screen.y + screen.height)
    return Rect(left, top, right - left, bottom - top) if right > left and bottom > top else None
