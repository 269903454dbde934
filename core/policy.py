"""Risk verdicts from rules kept as data; ``core.approval`` is the gate that enforces them.

The policy looks at the action, and at the element the action lands on as an inspector
found it (``ElementInfo``: accessibility label and role, or OCR text) -- never at the
model's thought, nor at other text on the screen -- so nothing the model says can lower a
level, and screen text can only raise one (a risky word in a button's label asks first).
Rules are data with stable ids (``HOTKEY_RULES`` here, ``gui_rules.LABEL_RULES``,
``shellrisk.RULES``); the highest level any rule gives wins, and an action no rule knows
gets ``confirm``.  ``unlocked`` (from settings) names block rules the user allows to *ask*
instead of refusing; nothing ever becomes ``auto`` by unlocking, and such a verdict says
so (``Verdict.needs_a_person``).

Typed text and keys are judged by the line they send to what has focus
(``deskhand.core.typed_line``): a terminal runs the whole line at Enter.  The one thing a
element may lower is that judgement: a field known not to be a terminal runs no command.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from deskhand.core.actions import (
    Action,
    AskUser,
    CallTool,
    Click,
    Drag,
    Finish,
    Hotkey,
    MouseButton,
    Move,
    Remember,
    RunShell,
    Scroll,
    TypeText,
    Wait,
)
from deskhand.core.element_info import FOCUS_UNKNOWN_ROLE, UNREADABLE_ROLE, ElementInfo
from deskhand.core.gui_rules import Reach, is_password_field, match_label, typing_reaches
from deskhand.core.secret_scan import secret_kind
from deskhand.core.shellrisk import BLOCK_RULES, RULES, ShellRisk, classify_command, starts_like_a_command
from deskhand.core.tools import ToolKey, not_offered
from deskhand.core.typed_line import Line, sends_line
from deskhand.core.verdict import Level, Verdict, worst

__all__ = ["ACTIVATE_KEYS", "HOTKEY_RULES", "UNLOCKABLE_RULES", "HotkeyRule", "ask_every_time", "assess"]


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
_NOTHING_TYPED = Line()
_NO_TOOLS: Mapping[ToolKey, Verdict] = {}


def assess(
    action: Action,
    element: ElementInfo | None = None,
    *,
    unlocked: frozenset[str] = _NO_UNLOCKS,
    secrets: frozenset[str] = _NO_UNLOCKS,
    line: Line = _NOTHING_TYPED,
    tools: Mapping[ToolKey, Verdict] = _NO_TOOLS,
) -> Verdict:
    """Give ``action`` a verdict from the rules.

    ``element`` is what an inspector found where a click lands, or what has keyboard focus
    for typing and keys; ``None`` when unknown (then only the action counts).  ``line`` is
    what the focused window holds unsent (``deskhand.core.typed_line``): typing that ends a
    line, and Enter, are judged by the whole line they send.
    ``secrets`` are values known to be secret in this task (typed into password fields).
    ``tools`` holds the verdict of each MCP tool offered to the task (``core.tools``).
    """
    match action:
        case Click(button=button) if element is not None and button is MouseButton.LEFT:
            return _assess_element(element, "clicks") or _REVERSIBLE
        case Drag() if element is not None:
            return _assess_element(element, "drags") or _REVERSIBLE
        case Click() | Move() | Scroll() | Drag() | Wait():
            return _REVERSIBLE
        case Finish() | AskUser():
            return _ENDS_TASK
        case Hotkey(keys=keys):
            verdict = _assess_hotkey(frozenset(keys), unlocked)
            verdicts = [verdict]
            if element is not None and frozenset(keys) in ACTIVATE_KEYS:
                verdicts.append(_assess_element(element, f"presses {'+'.join(keys)} on") or verdict)
            if sends_line(keys):
                verdicts.append(_assess_line(line, "sends the typed line", element, unlocked) or verdict)
            return worst(verdicts, verdict)
        case TypeText(text=text):
            return _assess_typed(text, element, unlocked, line)
        case RunShell(command=command):
            risk = classify_command(command, unlocked=unlocked)
            return _shell_verdict(risk, risk.reason)
        case CallTool(server=server, tool=tool):
            return tools.get((server, tool)) or not_offered(server, tool)
        case Remember(text=text):
            return _assess_remember(text, secrets)


def _assess_remember(text: str, secrets: frozenset[str]) -> Verdict:
    """A note for later always asks (the user sees the text); one holding a secret never is kept."""
    kind = secret_kind(text, secrets)
    if kind is not None:
        return Verdict(
            level=Level.BLOCK,
            reason=f"the note seems to contain {kind}, and secrets are never kept in memory",
            rules=("memory-secret",),
        )
    return Verdict(level=Level.CONFIRM, reason=f'keeps a note in memory for later tasks: "{text}"')


_REVERSIBLE = Verdict(level=Level.AUTO, reason="pointer and waiting actions are reversible")
_ENDS_TASK = Verdict(level=Level.AUTO, reason="ends the task; nothing is executed")
_SHORTCUT = Verdict(level=Level.AUTO, reason="a keyboard shortcut")
_TYPING = Verdict(level=Level.AUTO, reason="typing text")
# Auto verdicts whose reason tells a user nothing when every action asks anyway.
_ROUTINE = frozenset(v.reason for v in (_REVERSIBLE, _ENDS_TASK, _SHORTCUT, _TYPING))
_UNFOLLOWED = "terminal-unfollowed-line"


def ask_every_time(verdict: Verdict) -> Verdict:
    """The verdict when the user asked to approve every action: auto becomes confirm,
    saying why in words that read well, and the rules' own reason only where it informs."""
    if verdict.level is not Level.AUTO:
        return verdict
    reason = "you asked to approve every action"
    if verdict.reason not in _ROUTINE:
        reason = f"{reason}, even this one ({verdict.reason})"
    return Verdict(level=Level.CONFIRM, reason=reason)


def _shell_verdict(risk: ShellRisk, reason: str) -> Verdict:
    return Verdict(level=risk.level, reason=reason, rules=risk.rules, unlocked=risk.unlocked)


def _assess_element(element: ElementInfo, verb: str) -> Verdict | None:
    if element.role == UNREADABLE_ROLE:
        where = {"clicks": "click", "drags": "drag"}.get(verb, "key press")
        return Verdict(
            level=Level.CONFIRM,
            reason=f"could not read what is under the {where}: there is text, but OCR could not "
            "read it, so it may be a button that sends, pays or deletes",
            rules=("gui-unreadable",),
        )
    found = match_label(element)
    if found is None:
        return None
    rule, word = found
    return Verdict(
        level=Level.CONFIRM,
        reason=f'{verb} {element.describe()}, which looks like it will {rule.effect} ("{word}")',
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
                unlocked=(rule.id,),
            )
        return Verdict(level=rule.level, reason=reason, rules=(rule.id,))
    return _SHORTCUT


def _typed_pieces(text: str) -> list[str]:
    """Each line, and the whole text when it has several (a quote may span lines)."""
    lines = _TYPED_LINES.split(text)
    return lines if len(lines) == 1 else [*lines, text]


def _typed_line_risk(line: str, reach: Reach, unlocked: frozenset[str]) -> ShellRisk | None:
    risk = classify_command(line, unlocked=unlocked)
    if reach is not Reach.FIELD and starts_like_a_command(line):
        return risk
    blocked = risk.level is Level.BLOCK and not any(f.rule == "unparsable" for f in risk.findings)
    return risk if blocked else None


def _assess_typed(text: str, element: ElementInfo | None, unlocked: frozenset[str], line: Line) -> Verdict:
    """Typing is harmless unless it goes into a password field, or the text is a risky
    command a terminal could run.

    Commands are judged with or without a newline in them: otherwise "type the command"
    followed by "press Enter" would carry a blocked command past the policy in two steps.
    A line that does not start like a command (prose, mostly) still counts when, read as
    shell, it would do something blocked -- "hello; sudo reboot" runs sudo in a terminal.
    The whole text is judged too, since a quoted string may run over several lines, and
    so is the whole line a newline sends, with what was typed into it before.  Where the
    focus is known not to be a terminal (a file chooser's name field), only what would be
    blocked counts: a path there is not a command.
    """
    reach = typing_reaches(element)
    verdicts = [
        _shell_verdict(risk, f"typed text is a command a terminal would run: {risk.reason}")
        for risk in (_typed_line_risk(piece, reach, unlocked) for piece in _typed_pieces(text))
        if risk is not None
    ]
    sent, _ = line.typed(text)
    if sent and (line.text or line.unsure):  # only the first line sent holds earlier typing
        verdicts.append(_assess_line(sent[0], "completes the typed line", element, unlocked) or _TYPING)
    if element is not None and element.role == FOCUS_UNKNOWN_ROLE and text.strip():
        verdicts.append(
            Verdict(
                level=Level.CONFIRM,
                reason="types where Deskhand could not tell in time what has the keyboard focus "
                "(it may be a password field)",
                rules=("gui-focus-unknown",),
            )
        )
    if element is not None and is_password_field(element):
        verdicts.append(
            Verdict(
                level=Level.CONFIRM,
                reason=f"types into a password field {element.describe()}",
                rules=("gui-password",),
            )
        )
    return worst(verdicts, _TYPING)


def _assess_line(
    line: Line, how: str, element: ElementInfo | None, unlocked: frozenset[str]
) -> Verdict | None:
    """The verdict on a whole line about to be sent to what has focus, if it is risky.

    A line Deskhand could not follow (recalled from history, pasted) asks before a
    terminal runs it -- and where the focus is unknown, once Enter has been sent there
    before, which makes it look like a command line.
    """
    reach = typing_reaches(element)
    verdicts = []
    risk = _typed_line_risk(line.text, reach, unlocked) if line.text.strip() else None
    if risk is not None:
        shown = _show(line.text)
        verdicts.append(
            _shell_verdict(risk, f"{how} `{shown}`, a command a terminal would run: {risk.reason}")
        )
    if line.unsure and (reach is Reach.TERMINAL or (reach is Reach.UNKNOWN and line.sent)):
        verdicts.append(
            Verdict(
                level=Level.CONFIRM,
                reason="sends a line to a terminal that Deskhand could not follow "
                "(recalled from history, pasted, or changed by a shortcut)",
                rules=(_UNFOLLOWED,),
            )
        )
    return worst(verdicts, verdicts[0]) if verdicts else None


def _show(text: str, limit: int = 80) -> str:
    """A typed line as one short, visible line (control characters escaped)."""
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text.strip())
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"
