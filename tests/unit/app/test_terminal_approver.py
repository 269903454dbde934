"""The terminal's confirmations: ``--yes`` answers ordinary confirms, never an unlocked rule.

An unlocked rule promises "ask instead of refuse": a person answers it, on a real terminal
(a pseudo-terminal here), and with no terminal to ask on it is denied.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from deskhand.app.cli.terminal import TerminalApprover
from deskhand.core.actions import RunShell
from deskhand.core.approval import UserAnswer
from deskhand.core.policy import assess
from tests.fakes import FakeScreen

WIPE = RunShell(command="history -c")
UNLOCKED = assess(WIPE, unlocked=frozenset({"history-wipe"}))
ORDINARY = RunShell(command="rm notes.txt")


@contextmanager
def terminal(typed: str) -> Iterator[TextIO]:
    """A pseudo-terminal whose user has typed ``typed``, open for reading as stdin."""
    main, side = os.openpty()
    os.write(main, typed.encode())
    with open(side, encoding="utf-8") as stdin:
        try:
            yield stdin
        finally:
            os.close(main)


def ask(approver: TerminalApprover, action: RunShell) -> UserAnswer:
    return approver.confirm(
        action, assess(action, unlocked=frozenset({"history-wipe"})), FakeScreen().observe()
    )


def test_yes_answers_an_ordinary_confirm_without_asking() -> None:
    out = io.StringIO()
    assert (
        ask(TerminalApprover(assume_yes=True, stdin=io.StringIO(""), out=out), ORDINARY)
        is UserAnswer.ALLOW_ONCE
    )
    assert "allowed by --yes" in out.getvalue()


def test_yes_never_answers_an_unlocked_rule_a_person_does() -> None:
    assert UNLOCKED.needs_a_person
    out = io.StringIO()
    with terminal("n\n") as stdin:
        assert ask(TerminalApprover(assume_yes=True, stdin=stdin, out=out), WIPE) is UserAnswer.DENY
    assert "allowed by --yes" not in out.getvalue()
    assert "--yes does not answer for unlocked rule 'history-wipe'" in out.getvalue()
    with terminal("y\n") as stdin:
        assert (
            ask(TerminalApprover(assume_yes=True, stdin=stdin, out=io.StringIO()), WIPE)
            is UserAnswer.ALLOW_ONCE
        )


def test_with_no_terminal_to_ask_an_unlocked_rule_is_denied() -> None:
    for assume_yes in (True, False):
        out = io.StringIO()
        piped = io.StringIO("y\n")  # a script's "yes" is not a person's
        assert ask(TerminalApprover(assume_yes=assume_yes, stdin=piped, out=out), WIPE) is UserAnswer.DENY
        assert "needs a person's answer, and no terminal asks one: denied" in out.getvalue()
        assert piped.read() == "y\n"  # not even read
