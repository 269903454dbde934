"""The shell policy never raises, and never lets a dangerous command run unasked however
it is wrapped, chained, nested or quoted."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deskhand.core.actions import RunShell, TypeText
from deskhand.core.element_info import ElementInfo
from deskhand.core.gui_rules import match_label
from deskhand.core.policy import assess
from deskhand.core.shellrisk import classify_command
from deskhand.core.verdict import Level
from tests.unit.fuzz.strategies import shell_soup, wrapped_dangerous

QUICK = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_dangerous(command: str) -> None:
    risk = classify_command(command)
    assert risk.level is not Level.AUTO, f"{command!r} would run unasked: {risk.reason}"
    if risk.level is Level.BLOCK and not any(f.rule == "unparsable" for f in risk.findings):
        # Typed into a terminal line by line, it must not slip through either.
        typed = assess(TypeText(text=command[:10_000] + "\n"))
        assert typed.level is not Level.AUTO, f"typing {command!r} would run unasked"


def check_total(command: str) -> None:
    risk = classify_command(command)
    assert isinstance(risk.level, Level) and risk.reason
    if command.strip():
        assess(RunShell(command=command[:4000]))
    if command:
        assess(TypeText(text=command[:10_000]))
    match_label(ElementInfo(command, "push button", "ocr"))


@QUICK
@given(wrapped_dangerous())
def test_wrapped_dangerous_commands_never_run_unasked(command: str) -> None:
    check_dangerous(command)


@QUICK
@given(st.text(max_size=300) | shell_soup)
def test_the_policy_is_total(command: str) -> None:
    check_total(command)


@pytest.mark.slow
@SLOW
@given(wrapped_dangerous())
def test_wrapped_dangerous_commands_never_run_unasked_slow(command: str) -> None:
    check_dangerous(command)


@pytest.mark.slow
@SLOW
@given(st.text(max_size=300) | shell_soup)
def test_the_policy_is_total_slow(command: str) -> None:
    check_total(command)


PATHOLOGICAL = [
    "(" * 1000 + ")" * 1000,
    "{ " * 1000 + "ls; " + "}; " * 999,
    "f() { " * 500 + "ls" + "; }" * 500,
    "$(" * 11 + "rm -rf ~" + ")" * 11,
    "echo " + "$(" * 30 + "ls" + ")" * 30,
    "cat <(" * 300 + "ls" + ")" * 300,
    "x" + "{a,b}" * 300,
    "${X:-" * 500 + "}" * 500,
    "`" * 999,
    "echo $(" + "'" * 999,
    "echo " + "$(ls)" * 790,
    "a=1;" * 1000,
]


@pytest.mark.parametrize("command", PATHOLOGICAL, ids=lambda c: c[:12])
def test_pathological_commands_are_judged_quickly_and_never_raise(command: str) -> None:
    started = time.monotonic()
    risk = classify_command(command[:4000])
    assert time.monotonic() - started < 2.0
    if "(" * 5 in command or "{ " * 5 in command or "rm -rf" in command:
        assert risk.level is not Level.AUTO
