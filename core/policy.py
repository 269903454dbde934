"""Risk verdicts and the approval gate: the only way an action becomes runnable.

The policy looks at the action, and at the element the action lands on as an inspector
found it (``TargetInfo``: accessibility label and role, or OCR text) -- never at the
model's thought, nor at other text on the screen -- so nothing the model says can lower a
level, and screen text can only raise one (a risky word in a button's label asks first).
Rules are data with stable ids (``HOTKEY_RULES`` here, ``gui_rules.LABEL_RULES``,
``shell_rules.RULES``); the highest level any rule gives wins, and an action no rule knows
gets ``confirm``.  ``unlocked`` (from settings) names block rules the user allows to *ask*
instead of refusing; nothing ever becomes ``auto`` by unlocking.
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
    MouseButton,
    Move,
    RunShell,
    Scroll,
    TypeText,
    Wait,
)
from deskhand.core.geometry import ScreenGeometry
from deskhand.core.gui_rules import is_password_field, match_label
from deskhand.core.shell_risk import ShellRisk, classify_command, starts_like_a_command
from deskhand.core.shell_rules import BLOCK_RULES, RULES
from deskhand.core.target import UNREADABLE_ROLE, TargetInfo
from deskhand.core.verdict import Level, Verdict, worst


class UserAnswer(IntEnum):
    """What the user (or ``--yes``) answered to a confirm-level verdict."""

    DENY = 0
    ALLOW_ONCE = 1
    ALLOW_FOR_TASK = 2


@dataclass(frozen=True, slots=True)
class HotkeyRule:
    """A key chord with its level, e.g. ctrl+alt+delete is never pressed for you."""

    id: str
    keys: frozenset[str]
    level: Level
    reason: str


HOTKEY_RULES: tuple[HotkeyRule, ...] = (
    HotkeyRule("hotkey-secure-attention", frozenset({"ctrl", "alt", "delete"}), Level.BLOCK, "it opens the system's secure attention/logout screen"),
    HotkeyRule("hotkey-kill-session", frozenset({"ctrl", "alt", "backspace"}), Level.BLOCK, "it can kill the whole graphical session"),
    HotkeyRule("hotkey-lock", frozenset({"super", "l"}), Level.CONFIRM, "it locks the screen"),
    HotkeyRule("hotkey-close-window", frozenset({"alt", "f4"}), Level.CONFIRM, "it closes the focused window, possibly losing unsaved work"),
    HotkeyRule("hotkey-quit", frozenset({"ctrl", "q"}), Level.CONFIRM, "it quits the focused application"),
    HotkeyRule("hotkey-close-tab", frozenset({"ctrl", "w"}), Level.CONFIRM, "it closes the current tab or window"),
    HotkeyRule("hotkey-delete-permanently", frozenset({"shift", "delete"}), Level.CONFIRM, "it deletes permanently in file managers"),
)  # fmt: skip
# Every rule a user may unlock in settings (block rules only), id -> what it guards against.
UNLOCKABLE_RULES: dict[str, str] = {
    **{rid: RULES[rid].summary for rid in sorted(BLOCK_RULES)},
    **{
        r.id: f"pressing {'+'.join(sorted(r.keys))}: {r.reason}"
        for r in HOTKEY_RULES
        if r.level is Level.BLOCK
    },
}
ACTIVATE_KEYS = (frozenset({"enter"}), frozenset({"space"}))  # press the focused button
_TYPED_LINES = re.compile(r"[\r\n]+")
_NO_UNLOCKS: frozenset[str] = frozenset()


def assess(
    action: Action, target: TargetInfo | None = None, *, unlocked: frozenset[str] = _NO_UNLOCKS
) -> Verdict:
    """Give ``action`` a verdict from the rules.

    ``target`` is what an inspector found where a click lands, or what has keyboard focus
    for typing and Enter/Space; ``None`` when unknown (then only the action counts).
    """
    match action:
        case Click(button=button) if target is not None and button is MouseButton.LEFT:
            return _assess_target(target, "clicks") or _REVERSIBLE
        case Drag() if target is not None:
            return _assess_target(target, "drags") or _REVERSIBLE
        case Click() | Move() | Scroll() | Drag() | Wait():
            return _REVERSIBLE
        case Finish() | AskUser():
            return Verdict(level=Level.AUTO, reason="ends the task; nothing is executed")
        case Hotkey(keys=keys):
            verdict = _assess_hotkey(frozenset(keys), unlocked)
            if target is not None and frozenset(keys) in ACTIVATE_KEYS:
                return worst([_assess_target(target, f"presses {'+'.join(keys)} on") or verdict], verdict)
            return verdict
        case TypeText(text=text):
            return _assess_typed(text, target, unlocked)
        case RunShell(command=command):
            risk = classify_command(command, unlocked=unlocked)
            return Verdict(level=risk.level, reason=risk.reason, rules=risk.rules)


_REVERSIBLE = Verdict(level=Level.AUTO, reason="pointer and waiting actions are reversible")


def _assess_target(target: TargetInfo, verb: str) -> Verdict | None:
    if target.role == UNREADABLE_ROLE:
        where = {"clicks": "click", "drags": "drag"}.get(verb, "key press")
        return Verdict(
            level=Level.CONFIRM,
            reason=f"could not read what is under the {where}: there is text, but OCR could not "
            "read it, so it may be a button that sends, pays or deletes",
            rules=("gui-unreadable",),
        )
    found = match_label(target)
    if found is None:
        return None
    rule, word = found
    return Verdict(
        level=Level.CONFIRM,
        reason=f'{verb} {target.describe()}, which looks like it will {rule.effect} ("{word}")',
        rules=(rule.id,),
    )


def _assess_hotkey(keys: frozenset[str], unlocked: frozenset[str]) -> Verdict:
    matched = [r for r in HOTKEY_RULES if r.keys == keys]
    if matched:
        rule = max(matched, key=lambda r: r.level.rank)
        reason = f"{'+'.join(sorted(keys))}: {rule.reason}"
        if rule.level is Level.BLOCK and rule.id in unlocked:
            return Verdict(
                level=Level.CONFIRM,
                reason=f"{reason} (rule {rule.id!r} unlocked in settings)",
                rules=(rule.id,),
            )
        return Verdict(level=rule.level, reason=reason, rules=(rule.id,))
    return Verdict(level=Level.AUTO, reason="a keyboard shortcut")


def _typed_pieces(text: str) -> list[str]:
    """Each line, and the whole text when it has several (a quote may span lines)."""
    lines = _TYPED_LINES.split(text)
    return lines if len(lines) == 1 else [*lines, text]


def _typed_line_risk(line: str, unlocked: frozenset[str]) -> ShellRisk | None:
    risk = classify_command(line, unlocked=unlocked)
    if starts_like_a_command(line):
        return risk
    blocked = risk.level is Level.BLOCK and not any(f.rule == "unparsable" for f in risk.findings)
    return risk if blocked else None


def _assess_typed(text: str, target: TargetInfo | None, unlocked: frozenset[str]) -> Verdict:
    """Typing is harmless unless it goes into a password field, or the text is a risky
    command a terminal could run.

    Commands are judged with or without a newline in them: otherwise "type the command"
    followed by "press Enter" would carry a blocked command past the policy in two steps.
    A line that does not start like a command (prose, mostly) still counts when, read as
    shell, it would do something blocked -- "hello; sudo reboot" runs sudo in a terminal.
    The whole text is judged too, since a quoted string may run over several lines.
    """
    verdicts = [
        Verdict(
            level=risk.level,
            reason=f"typed text is a command a terminal would run: {risk.reason}",
            rules=risk.rules,
        )
        for risk in (_typed_line_risk(line, unlocked) for line in _typed_pieces(text))
        if risk is not None
    ]
    if target is not None and is_password_field(target):
        verdicts.append(
            Verdict(
                level=Level.CONFIRM,
                reason=f"types into a password field {target.describe()}",
                rules=("gui-password",),
            )
        )
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
