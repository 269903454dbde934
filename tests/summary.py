"""Sections for the end of a test run's report (measurements, corpus counts), also under xdist.

A ``pytest_terminal_summary`` hook only prints in the process that runs it; with
``pytest -n`` the tests run in worker processes and the report is written by the controller.
So a test (or a conftest's session-end hook) adds lines with ``section(config, title)``; a
worker hands its sections over at its session's end (``workeroutput``) and the controller
prints them all, once, as a plain run does.
"""

from __future__ import annotations

from typing import Any

import pytest

SECTIONS = pytest.StashKey[dict[str, list[str]]]()


def section(config: pytest.Config, title: str) -> list[str]:
    """The lines of the report section ``title``; append to it."""
    return config.stash.setdefault(SECTIONS, {}).setdefault(title, [])


@pytest.hookimpl(trylast=True)  # after the conftests' own session-end hooks have added theirs
def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: the controller prints
        workeroutput["summary"] = session.config.stash.get(SECTIONS, {})


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    for title, lines in getattr(node, "workeroutput", {}).get("summary", {}).items():
        section(node.config, title).extend(lines)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    if hasattr(config, "workeroutput"):
        return
    for title, lines in config.stash.get(SECTIONS, {}).items():
        if lines:
            terminalreporter.section(title)
            for line in lines:
                terminalreporter.write_line(line)
