"""Every command in ``corpus/`` gets exactly the level written next to it.

A failure here is either a policy bug or a corpus entry to reconsider -- never weaken an
expected level to make a test pass without saying why in the corpus file.
"""

from __future__ import annotations

import pytest

from deskhand.core.actions import RunShell, TypeText
from deskhand.core.policy import assess
from deskhand.core.shellrisk import RULES, classify_command
from deskhand.core.verdict import Level
from tests.unit.safety.corpus_data import Case, load

CASES = load()


def test_the_corpus_is_big_enough() -> None:
    dangerous = [c for c in CASES if c.level is Level.BLOCK]
    safe = [c for c in CASES if c.level is Level.AUTO]
    assert len(dangerous) >= 200 and len(safe) >= 100
    assert len({c.command for c in CASES}) == len(CASES), "duplicate commands in the corpus"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_corpus_level(case: Case, corpus_results: list[tuple[Level, Level, str]]) -> None:
    risk = classify_command(case.command)
    corpus_results.append((case.level, risk.level, f"{case.id}: {case.command!r} -> {risk.reason}"))
    assert risk.level is case.level, f"{case.command!r}: {risk.reason} ({risk.rules})"
    assert all(rule in RULES for rule in risk.rules)
    if risk.level is Level.BLOCK:
        assert risk.reason.startswith("blocked: ")
    # The policy gives a RunShell exactly the shell verdict.
    verdict = assess(RunShell(command=case.command[:4000]))
    assert verdict.level is risk.level


@pytest.mark.parametrize("case", [c for c in CASES if c.level is Level.BLOCK], ids=lambda c: c.id)
def test_unlocking_the_rules_asks_instead_of_blocking(case: Case) -> None:
    risk = classify_command(case.command)
    unlocked = classify_command(case.command, unlocked=frozenset(RULES))
    assert unlocked.level is Level.CONFIRM, "an unlocked rule still asks; it never runs on its own"
    partly = classify_command(case.command, unlocked=frozenset(RULES) - set(risk.rules))
    assert partly.level is Level.BLOCK


@pytest.mark.parametrize("case", [c for c in CASES if c.level is Level.BLOCK and "\n" not in c.command][:60],
                         ids=lambda c: c.id)  # fmt: skip
def test_typing_a_blocked_command_into_a_terminal_is_blocked_too(case: Case) -> None:
    assert assess(TypeText(text=case.command + "\n")).level is not Level.AUTO
