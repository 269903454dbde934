"""Stop from each of its three doors -- tray menu, global hotkey, stop bar -- mid-task.

The model "hangs" on step 2 (as a slow model would); Stop must end the task there, with no
further input event: the form logs every click, and the fake server every request.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pytestqt.qtbot import QtBot

from deskhand.app.store.config import Settings
from deskhand.app.tray.controller import DeskhandApp
from deskhand.app.tray.session import AgentState
from deskhand.app.tray.tray import Tray
from deskhand.core.loop import TaskResult, TaskStatus
from tests.desktop.conftest import held_modifiers_and_buttons
from tests.fakeollama import FakeOllama
from tests.ui.conftest import Form, x

pytestmark = [pytest.mark.desktop, pytest.mark.usefixtures("window_manager")]


def stop_mid_task(
    app: DeskhandApp, qtbot: QtBot, ollama: FakeOllama, form: Form, press_stop: Callable[[], None]
) -> TaskResult:
    ollama.script(
        [
            {"do": "click", "target": "Apply"},
            {"do": "hang", "seconds": 30, "then": {"do": "click", "target": "Cancel"}},
            {"do": "click", "target": "Cancel"},
        ]
    )
    with qtbot.waitSignal(app.task_ended, timeout=60_000) as ended:
        assert app.start_task("Click Apply, then Cancel")
        qtbot.waitUntil(lambda: len(ollama.chat_requests) == 2, timeout=30_000)  # step 2: thinking
        assert app.session.state is AgentState.THINKING
        press_stop()
    result = ended.args[0]
    assert isinstance(result, TaskResult) and result.status is TaskStatus.STOPPED, result
    assert [c["button"] for c in form.events("click")] == ["Apply"]  # nothing after Stop
    assert len(ollama.chat_requests) == 2
    assert ollama.remaining_steps == 1
    assert held_modifiers_and_buttons() == ([], 0)
    assert app.session.state is AgentState.IDLE and not app.stop_bar.isVisible()
    return result


def test_stop_from_the_tray_menu(
    app: DeskhandApp, qtbot: QtBot, ollama: FakeOllama, start_form: Callable[..., Form]
) -> None:
    form = start_form()
    tray = Tray(app)

    def press() -> None:
        tray.rebuild()  # as when the menu opens
        assert tray.actions["stop"].isEnabled() and not tray.actions["new_task"].isEnabled()
        tray.actions["stop"].trigger()

    stop_mid_task(app, qtbot, ollama, form, press)
    tray.rebuild()
    assert not tray.actions["stop"].isEnabled() and tray.actions["new_task"].isEnabled()


def test_stop_from_the_global_hotkey(
    app: DeskhandApp, qtbot: QtBot, ollama: FakeOllama, start_form: Callable[..., Form]
) -> None:
    form = start_form()
    assert app.bind_hotkeys(Settings()) == []
    stop_mid_task(app, qtbot, ollama, form, lambda: x("xdotool", "key", "ctrl+alt+End"))


def test_stop_from_the_stop_bar_without_taking_the_focus(
    app: DeskhandApp, qtbot: QtBot, ollama: FakeOllama, start_form: Callable[..., Form]
) -> None:
    form = start_form(place="bottom-right")
    focused = x("xdotool", "getactivewindow")

    def press() -> None:
        button = app.stop_bar.stop
        qtbot.waitUntil(button.isVisible)
        centre = button.mapToGlobal(button.rect().center())
        x("xdotool", "mousemove", str(centre.x()), str(centre.y()), "click", "1")
        qtbot.waitUntil(lambda: app.session.stop.requested, timeout=5000)
        assert x("xdotool", "getactivewindow") == focused

    stop_mid_task(app, qtbot, ollama, form, press)
    assert x("xdotool", "getactivewindow") == focused
