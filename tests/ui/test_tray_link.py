"""`deskhand mcp` asking through a running tray: the tray's own dialog answers, the tray's
Stop reaches the server, and the tray shows who uses the desktop -- over the real socket."""

from __future__ import annotations

import threading
import uuid

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from deskhand.app.tray.gui_call import GuiInvoker
from deskhand.app.tray.qt_approver import DialogHost
from deskhand.app.tray.single_instance import SingleInstance
from deskhand.app.tray.tray_link import McpPeers, TrayLink
from deskhand.app.windows.confirm_dialog import ConfirmDialog
from deskhand.core.actions import Click
from deskhand.core.approval import UserAnswer
from deskhand.core.geometry import ImagePoint, Rect, ScreenGeometry, Size
from deskhand.core.observation import Observation
from deskhand.core.verdict import Level, Verdict

GEOMETRY = ScreenGeometry(image_size=Size(1316, 728), screen_rect=Rect(0, 0, 1920, 1080))
SHOT = Observation("shot-1", b"not really a jpeg", "image/jpeg", GEOMETRY, 1.0, 1.0)
DELETE = Click(at=ImagePoint(x=100, y=200))
ASKS = Verdict(
    level=Level.CONFIRM, reason='clicks "Delete account" (push button), which looks like it will delete'
)


def test_the_tray_asks_for_the_server_and_its_stop_reaches_it(qtbot: QtBot) -> None:
    tray = SingleInstance(f"deskhand-test-{uuid.uuid4().hex[:8]}")
    assert tray.claim()
    dialogs = DialogHost(timeout_s=30)
    peers = McpPeers(dialogs)
    tray.mcp_connected.connect(peers.adopt)
    opened: list[QDialog] = []
    dialogs.opened.connect(opened.append)

    link = TrayLink(GuiInvoker())
    assert link.open(tray.name)
    link.hello("Claude Desktop")
    qtbot.waitUntil(lambda: peers.clients() == ["Claude Desktop"])

    answers: list[UserAnswer] = []
    asking = threading.Thread(
        target=lambda: answers.append(link.confirm(DELETE, ASKS, SHOT, 30, lambda: False)), daemon=True
    )
    asking.start()
    qtbot.waitUntil(lambda: bool(opened))
    dialog = opened[0]
    assert isinstance(dialog, ConfirmDialog)
    assert '"Delete account"' in dialog.findChild(type(dialog.countdown), "reason").text()
    qtbot.mouseClick(dialog.allow_once, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(answers))
    assert answers == [UserAnswer.ALLOW_ONCE]

    # A second question, then the tray's Stop: the dialog closes (deny) and the server hears Stop.
    asking = threading.Thread(
        target=lambda: answers.append(link.confirm(DELETE, ASKS, SHOT, 30, lambda: False)), daemon=True
    )
    asking.start()
    qtbot.waitUntil(lambda: len(opened) == 2)
    with qtbot.waitSignal(link.stopped, timeout=5000):
        assert peers.stop_all()
    qtbot.waitUntil(lambda: len(answers) == 2)
    assert answers[1] is UserAnswer.DENY

    link.socket.disconnectFromServer()
    qtbot.waitUntil(lambda: peers.clients() == [])
    tray.close()


def test_without_a_tray_the_link_stays_closed(qtbot: QtBot) -> None:
    link = TrayLink(GuiInvoker())
    assert not link.open(f"deskhand-test-nobody-{uuid.uuid4().hex[:8]}", timeout_ms=200)
    assert not link.connected
