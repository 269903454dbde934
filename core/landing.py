"""Where a pointer action lands: the one answer every part of the house asks for.

The executor moves the pointer there, the policy's inspector looks there, the repeat guard
compares there, our windows step out of the way there, settle watches there, and the
record and the marker show it.  A drag touches two points: it *grabs* what is under
``start`` (that element is what gets judged) and *lands* at ``end`` (where its effect
shows, so that is what settle watches and the record keeps).  Everything else touches at
most one point.
"""

from __future__ import annotations

from deskhand.core.actions import Action, Click, Drag, Move, Scroll
from deskhand.core.geometry import ImagePoint, ScreenGeometry, ScreenPoint

__all__ = ["landing_points", "lands_at", "pointer_path"]


def pointer_path(action: Action) -> tuple[ImagePoint, ...]:
    """The image points ``action`` touches, in the order the pointer visits them."""
    match action:
        case Click(at=p) | Move(at=p):
            return (p,)
        case Drag(start=a, end=b):
            return (a, b)
        case Scroll(at=p) if p is not None:
            return (p,)
        case _:
            return ()


def landing_points(action: Action, geometry: ScreenGeometry) -> tuple[ScreenPoint, ...]:
    """``pointer_path`` on the desktop, through the screenshot the action was decided on.

    The first point is what the action grabs or clicks, the last where it lands; empty for
    actions that do not move the pointer (and for a scroll wherever the pointer is).
    """
    return tuple(geometry.to_screen(p) for p in pointer_path(action))


def lands_at(action: Action) -> ImagePoint | None:
    """Where in the screenshot ``action``'s effect shows: the last point it touches."""
    path = pointer_path(action)
    return path[-1] if path else None
