"""Which element an action acts on, found by the ``Inspector`` before the policy judges it.

A left click or a drag acts on what is under its (first) point; typed text and keys act on
what has keyboard focus (its label and role for Enter and Space on a button, its window for
the line a terminal would run).  Everything else (scrolling, moving, shell commands) does
not depend on an element, and an action the policy already blocks is not worth a lookup.  Points go to the inspector in screen pixels, converted through the
observation the action was decided on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext

from deskhand.core.actions import Action, Click, Drag, Hotkey, MouseButton, TypeText
from deskhand.core.element_info import ElementInfo
from deskhand.core.landing import landing_points
from deskhand.core.observation import Observation
from deskhand.core.policy import ask_every_time, assess
from deskhand.core.ports import Inspector
from deskhand.core.tools import ToolKey
from deskhand.core.typed_line import TypedLines
from deskhand.core.verdict import Level, Verdict

__all__ = ["find_element", "judge"]

log = logging.getLogger(__name__)


def find_element(inspector: Inspector, action: Action, observation: Observation) -> ElementInfo | None:
    """The element ``action`` acts on, or ``None`` when it has none or nothing was found.

    An inspector that fails is logged and counts as "nothing found": the action is then
    judged on its own, exactly as without an inspector, and the task goes on.
    """
    try:
        match action:
            case Click(button=MouseButton.LEFT) | Drag():  # what it clicks or grabs: its first point
                return inspector.inspect(landing_points(action, observation.geometry)[0], observation)
            case TypeText() | Hotkey():
                return inspector.focused(observation)
            case _:
                return None
    except Exception:  # an inspector's failure must not end the task; see the docstring
        log.warning("could not inspect the target of %s", action.kind, exc_info=True)
        return None


def _untimed() -> AbstractContextManager[None]:
    return nullcontext()


def judge(
    action: Action,
    observation: Observation,
    *,
    inspector: Inspector | None,
    unlocked: frozenset[str],
    ask_every_action: bool,
    tools: Mapping[ToolKey, Verdict] | None = None,
    lines: TypedLines | None = None,
    secrets: frozenset[str] = frozenset(),
    timed_inspect: Callable[[], AbstractContextManager[None]] = _untimed,
) -> tuple[ElementInfo | None, Verdict]:
    """What ``action`` lands on, and the policy's verdict on both -- raised to confirm
    when the user asked to approve everything.

    The one way an action is judged, for the loop's steps and for single actions an MCP
    client asks for.  The action is judged on its own first: an element can only raise a
    level, so a blocked action is not worth a lookup, and one the inspector finds nothing
    for is judged once.  Keys and typing are judged with the line their window holds unsent
    (``lines``; the window typed into last until an element names one): knowing an element is
    not a terminal is the one thing that may lower a level.  ``secrets`` are values typed
    into password fields earlier, which a note to remember may not hold.
    """
    typed = lines or TypedLines()
    offered = tools or {}
    verdict = assess(action, unlocked=unlocked, tools=offered, line=typed.line(None), secrets=secrets)
    element = None
    if inspector is not None and verdict.level is not Level.BLOCK:
        with timed_inspect():
            element = find_element(inspector, action, observation)
        if element is not None:
            verdict = assess(
                action, element, unlocked=unlocked, tools=offered, line=typed.line(element), secrets=secrets
            )
    if ask_every_action:
        verdict = ask_every_time(verdict)
    return element, verdict
