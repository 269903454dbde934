"""The check between the actions of one answer: is the next one still aimed at what the model saw?

A model may answer with several actions (Qwen's several tool calls, UI-TARS's several calls
after one ``Action:``, the JSON dialect's list), all decided on one screenshot.  After the
first runs, the screen may no longer be the one the rest were decided on: a dialog opened
over the next target, a list scrolled, a menu closed.  So before each further pointer action
the loop looks again (a fresh observation, after the settle) and compares the fingerprints of
the two screenshots around each point the action aims at.  If the screen changed there, the
model never saw what the action would now land on: the action is not run, nor the rest, and
the model decides again from the new screenshot.  Actions without a point (typing, keys,
waiting) run on: their precondition is the focus, which the policy's judge checks anyway.

A change elsewhere (the field just clicked got a caret) does not stop the next action; a
change near it does, even a harmless one -- that costs one model call, never a wrong click.
Where an earlier action of the same answer acted itself, a change is its own doing (a hover
highlight after ``mouse_move``, a pressed button), not a surprise: a point there is not checked,
so the cookbook's ``mouse_move`` then ``left_click_drag`` from that point still drags.
"""

from __future__ import annotations

from deskhand.core.actions import Action, Click, Drag, Move, Scroll
from deskhand.core.geometry import ImagePoint
from deskhand.core.observation import FINGERPRINT_SIZE, Observation
from deskhand.core.repeat_guard import CELL_TOLERANCE

__all__ = ["aimed_points", "changed_at", "precondition"]

NEAR = 12  # image pixels around the point: a small button's middle (1 to 4 fingerprint cells)


def aimed_points(action: Action) -> tuple[ImagePoint, ...]:
    """The points of the screenshot an action aims at (none for typing, keys, waiting)."""
    match action:
        case Click(at=at) | Move(at=at):
            return (at,)
        case Drag(start=start, end=end):
            return (start, end)
        case Scroll(at=at) if at is not None:
            return (at,)
        case _:
            return ()


def changed_at(before: Observation, after: Observation, point: ImagePoint) -> bool:
    """Whether the screen changed around ``point`` (pixels of ``before``'s image) between two
    observations; unknown fingerprints or a different image size count as changed."""
    columns, rows = FINGERPRINT_SIZE
    a, b = before.fingerprint, after.fingerprint
    size = before.geometry.image_size
    if len(a) != columns * rows or len(b) != len(a) or size != after.geometry.image_size:
        return True

    def cells(low: float, high: float, count: int, extent: int) -> range:
        first = max(0, int(low * count / extent))
        return range(first, min(count - 1, int(high * count / extent)) + 1)

    for y in cells(point.y - NEAR, point.y + NEAR, rows, size.height):
        for x in cells(point.x - NEAR, point.x + NEAR, columns, size.width):
            if abs(a[y * columns + x] - b[y * columns + x]) > CELL_TOLERANCE:
                return True
    return False


def precondition(
    action: Action, decided_on: Observation, now: Observation, acted: tuple[ImagePoint, ...] = ()
) -> str | None:
    """Why ``action`` (decided on ``decided_on``) must not run on the screen as it is ``now``,
    or None if what it aims at looks as the model saw it; ``acted``: where the answer's earlier
    actions acted (a change there is theirs)."""
    for point in aimed_points(action):
        if any(abs(point.x - p.x) <= NEAR and abs(point.y - p.y) <= NEAR for p in acted):
            continue
        if changed_at(decided_on, now, point):
            return (
                f"the screen changed at ({point.x:g}, {point.y:g}) after the earlier action, so "
                "its target may be gone; decide again from the new screenshot"
            )
    return None
