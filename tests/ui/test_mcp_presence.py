"""The MCP server's stop bar: who is using the desktop, and a Stop that refuses their calls."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from deskhand.app.cli.mcp_command import Presence
from deskhand.core.stop import StopToken


def test_the_bar_names_the_client_and_stop_sets_the_flag(qtbot: QtBot) -> None:
    stop = StopToken()
    presence = Presence(stop)
    qtbot.addWidget(presence.bar)
    assert not presence.bar.isVisible()
    presence.used_by("Claude Desktop")
    qtbot.waitUntil(presence.bar.isVisible)
    assert "used by Claude Desktop" in presence.bar.status.toolTip()
    assert not presence.bar.details.isVisible()
    qtbot.mouseClick(presence.bar.stop, Qt.MouseButton.LeftButton)
    assert stop.requested
    assert "Claude Desktop" in presence.bar.status.toolTip() and "refused" in presence.bar.status.toolTip()
    presence.used_by("another client")  # after Stop the bar keeps saying so
    assert "refused" in presence.bar.status.toolTip()
