"""The active window's interactive elements, numbered, as the model is shown them.

A small local model places clicks on small targets badly (ScreenSpot-Pro: about half of
them miss), but it reads a numbered list well.  So, where the accessibility tree can be
trusted (``deskhand.vision.inspect.elements`` says when), each screenshot travels with a
compact list -- number, role, name, state, box -- and the model may answer "element 12"
instead of a point; the dialect turns that into the element's centre.

An element is kept in pixels of the image sent (``ImageBox``), converted once from the
tree's desktop rectangle through the observation's geometry; in the prompt its box is
written in the model's own frame (``ModelSpace.from_image``), which is the image's pixels
for the JSON and Qwen2.5-VL dialects and thousandths for Qwen3-VL, so the numbers the
model reads are the numbers it would write.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from deskhand.core.element_info import clean_label
from deskhand.core.geometry import ImageBox, ImagePoint, ModelSpace, Rect, ScreenGeometry, Size

__all__ = ["Element", "SeenElement", "element_point", "listing", "numbered"]

MAX_ELEMENTS = 60  # about 900 prompt tokens at most
MAX_NAME = 40


@dataclass(frozen=True, slots=True)
class SeenElement:
    """An element as the accessibility tree reports it: desktop rectangle, words, states."""

    role: str
    name: str
    rect: Rect
    states: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Element:
    """A numbered element of one observation, its box in pixels of the image sent."""

    number: int
    role: str
    name: str
    box: ImageBox
    states: tuple[str, ...] = ()

    @property
    def centre(self) -> ImagePoint:
        return self.box.centre


def numbered(
    seen: Sequence[SeenElement], geometry: ScreenGeometry, limit: int = MAX_ELEMENTS
) -> tuple[Element, ...]:
    """The elements visible in the image, in reading order, numbered from 1 (at most ``limit``)."""
    boxed = [(s, geometry.rect_to_image(s.rect)) for s in seen]
    visible = [(s, b) for s, b in boxed if b is not None and b.width >= 1 and b.height >= 1]
    visible.sort(key=lambda sb: (round(sb[1].top / 8), sb[1].left))
    return tuple(
        Element(n, s.role, clean_label(s.name)[:MAX_NAME], b, s.states)
        for n, (s, b) in enumerate(visible[:limit], start=1)
    )


def element_point(elements: Sequence[Element], number: int) -> ImagePoint | None:
    """The centre of element ``number`` (None if the list has no such element)."""
    return next((e.centre for e in elements if e.number == number), None)


def listing(elements: Sequence[Element], space: ModelSpace, image_size: Size) -> str:
    """The list as the model reads it, one element a line, boxes in the model's frame."""
    if not elements:
        return ""
    lines = []
    for e in elements:
        left, top = space.from_image(ImagePoint(x=e.box.left, y=e.box.top), image_size)
        right, bottom = space.from_image(ImagePoint(x=e.box.right, y=e.box.bottom), image_size)
        name = f' "{e.name}"' if e.name else ""
        states = f" ({', '.join(e.states)})" if e.states else ""
        lines.append(f"{e.number}: {e.role}{name}{states} [{left:.0f}, {top:.0f}, {right:.0f}, {bottom:.0f}]")
    header = (
        'Interactive elements of the active window (number: role "name" (state) '
        "[left, top, right, bottom] in screenshot coordinates); to act on one, give its number "
        'as "element" instead of a point:'
    )
    return header + "\n" + "\n".join(lines)
