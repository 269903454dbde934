"""The terminal front-end of the loop: step printing and [y/N] confirmations.

Everything printed here may come from the model or the screen, so it goes through
``printable`` first: a terminal obeys escape sequences, and ``rm ~/keep.txt #ESC[2K…``
could otherwise repaint the very line a person is asked to approve.
"""

from __future__ import annotations

import sys
from typing import TextIO

from deskhand.core.actions import Action, Decision, describe
from deskhand.core.approval import UserAnswer
from deskhand.core.observation import Observation
from deskhand.core.trace import STAGES, StepRecord, describe_recorded
from deskhand.core.verdict import Verdict


def printable(text: str) -> str:
    """``text`` safe to print: every control or invisible formatting character shown as its
    Python escape (ESC as ``\\x1b``, a newline as ``\\n``, a right-to-left override as ``\\u202e``).

    The same spelling ``repr`` uses -- and so the one typed text already has in ``describe`` --
    for what ``str.isprintable`` rejects: C0/C1 controls, DEL, bidi and other format
    characters, line/paragraph separators and unusual spaces.  The CLI prints model-,
    server- and screen-derived text only through this.
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def clip(text: str, limit: int | None) -> str:
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def one_line(text: str, limit: int | None = 300) -> str:
    """Model text can span lines; each terminal row stays one line (and not too long)."""
    return clip(printable(" ".join(text.split())), limit)


class TerminalApprover:
    """Asks on the terminal; anything but an explicit yes is No (also EOF and no TTY).

    ``assume_yes`` (``--yes``) approves confirm-level actions without asking -- except those
    that ask only because the user unlocked a block rule (``Verdict.needs_a_person``): "an
    unlocked rule asks instead of refusing" means a person answers, so those are asked on
    the terminal, and denied when there is no terminal (stdin not a TTY) to ask on.
    Block-level actions never get here: the gate refuses them before any approver is
    consulted.
    """

    def __init__(self, *, assume_yes: bool, stdin: TextIO | None = None, out: TextIO | None = None) -> None:
        self.assume_yes = assume_yes
        self.stdin = stdin or sys.stdin
        self.out = out or sys.stdout

    def confirm(self, action: Action, verdict: Verdict, observation: Observation) -> UserAnswer:
        # Not flattened: a newline in a command is two commands, so it shows as \n.
        what = clip(printable(describe(action)), 2000)
        self.out.write(f"  ? {what}\n    needs your OK: {one_line(verdict.reason, 2000)}\n")
        if verdict.needs_a_person:
            rules = ", ".join(repr(r) for r in verdict.unlocked)
            if not self.stdin.isatty():
                self.out.write(
                    f"    unlocked rule {rules} needs a person's answer, and no terminal asks one: denied\n"
                )
                return UserAnswer.DENY
            if self.assume_yes:
                self.out.write(f"    --yes does not answer for unlocked rule {rules}\n")
        elif self.assume_yes:
            self.out.write("    allowed by --yes\n")
            return UserAnswer.ALLOW_ONCE
        self.out.write("    Allow? [y]es / [a]lways for this task / [N]o: ")
        self.out.flush()
        reply = self.stdin.readline().strip().lower()
        if not reply and not self.stdin.isatty():
            self.out.write("(no answer: denied)\n")
        if reply in ("y", "yes"):
            return UserAnswer.ALLOW_ONCE
        if reply in ("a", "always"):
            return UserAnswer.ALLOW_FOR_TASK
        return UserAnswer.DENY

    def answer(self, question: str) -> str | None:
        self.out.write(
            f"  ? The model asks: {one_line(question, 2000)}\n    Your answer (empty to end the task): "
        )
        self.out.flush()
        reply = self.stdin.readline().strip()
        return reply or None


class StepPrinter:
    """Prints each step as it is decided and when it ends: thought, actions, verdicts, timings."""

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out or sys.stdout

    def decided(self, step: int, decision: Decision) -> None:
        thought = one_line(decision.thought, 2000) or "(no thought given)"
        self.out.write(f"step {step}: {thought}\n")
        self.out.flush()

    def record(self, step: StepRecord, observation: Observation) -> None:
        for action, landing, verdict in zip(step.actions, step.screen_targets, step.verdicts, strict=False):
            where = f" → screen ({landing[0]}, {landing[1]})" if landing else ""
            what = one_line(describe_recorded(action))
            self.out.write(f"  {what}{where}  [{verdict.level.value}: {one_line(verdict.reason, 2000)}]\n")
        if step.planner_model is not None:  # the planner's words set the step
            self.out.write(f"  planner {step.planner_model}: {one_line(step.plan or '(no plan)', 2000)}\n")
        self.out.write(f"  outcome: {one_line(step.outcome_text)}\n")
        t = step.timings_ms
        planned = ("planner",) if "planner" in t else ()
        stages = " · ".join(f"{s} {t.get(s, 0):.0f}" for s in (*planned, *STAGES))
        self.out.write(f"  ms: {stages} · total {t.get('total', 0):.0f}\n")
        self.out.flush()
