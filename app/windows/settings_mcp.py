"""The Settings window's MCP group: the ``[mcp_servers.NAME]`` tables, edited as TOML.

Why text, not a form per server: a server is a command line with arguments and an
environment, or a URL, plus two lists of tool names -- the TOML that MCP users already
write for other clients reads better than a grid of fields, and it is exactly what the
config file holds.  ``Settings`` still judges every table on Save (one of command or url,
names the model can call), and a TOML mistake is shown under the box; nothing is saved
until all of it is valid.
"""

from __future__ import annotations

import tomllib
from typing import Any

import tomli_w
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QLabel, QPlainTextEdit

from deskhand.app.store.config import Settings
from deskhand.app.windows.settings_fields import SettingsGroup

EXAMPLE = """# e.g.
# [mcp_servers.notes]
# command = "python3"
# args = ["-m", "my_notes_server"]
# always_allow = []      # tools that run without asking
# blocked = []           # tools that never run
"""


def servers_toml(settings: Settings) -> str:
    """The ``mcp_servers`` tables as the config file would hold them (defaults left out)."""
    data = {
        name: server.model_dump(mode="json", exclude_defaults=True)
        for name, server in settings.mcp_servers.items()
    }
    return tomli_w.dumps({"mcp_servers": data}) if data else EXAMPLE


class McpGroup(SettingsGroup):
    """The ``mcp_servers`` field."""

    def __init__(self, settings: Settings, errors: dict[str, QLabel]) -> None:
        super().__init__("MCP servers (tools the model may call)", errors)
        self.mcp_servers = QPlainTextEdit(servers_toml(settings))
        self.mcp_servers.setObjectName("mcp_servers")
        self.mcp_servers.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.mcp_servers.setMinimumHeight(120)
        self.row(
            "Servers",
            self.mcp_servers,
            "mcp_servers",
            note="Read-only tools run; other tools ask first. Changes apply to the next task.",
        )
        self._problem = ""

    def values(self) -> dict[str, Any]:
        self._problem = ""
        try:
            data = tomllib.loads(self.mcp_servers.toPlainText())
        except tomllib.TOMLDecodeError as exc:
            self._problem = f"not valid TOML ({exc})"
            return {}
        unknown = sorted(set(data) - {"mcp_servers"})
        if unknown:
            self._problem = f"only [mcp_servers.NAME] tables belong here, not {', '.join(unknown)}"
            return {}
        return {"mcp_servers": data.get("mcp_servers", {})}

    def problems(self) -> dict[str, str]:
        return {"mcp_servers": self._problem} if self._problem else {}
