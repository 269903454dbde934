"""Nothing stays held after a Stop or an error, and nothing unapproved gets through."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from deskhand.actions.dispatch import ActionExecutor
from deskhand.actions.gui import GuiExecutor
from deskhand.actions.shell import ShellRunner
from deskhand.core.actions import (
    AskUser,
    Click,
    Drag,
    Finish,
    Hotkey,
    RunShell,
    Scroll,
    ScrollDirection,
    TypeText,
    Wait,
)
from deskhand.core.errors import ExecutionFailed, Stopped
from deskhand.core.geometry import ImagePoint
from tests.desktop.conftest import approved, held_modifiers_and_buttons, never, xdotool

pytestmark = pytest.mark.desktop


def stop_after(calls: int) -> Callable[[], bool]:
    """A should_stop that says "stop" from its ``calls + 1``-th call on."""
    count = 0

    def should_stop() -> bool:
        nonlocal count
        count += 1
        return count > calls

    return should_stop


def test_hotkey_interrupted_by_stop_leaves_no_key_down(start_probe, gui: GuiExecutor):
    probe = start_probe()
    with pytest.raises(Stopped):
        gui.execute(approved(Hotkey(keys=("ctrl", "shift", "a"))), should_stop=stop_after(2))
    assert held_modifiers_and_buttons() == ([], 0)
    releases = [e["key"] for e in probe.wait_events("key_release", 2)]
    time.sleep(0.2)  # anything still on its way (an "a") would arrive now
    presses = [e["key"] for e in probe.events("key_press")]
    assert len(presses) == 2, "ctrl and shift were pressed, a was not"
    assert sorted(presses) == sorted(releases)


def test_drag_interrupted_by_stop_returns_and_releases(start_probe, gui: GuiExecutor):
    probe = start_probe()
    drag = Drag(start=ImagePoint(x=200, y=200), end=ImagePoint(x=900, y=700))
    with pytest.raises(Stopped):
        gui.execute(approved(drag), should_stop=stop_after(4))
    assert held_modifiers_and_buttons() == ([], 0)
    release = probe.wait_events("release", 1)[0]
    assert (release["x"], release["y"]) == (200, 200), "dropped back on its origin"


def test_release_all_lets_go_of_keys_and_buttons_held_by_anyone(start_probe, gui: GuiExecutor):
    start_probe()
    gui.release_all()  # safe before anything was pressed
    xdotool("keydown", "shift")
    xdotool("keydown", "ctrl")
    xdotool("mousedown", "1")
    held, buttons = held_modifiers_and_buttons()
    assert len(held) == 2 and buttons
    gui.execute(approved(Wait(seconds=0.01)), should_stop=never)
    gui.release_all()
    assert held_modifiers_and_buttons() == ([], 0)
    gui.release_all()  # and again: idempotent


def test_wait_waits_and_stops(gui: GuiExecutor):
    start = time.monotonic()
    gui.execute(approved(Wait(seconds=0.3)), should_stop=never)
    assert time.monotonic() - start >= 0.3
    start = time.monotonic()
    with pytest.raises(Stopped):
        gui.execute(approved(Wait(seconds=10)), should_stop=stop_after(3))
    assert time.monotonic() - start < 2


def test_scroll_and_typing_check_stop_between_steps(start_probe, gui: GuiExecutor):
    probe = start_probe()
    with pytest.raises(Stopped):
        gui.execute(approved(Scroll(direction=ScrollDirection.DOWN, amount=20)), should_stop=stop_after(2))
    probe.wait_events("wheel", 2)
    time.sleep(0.2)  # a third notch, had one been sent, would arrive now
    assert len(probe.events("wheel")) == 2
    with pytest.raises(Stopped):
        gui.execute(approved(TypeText(text="a" * 150)), should_stop=stop_after(1))
    assert held_modifiers_and_buttons() == ([], 0)


@pytest.mark.parametrize(
    "bogus",
    [
        Click(at=ImagePoint(x=1, y=1)),  # an action that skipped the gate
        RunShell(command="echo hi"),
        {"kind": "click", "at": {"x": 1, "y": 1}},
        None,
    ],
)
def test_executors_reject_anything_not_approved(bogus: object):
    for executor in (GuiExecutor(), ShellRunner(), ActionExecutor()):
        with pytest.raises(TypeError, match="approve"):
            executor.execute(bogus, should_stop=never)  # type: ignore[arg-type]


def test_terminal_actions_never_execute():
    executor = ActionExecutor()
    for action in (Finish(summary="done"), AskUser(question="which file?")):
        with pytest.raises(ExecutionFailed):
            executor.execute(approved(action), should_stop=never)


def test_each_executor_refuses_the_other_kind():
    with pytest.raises(ExecutionFailed, match="not a GUI action"):
        GuiExecutor().execute(approved(RunShell(command="echo hi")), should_stop=never)
    with pytest.raises(ExecutionFailed, match="only commands"):
        ShellRunner().execute(approved(Wait(seconds=0.1)), should_stop=never)


def test_dispatch_routes_shell_and_gui(executor: ActionExecutor, tmp_path):
    result = executor.execute(approved(RunShell(command="echo routed")), should_stop=never)
    assert result.feedback.startswith("exit code 0\nstdout:\nrouted\n")
    assert executor.execute(approved(Wait(seconds=0.01)), should_stop=never).feedback == ""
