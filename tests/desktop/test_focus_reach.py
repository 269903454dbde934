"""What has keyboard focus, as the inspectors really report it: a terminal or a text field.

xterm publishes no accessibility tree; the window manager still names its window, whose
class says "terminal".  Mousepad's Save As dialog publishes its "Name" field as a "text"
element of the application "mousepad": a field that runs nothing.  The policy's
``typing_reaches`` and verdicts are checked on these real answers.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from deskhand.core.actions import TypeText
from deskhand.core.element_info import ElementInfo
from deskhand.core.gui_rules import Reach, typing_reaches
from deskhand.core.policy import assess
from deskhand.core.verdict import Level
from deskhand.vision.inspect import AtspiInspector, ChainInspector, OcrInspector, WindowInspector
from tests.a11y import Bus
from tests.desktop.conftest import FULL, observation, wait_until, xdotool

pytestmark = pytest.mark.desktop


def focused(bus: Bus) -> ElementInfo | None:
    chain = ChainInspector(AtspiInspector(bus_address=bus.a11y), OcrInspector(), WindowInspector())
    return chain.focused(observation())


def windows_named(pattern: str) -> list[str]:
    found = subprocess.run(
        ["xdotool", "search", "--name", pattern], capture_output=True, text=True, check=False
    )
    return found.stdout.split()


def start(argv: list[str], bus: Bus) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": bus.session, "GSETTINGS_BACKEND": "memory"}
    return subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_xterm_is_a_terminal_by_its_window_and_each_window_is_its_own(bus: Bus) -> None:
    procs, found = [], []
    try:
        for title in ("first", "second"):  # a new window gets the focus
            procs.append(start(["xterm", "-title", title], bus))
            found.append(wait_until(lambda t=title: (f := focused(bus)) and f.label == t and f, 10, title))
        assert [(t.app, t.source) for t in found] == [("xterm", "window")] * 2
        assert all(typing_reaches(t) is Reach.TERMINAL for t in found)
        assert found[0].window != found[1].window and found[0].window.startswith("x11:")
        assert assess(TypeText(text="/tmp/notes.txt\n"), found[0]).level is Level.CONFIRM
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(5)


def test_mousepad_save_as_name_field_is_not_a_terminal(bus: Bus, tmp_path: Path) -> None:
    exe = shutil.which("mousepad")
    if exe is None:
        pytest.skip("mousepad is not installed")
    document = tmp_path / "draft.txt"
    document.write_text("draft")
    proc = start([exe, str(document)], bus)
    try:
        window = wait_until(lambda: windows_named("draft.txt"), 15, "mousepad")[0]
        xdotool("windowactivate", "--sync", window)
        xdotool("key", "ctrl+shift+s")
        field = wait_until(
            lambda: (f := focused(bus)) and f.role == "text" and f.window != "" and f, 15, "Name"
        )
        assert (field.source, field.app) == ("accessibility", "mousepad"), field
        assert field.bounds is not None and FULL.screen_rect.width >= field.bounds.width > 0
        assert typing_reaches(field) is Reach.FIELD
        assert assess(TypeText(text=f"{tmp_path}/copy.txt\n"), field).level is Level.AUTO
        assert assess(TypeText(text="rm -rf ~\n"), field).level is Level.BLOCK  # refused anywhere
    finally:
        proc.terminate()
        proc.wait(5)
