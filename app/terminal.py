"""The terminal front-end of the loop: step printing and [y/N] confirmations."""

from __future__ import annotations

import sys
from typing import TextIO

from pydantic import TypeAdapter

from deskhand.core.actions import Action, Decision, describe
from deskhand.core.observation import Observation
from deskhand.core.policy import UserAnswer
from deskhand.core.trace import STAGES, StepRecord
from deskhand.core.verdict import Verdict


def _one_line(text: str, limit: int = 300) -> str:
    """Model text can span lines; each terminal row stays one line (and not too long)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


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
        self.out.write(f"  ? {_one_line(describe(action), 2000)}\n    needs your OK: {verdict.reason}\n")
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
        self.out.write(f"  ? The model asks: {question}\n    Your answer (empty to end the task): ")
        self.out.flush()
        reply = self.stdin.readline().strip()
        return reply or None


_ACTION: TypeAdapter[Action] = TypeAdapter(Action)


class StepPrinter:
    """Prints each step as it is decided and when it ends: thought, actions, verdicts, timings."""

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out or sys.stdout

    def decided(self, step: int, decision: Decision) -> None:
        thought = " ".join(decision.thought.split()) or "(no thought given)"
        self.out.write(f"step {step}: {thought}\n")
        self.out.flush()

    def record(self, step: StepRecord, observation: Observation) -> None:
        for action, target, verdict in zip(step.actions, step.screen_targets, step.verdicts, strict=False):
            where = f" → screen ({target[0]}, {target[1]})" if target else ""
            what = _one_line(describe(_ACTION.validate_python(action)))
            self.out.write(f"  {what}{where}  [{verdict['level']}: {verdict['reason']}]\n")
        self.out.write(f"  outcome: {_one_line(step.outcome)}\n")
        t = step.timings_ms
        stages = " · ".join(f"{s} {t.get(s, 0):.0f}" for s in STAGES)
        self.out.write(f"  ms: {stages} · total {t.get('total', 0):.0f}\n")
        self.out.flush()
