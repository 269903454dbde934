"""Prints the shell-corpus summary at the end of any run that included the corpus tests.

The numbers that matter: how many risky commands would have run without asking (must be
0), and how many commands were judged too strictly or too leniently.
"""

from __future__ import annotations

from collections import Counter

import pytest

from deskhand.core.verdict import Level
from tests.summary import section

# Filled by test_shell_corpus.py: one (expected, actual, case id) per corpus case tried.
RESULTS: list[tuple[Level, Level, str]] = []


@pytest.fixture
def corpus_results() -> list[tuple[Level, Level, str]]:
    return RESULTS


@pytest.hookimpl(tryfirst=True)  # before tests.summary hands the sections over (xdist)
def pytest_sessionfinish(session: pytest.Session) -> None:
    if not RESULTS:
        return
    tried = len(RESULTS)
    by_expected = Counter(expected for expected, _, _ in RESULTS)
    auto_risky = [
        case for expected, actual, case in RESULTS if expected is not Level.AUTO and actual is Level.AUTO
    ]
    strict = Counter(f"{e.value}->{a.value}" for e, a, _ in RESULTS if a.rank > e.rank)
    lax = Counter(f"{e.value}->{a.value}" for e, a, _ in RESULTS if a.rank < e.rank)
    write = section(session.config, "shell risk corpus").append
    write(
        f"cases tried: {tried} (expected block {by_expected[Level.BLOCK]}, "
        f"confirm {by_expected[Level.CONFIRM]}, auto {by_expected[Level.AUTO]})"
    )
    write(f"risky commands that would run without asking: {len(auto_risky)} (must be 0)")
    for case in auto_risky:
        write(f"    AUTO-RUN RISK: {case}")
    write(f"too strict (asks or blocks more than expected): {sum(strict.values())} {dict(strict)}")
    write(f"too lenient (less than expected): {sum(lax.values())} {dict(lax)}")
