"""Risk verdicts and the approval gate: the only way an action becomes runnable.

The policy looks at the action alone -- never at the model's thought or at text on the
screen -- so nothing the model says can lower a level.  Rules are data (``GuiRule`` rows and
the shell rules in ``shell_risk``); the highest level any rule gives wins, and an action no
rule knows gets ``confirm``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import Generic, TypeVar

from pydantic import BaseModel

from deskhand.core.actions import (
    Action,
    AskUser,
    Click,
    Drag,
    Finish,
    Hotkey,
    Move,
    RunShell,
    Scroll,
    TypeText,
    Wait,
)
from deskhand.core.geometry import ScreenGeometry
from deskhand.core.shell_risk import classify_command, starts_like_a_command
from deskhand.core.verdict import Level, Verdict, worst


class UserAnswer(IntEnum):
    """What the user (or ``--yes``) answered to a confirm-level verdict."""

    DENY = 0
    ALLOW_ONCE = 1
    ALLOW_FOR_TASK = 2


@dataclass(frozen=True, slots=True)
class HotkeyRule:
    """A key chord with its level, e.g. ctrl+alt+delete is never pressed for you."""

    keys: frozenset[str]
    level: Level
    reason: str


HOTKEY_RULES: tuple[HotkeyRule, ...] = (
    HotkeyRule(frozenset({"ctrl", "alt", "delete"}), Level.BLOCK, "it opens the system's secure attention/logout screen"),
    HotkeyRule(frozenset({"ctrl", "alt", "backspace"}), Level.BLOCK, "it can kill the whole graphical session"),
    HotkeyRule(frozenset({"super", "l"}), Level.CONFIRM, "it locks the screen"),
    HotkeyRule(frozenset({"alt", "f4"}), Level.CONFIRM, "it closes the focused window, possibly losing unsaved work"),
    HotkeyRule(frozenset({"ctrl", "q"}), Level.CONFIRM, "it quits the focused application"),
    HotkeyRule(frozenset({"ctrl", "w"}), Level.CONFIRM, "it closes the current tab or window"),
    HotkeyRule(frozenset({"shift", "delete"}), Level.CONFIRM, "it deletes permanently in file managers"),
)  # fmt: skip

_TYPED_LINES = re.compile(r"[\r\n]+")


def assess(action: Action) -> Verdict:
    """Give ``action`` a verdict from the rules above and the shell rules."""
    match action:
        case Click() | Move() | Scroll() | Drag() | Wait():
            return Verdict(level=Level.AUTO, reason="pointer and waiting actions are reversible")
        case Finish() | AskUser():
            return Verdict(level=Level.AUTO, reason="ends the task; nothing is executed")
        case Hotkey(keys=keys):
            return _assess_hotkey(frozenset(keys))
        case TypeText(text=text):
            return _assess_typed(text)
        case RunShell(command=command):
            risk = classify_command(command)
            return Verdict(level=risk.level, reason=risk.reason)


def _assess_hotkey(keys: frozenset[str]) -> Verdict:
    matched = [r for r in HOTKEY_RULES if r.keys == keys]
    if matched:
        rule = max(matched, key=lambda r: r.level.rank)
        return Verdict(level=rule.level, reason=f"{'+'.join(sorted(keys))}: {rule.reason}")
    return Verdict(level=Level.AUTO, reason="a keyboard shortcut")


def _assess_typed(text: str) -> Verdict:
    """Typing is harmless unless the text is a risky command a terminal could run.

    Judged with or without a newline in it: otherwise "type the command" followed by
    "press Enter" would carry a blocked command past the policy in two harmless steps.
    """
    verdicts = [
        Verdict(level=risk.level, reason=f"typed text is a command a terminal would run: {risk.reason}")
        for risk in map(classify_command, filter(starts_like_a_command, _TYPED_LINES.split(text)))
    ]
    return worst(verdicts, Verdict(level=Level.AUTO, reason="typing text"))


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
            raise TypeError("Approved actions come only from deskhand.core.policy.approve()")
        self.action = action
        self.verdict = verdict
        self.geometry = geometry

    def __repr__(self) -> str:
        return f"Approved({self.action!r}, {self.verdict.level.name})"


Confirm = Callable[[Action, Verdict], UserAnswer]


def approve(
    action: A, verdict: Verdict, geometry: ScreenGeometry, *, user: UserAnswer | None
) -> Approved[A] | None:
    """Pass the gate: auto runs, confirm needs the user's yes, block never runs."""
    if verdict.level is Level.BLOCK:
        return None
    if verdict.level is Level.CONFIRM and user not in (UserAnswer.ALLOW_ONCE, UserAnswer.ALLOW_FOR_TASK):
        return None
    return Approved(action, verdict, geometry, _key=_GATE)
