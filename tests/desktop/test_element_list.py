"""The element list from the real accessibility tree: the active Qt window's buttons and field,
and no list at all when a window without a tree (xterm) is in front."""

from __future__ import annotations

import os
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from deskhand.vision.inspect import AtspiInspector
from deskhand.vision.inspect.elements import AtspiElements
from tests.a11y import Bus, tree_shows
from tests.desktop.conftest import observation, wait_until, xdotool
from tests.e2e.xsession import form_command, read_events

pytestmark = pytest.mark.desktop


def start(argv: list[str], bus: Bus) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DBUS_SESSION_BUS_ADDRESS": bus.session,
        "PYTHONPATH": str(Path(__file__).parents[2]),
    }
    return subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def windows_named(title: str) -> list[str]:
    found = subprocess.run(
        ["xdotool", "search", "--name", title], capture_output=True, text=True, check=False
    )
    return found.stdout.split()


def elements(bus: Bus, n: int) -> tuple:  # type: ignore[type-arg]
    source = AtspiElements(AtspiInspector(bus_address=bus.a11y))
    return source.elements(replace(observation(), id=f"obs-{n}")) or ()


def test_the_active_forms_elements_and_none_behind_a_terminal(bus: Bus, tmp_path: Path) -> None:
    log = tmp_path / "form.jsonl"
    form = start([*form_command(log, "center", "Apply,Cancel")], bus)
    term = None
    try:
        wait_until(lambda: log.exists() and "ready" in log.read_text(), 20, "the test form")
        ready = next(e for e in read_events(log) if e["event"] == "ready")
        found = wait_until(lambda: elements(bus, 1), 10, "the form's elements")
        by_name = {e.name: e for e in found}
        assert by_name["Apply"].role == "push button" and by_name["Cancel"].role == "push button"
        assert any(e.role == "text" for e in found)  # the Name field
        rect = by_name["Cancel"].rect
        cx, cy = ready["centres"]["Cancel"]  # type: ignore[index]
        assert rect.contains(cx, cy)  # desktop coordinates, as the form itself reports
        term = start(["xterm", "-geometry", "200x60+0+0", "-title", "in front"], bus)
        window = wait_until(lambda: windows_named("in front"), 10, "xterm")
        xdotool("windowactivate", "--sync", window[0])
        wait_until(lambda: not tree_shows(bus.session, cx, cy), 10, "the tree to see the form lose the focus")
        assert elements(bus, 2) == ()  # the tree's active window is not the one in front
    finally:
        for proc in (term, form):
            if proc is not None:
                proc.terminate()
                proc.wait(5)
