"""Notices an action repeated on a screen it did not change, so the loop does not spin.

A model that clicks a dead spot, scrolls past the end of a page or presses a key that does
nothing sees the same screen again -- and often decides the same thing again, until the
step budget runs out.  So when the screen is unchanged since the step whose actions were
carried out, and the model proposes one of those actions again, the guard refuses it: the
action is not performed and the model is told why, so it can change approach.  After
``max_refusals`` refusals in a row the task ends as "gave up", with the reason.

"The same action" compares pointer positions on the *screen* (within a few pixels; the
model's coordinates differ slightly between answers), every other field exactly.
"Unchanged" compares the observations' fingerprints (a small greyscale thumbnail made at
capture, see ``Observation.fingerprint``): tight enough that a ticked checkbox counts as a
change, so a false "unchanged" is rare; a blinking caret may count as a change, which only
means the guard stays out of the way.  Waiting is never refused: waiting on an unchanged
screen for something to load is what waiting is for.

A slow app must not look like a dead one: the settler (``actions.settle``) does not call an
input settled while the screen still looks as before it by this same test
(``screens_alike``), until ``settle_cap`` runs out.  So the guard sees "the same screen"
only after that wait has run out -- never because the app had not reacted *yet* (a Save As
dialog that closes half a second after Enter).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from deskhand.core.actions import Action, AskUser, Finish, Wait, describe
from deskhand.core.geometry import ImagePoint, ScreenGeometry, ScreenPoint
from deskhand.core.landing import landing_points
from deskhand.core.observation import Observation

__all__ = ["CELL_TOLERANCE", "CHANGE_TOLERANCE", "SAME_POINT_PX", "RepeatGuard", "screens_alike"]

SAME_POINT_PX = 8  # screen pixels: two answers about one button rarely differ by more
CELL_TOLERANCE = 5  # grey levels per cell: a blinking caret moves one by 4, a typed "a" by 7
# For "did this step do anything" (a skill step's expected change): a field getting the focus
# on a 2560x1440 screen sent at 1316x728 moves a cell by only 3 (caret off) to 5 (caret on).
CHANGE_TOLERANCE = 2
_NEVER_REFUSED = (Wait, Finish, AskUser)


def screens_alike(a: bytes, b: bytes, tolerance: int = CELL_TOLERANCE) -> bool:
    """Whether two fingerprints show the same screen (unknown fingerprints never do)."""
    if not a or len(a) != len(b):
        return False
    return max(abs(x - y) for x, y in zip(a, b, strict=True)) <= tolerance


@dataclass(frozen=True, slots=True)
class _Shape:
    """An action as the guard compares it: its kind and fields, its points on the screen."""

    fields: tuple[tuple[str, object], ...]
    points: tuple[ScreenPoint, ...]

    @classmethod
    def of(cls, action: Action, geometry: ScreenGeometry) -> _Shape:
        fields = tuple((name, value) for name, value in action if not isinstance(value, ImagePoint))
        return cls(fields, landing_points(action, geometry))

    def same_as(self, other: _Shape) -> bool:
        return (
            self.fields == other.fields
            and len(self.points) == len(other.points)
            and all(
                abs(p.x - q.x) <= SAME_POINT_PX and abs(p.y - q.y) <= SAME_POINT_PX
                for p, q in zip(self.points, other.points, strict=True)
            )
        )


@dataclass
class RepeatGuard:
    """Remembers the last step's executed actions and the screen they were done on."""

    max_refusals: int = 2
    refusals: int = 0  # in a row; reset by any executed action
    last_refused: str = ""  # the refused action in words, for the task's end message
    _fingerprint: bytes = b""
    _observation_id: str = ""
    _done: list[_Shape] = field(default_factory=list)

    def check(self, action: Action, observation: Observation) -> str | None:
        """Why ``action`` should not be done again now, or ``None`` if it may run."""
        if isinstance(action, _NEVER_REFUSED) or observation.id == self._observation_id:
            return None
        if not screens_alike(self._fingerprint, observation.fingerprint):
            return None
        shape = _Shape.of(action, observation.geometry)
        if not any(shape.same_as(done) for done in self._done):
            return None
        self.refusals += 1
        self.last_refused = describe(action)
        return (
            "it was already done on this same screen and changed nothing; try something else "
            "(another element, a keyboard shortcut, scrolling), or finish if the task cannot be done"
        )

    def executed(self, action: Action, observation: Observation) -> None:
        """``action`` was carried out on ``observation``."""
        if observation.id != self._observation_id:
            self._observation_id, self._fingerprint, self._done = observation.id, observation.fingerprint, []
        self._done.append(_Shape.of(action, observation.geometry))
        self.refusals = 0

    @property
    def exhausted(self) -> bool:
        """The model kept repeating itself after being told: time to stop the task."""
        return self.refusals >= self.max_refusals
