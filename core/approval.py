"""The gate at the bottom of core: an action runs only as an ``Approved`` from ``approve``.

Kept apart from the rules (``core.policy``) so that the ports, the executors and the
approvers -- everything that only passes verdicts and answers around -- need not import
the shell analysis behind a verdict.  The verdict decides the level; the person's answer
decides a ``confirm``; nothing else builds an ``Approved``.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Generic, TypeVar

from pydantic import BaseModel

from deskhand.core.geometry import ScreenGeometry
from deskhand.core.verdict import Level, Verdict

__all__ = ["Approved", "UserAnswer", "approve"]


class UserAnswer(IntEnum):
    """What the user (or ``--yes``) answered to a confirm-level verdict."""

    DENY = 0
    ALLOW_ONCE = 1
    ALLOW_FOR_TASK = 2


A = TypeVar("A", bound=BaseModel)
_GATE = object()


class Approved(Generic[A]):
    """An action cleared to run, bound to the screenshot geometry it was decided on.

    Only ``approve`` can build one; executors accept nothing else, so an action without a
    verdict, or one the user denied, cannot reach the keyboard, the mouse or the shell.
    """

    __slots__ = ("action", "geometry", "verdict")

    def __init__(self, action: A, verdict: Verdict, geometry: ScreenGeometry, *, _key: object) -> None:
        if _key is not _GATE:
            raise TypeError("Approved actions come only from deskhand.core.approval.approve()")
        self.action = action
        self.verdict = verdict
        self.geometry = geometry

    def __repr__(self) -> str:
        return f"Approved({self.action!r}, {self.verdict.level.name})"


def approve(
    action: A, verdict: Verdict, geometry: ScreenGeometry, *, user: UserAnswer | None
) -> Approved[A] | None:
    """Pass the gate: auto runs, confirm needs the user's yes, block never runs."""
    if verdict.level is Level.BLOCK:
        return None
    if verdict.level is Level.CONFIRM and user not in (UserAnswer.ALLOW_ONCE, UserAnswer.ALLOW_FOR_TASK):
        return None
    return Approved(action, verdict, geometry, _key=_GATE)
