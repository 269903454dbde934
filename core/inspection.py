"""Which element an action acts on, found by the ``Inspector`` before the policy judges it.

A left click or a drag acts on what is under its (first) point; typed text and keys act on
what has keyboard focus (its label and role for Enter and Space on a button, its window for
the line a terminal would run).  Everything else (scrolling, moving, shell commands) does
not depend on a target, and an action the policy already blocks is not worth a lookup.  Points go to the inspector in screen pixels, converted through the
observation the action was decided on.
"""

from __future__ import annotations

import logging

from deskhand.core.actions import Action, Click, Drag, Hotkey, MouseButton, TypeText
from deskhand.core.observation import Observation
from deskhand.core.ports import Inspector
from deskhand.core.target import TargetInfo

log = logging.getLogger(__name__)


def find_target(inspector: Inspector, action: Action, observation: Observation) -> TargetInfo | None:
    """The element ``action`` acts on, or ``None`` when it has none or nothing was found.

    An inspector that fails is logged and counts as "nothing found": the action is then
    judged on its own, exactly as without an inspector, and the task goes on.
    """
    to_screen = observation.geometry.to_screen
    try:
        match action:
            case Click(at=point, button=MouseButton.LEFT):
                return inspector.inspect(to_screen(point), observation)
            case Drag(start=point):
                return inspector.inspect(to_screen(point), observation)
            case TypeText() | Hotkey():
                return inspector.focused(observation)
            case _:
                return None
    except Exception:  # an inspector's failure must not end the task; see the docstring
        log.warning("could not inspect the target of %s", action.kind, exc_info=True)
        return None
