"""The tray icon in a real tray host (trayer), its state, its menu and autostart."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QSystemTrayIcon
from pytestqt.qtbot import QtBot

from deskhand.app import autostart
from deskhand.app.config import Settings
from deskhand.app.controller import DeskhandApp
from deskhand.app.session import AgentState
from deskhand.app.tray import Tray
from deskhand.app.windows.icons import state_icon
from deskhand.core.loop import TaskResult, TaskStatus
from tests.ui.conftest import poll, x


@pytest.fixture
def tray(qtbot: QtBot) -> Iterator[Tray]:
    app = DeskhandApp(settings=Settings)
    tray = Tray(app)
    yield tray
    tray.icon.hide()
    app.shutdown()


def embedded_in_trayer() -> bool:
    """Our icon window (named after the application) is a descendant of trayer's panel."""
    tree = x("xwininfo", "-root", "-tree")
    panel = re.search(r"(0x[0-9a-f]+) \"panel\": \(\"panel\" \"trayer\"\)", tree)
    name = f'"{QApplication.applicationName()}"'
    return panel is not None and name in x("xwininfo", "-tree", "-id", panel.group(1))


@pytest.mark.desktop
@pytest.mark.usefixtures("trayer")
def test_the_icon_embeds_in_the_tray_host(tray: Tray) -> None:
    assert QSystemTrayIcon.isSystemTrayAvailable()
    tray.show()
    poll(embedded_in_trayer, 10, "our icon inside trayer's panel (xwininfo -tree)")
    assert tray.icon.isVisible()


def test_icon_and_tooltip_follow_the_state(tray: Tray) -> None:
    session = tray.app.session
    assert tray.icon.toolTip() == "Deskhand: idle"
    session.start("Click Apply")
    assert tray.icon.icon().cacheKey() == state_icon(AgentState.THINKING).cacheKey()
    assert tray.icon.toolTip() == "Deskhand: thinking, step 1: Click Apply"
    session.waiting()
    assert tray.icon.icon().cacheKey() == state_icon(AgentState.WAITING).cacheKey()
    session.failed("The model server stopped answering.")
    assert tray.icon.icon().cacheKey() == state_icon(AgentState.ERROR).cacheKey()
    assert tray.icon.toolTip() == "Deskhand: error. The model server stopped answering."


def test_the_menu_is_rebuilt_from_the_state_when_it_opens(tray: Tray) -> None:
    names = [a.objectName() for a in tray.menu.actions() if a.objectName()]
    assert names == ["new_task", "stop", "run_view", "remember", "history", "settings", "autostart", "quit"]
    assert not tray.actions["stop"].isEnabled()
    assert (
        tray.actions["new_task"].text() == "New task…\tctrl+alt+space"
        or "New task" in tray.actions["new_task"].text()
    )
    tray.app.session.start("Click Apply")
    tray.menu.aboutToShow.emit()
    assert tray.actions["stop"].isEnabled() and not tray.actions["new_task"].isEnabled()
    assert tray.menu.actions()[0].text().startswith("Deskhand: thinking")
    tray.app.session.finished(TaskResult(TaskStatus.STOPPED, "Stopped by the user.", 1))
    tray.menu.aboutToShow.emit()
    assert not tray.actions["stop"].isEnabled()


def test_hotkeys_show_in_the_menu(tray: Tray) -> None:
    tray.app.hotkey_hints = {"new_task": "ctrl+alt+space", "stop": "ctrl+alt+end"}
    tray.rebuild()
    assert tray.actions["new_task"].text() == "New task…\tctrl+alt+space"
    assert tray.actions["stop"].text() == "Stop\tctrl+alt+end"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG autostart is the Linux route")
def test_autostart_writes_and_removes_an_xdg_entry(tray: Tray, isolated: Path) -> None:
    entry = Path(os.environ["XDG_CONFIG_HOME"]) / "autostart" / "deskhand.desktop"
    assert not tray.actions["autostart"].isChecked()
    tray.actions["autostart"].trigger()
    text = entry.read_text()
    assert "[Desktop Entry]" in text and "Type=Application" in text
    exec_line = next(line for line in text.splitlines() if line.startswith("Exec="))
    assert exec_line.endswith("deskhand") or "deskhand.app.cli" in exec_line
    assert autostart.is_enabled()
    tray.rebuild()
    assert tray.actions["autostart"].isChecked()
    tray.actions["autostart"].trigger()
    assert not entry.exists() and not autostart.is_enabled()


def test_missing_windows_are_reported_not_crashed(tray: Tray, monkeypatch: pytest.MonkeyPatch) -> None:
    notices: list[tuple[str, str, bool]] = []
    tray.app.notify = lambda *args: notices.append(args)
    monkeypatch.setitem(sys.modules, "deskhand.app.windows.history", None)  # as if not written yet
    tray.actions["history"].trigger()
    assert notices and notices[0][2] is True and "history window cannot open" in notices[0][1]
