"""The tray icon in a real tray host (trayer), its state, its menu and the model server check."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator

import pytest
from PySide6.QtGui import QAction, QFontMetrics, QKeySequence
from PySide6.QtWidgets import QApplication, QSystemTrayIcon
from pytestqt.qtbot import QtBot

from deskhand.app.store.config import Settings
from deskhand.app.tray.controller import DeskhandApp
from deskhand.app.tray.session import AgentState
from deskhand.app.tray.tray import STATUS_WIDTH_PX, Tray
from deskhand.app.windows.icons import state_icon
from deskhand.app.windows.settings_fields import key_edit
from deskhand.core.loop import TaskResult, TaskStatus
from tests.fakeollama import FakeOllama
from tests.fakeollama.fixtures import unused_port
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
    # "Start on login" is in Settings, not one arrow key below "Settings…" here.
    assert names == ["status", "new_task", "stop", "run_view", "remember", "teach", "skills", "history",
                     "settings", "quit"]  # fmt: skip
    assert not tray.actions["stop"].isEnabled()
    tray.app.session.start("Click Apply")
    tray.menu.aboutToShow.emit()
    assert tray.actions["stop"].isEnabled() and not tray.actions["new_task"].isEnabled()
    assert not tray.actions["teach"].isEnabled()  # no demonstration while the agent works
    assert tray.menu.actions()[0].text().startswith("Deskhand: thinking")
    tray.app.session.finished(TaskResult(TaskStatus.STOPPED, "Stopped by the user.", 1))
    tray.menu.aboutToShow.emit()
    assert not tray.actions["stop"].isEnabled()


def test_hotkeys_show_in_the_menu_as_settings_spells_them(tray: Tray) -> None:
    assert (
        tray.app.bind_hotkeys(Settings(hotkey_command_bar="ctrl+alt+space", hotkey_stop="Ctrl+Alt+End")) == []
    )
    tray.rebuild()
    assert tray.actions["new_task"].text() == "New task…\tCtrl+Alt+Space"
    assert tray.actions["stop"].text() == "Stop\tCtrl+Alt+End"
    # The Settings window's hotkey editor shows the same spelling.
    assert key_edit("ctrl+alt+space").keySequence().toString(QKeySequence.SequenceFormat.NativeText) == (
        "Ctrl+Alt+Space"
    )


def status_action(tray: Tray) -> QAction:
    return next(a for a in tray.menu.actions() if a.objectName() == "status")


def test_a_long_status_is_elided_and_does_not_stretch_the_menu(tray: Tray) -> None:
    message = "Tried to reach Ollama at http://gpu-box:11434, but the name could not be resolved. " * 4
    tray.app.session.start("Click Apply")
    tray.app.session.failed(message.strip())
    tray.rebuild()
    status = status_action(tray)
    assert status.text().endswith("…") and status.toolTip() == f"Deskhand: error. {message.strip()}"
    assert QFontMetrics(tray.menu.font()).horizontalAdvance(status.text()) <= STATUS_WIDTH_PX
    assert tray.menu.sizeHint().width() <= STATUS_WIDTH_PX + 120


def test_an_unreachable_model_server_shows_while_idle(qtbot: QtBot) -> None:
    host = f"http://127.0.0.1:{unused_port()}"
    app = DeskhandApp(settings=lambda: Settings(host=host))
    tray = Tray(app)
    try:
        assert tray.icon.toolTip() == "Deskhand: idle"
        tray.watch_server()
        qtbot.waitUntil(lambda: "connection was refused" in tray.icon.toolTip(), timeout=10_000)
        assert tray.icon.toolTip().startswith(f"Deskhand: no model server. Tried to reach Ollama at {host}")
        assert tray.icon.icon().cacheKey() == state_icon(AgentState.ERROR).cacheKey()
        tray.rebuild()
        assert status_action(tray).text().startswith("Deskhand: no model server.")
        with FakeOllama(models={"qwen2.5vl:7b": True}) as server:
            app.settings = lambda: Settings(host=server.url)
            tray.check_server()
            qtbot.waitUntil(lambda: tray.icon.toolTip() == "Deskhand: idle", timeout=10_000)
            assert tray.icon.icon().cacheKey() == state_icon(AgentState.IDLE).cacheKey()
    finally:
        tray.icon.hide()
        app.shutdown()


def test_missing_windows_are_reported_not_crashed(tray: Tray, monkeypatch: pytest.MonkeyPatch) -> None:
    notices: list[tuple[str, str, bool]] = []
    tray.app.notify = lambda *args: notices.append(args)
    monkeypatch.setitem(sys.modules, "deskhand.app.windows.history", None)  # as if not written yet
    tray.actions["history"].trigger()
    assert notices and notices[0][2] is True and "history window cannot open" in notices[0][1]


def test_on_wayland_the_portal_note_reaches_the_tray(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tray has no terminal: the note before the desktop's portal dialog (said on the
    task's thread) is a tray notification; the app keeps one portal session for its run."""
    import threading

    from deskhand.app.platform import display

    monkeypatch.setenv("DESKHAND_DISPLAY", "wayland")
    app = DeskhandApp(settings=Settings)
    said: list[tuple[str, str, bool]] = []
    try:
        app.notify = lambda title, message, is_error: said.append((title, message, is_error))
        assert isinstance(app.portal, display.SharedPortal) and display._shared is app.portal
        worker = threading.Thread(target=app.portal.explain, args=("Your desktop will now ask you once.",))
        worker.start()
        worker.join()
        qtbot.waitUntil(lambda: bool(said), timeout=5000)
        assert said == [("Deskhand: screen and input access", "Your desktop will now ask you once.", False)]
    finally:
        app.shutdown()
    assert display._shared is None  # the session ends with the app
