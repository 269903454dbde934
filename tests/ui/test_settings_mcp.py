"""The Settings window's MCP servers box: shows the config's tables, saves what load_settings
reads back, and a mistake (bad TOML, a server with both command and url) saves nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from deskhand.app.store.config import McpServer, Settings, load_settings
from deskhand.app.windows.settings import SettingsWindow
from deskhand.vision.ollama_model import ModelInfo

NOTES = McpServer(command="python3", args=("-m", "notes"), blocked=("delete_note",))


class NoModels:
    def __call__(self, host: str) -> NoModels:
        return self

    def list_models(self) -> list[ModelInfo]:
        return []

    def server_version(self) -> str:
        return "0.0-fake"


@pytest.fixture
def config(isolated: Path) -> Path:
    return isolated / "config.toml"  # DESKHAND_CONFIG (tests/ui/conftest.py)


def open_window(qtbot: QtBot, settings: Settings) -> SettingsWindow:
    window = SettingsWindow(settings, server_factory=NoModels())  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.show()
    return window


def test_servers_are_shown_and_an_added_one_is_saved(qtbot: QtBot, config: Path) -> None:
    window = open_window(qtbot, Settings(mcp_servers={"notes": NOTES}))
    text = window.mcp.mcp_servers.toPlainText()
    assert "[mcp_servers.notes]" in text and '"delete_note"' in text
    window.mcp.mcp_servers.setPlainText(text + '\n[mcp_servers.tickets]\nurl = "http://127.0.0.1:9000/mcp"\n')
    assert window.save(), window.status.text()
    saved = load_settings(config).mcp_servers
    assert saved["notes"] == NOTES
    assert saved["tickets"].url == "http://127.0.0.1:9000/mcp"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[mcp_servers.notes\ncommand = 'x'\n", "not valid TOML"),
        ("[mcp_servers.both]\ncommand = 'x'\nurl = 'http://127.0.0.1:1/mcp'\n", "either `command`"),
        ("model = 'x'\n", "only [mcp_servers.NAME] tables"),
    ],
)
def test_a_mistake_saves_nothing_and_says_why(qtbot: QtBot, config: Path, text: str, reason: str) -> None:
    window = open_window(qtbot, Settings())
    window.mcp.mcp_servers.setPlainText(text)
    assert not window.save()
    assert not config.exists()
    assert reason in window.errors["mcp_servers"].text()
