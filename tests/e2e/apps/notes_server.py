"""A small MCP server of our own for the client-side tests: notes as files in a folder.

Run: python -m tests.e2e.apps.notes_server NOTES_DIR.  ``read_note`` and ``sketch`` (a PNG) are marked read-only,
``delete_note`` destructive; ``wait_forever`` never answers and ``crash`` ends the process
mid-call, so the tests can show a server that hangs or dies is only a tool error.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from mcp.server.mcpserver import Image, MCPServer
from mcp_types import ToolAnnotations

NOTES = Path(sys.argv[1])
server = MCPServer("notes")


@server.tool(annotations=ToolAnnotations(read_only_hint=True))
def read_note(name: str) -> str:
    """Read the note called ``name``."""
    return (NOTES / f"{name}.txt").read_text(encoding="utf-8")


@server.tool(annotations=ToolAnnotations(read_only_hint=False, destructive_hint=True))
def delete_note(name: str) -> str:
    """Delete the note called ``name`` for good."""
    (NOTES / f"{name}.txt").unlink()
    return f"deleted {name}"


@server.tool(annotations=ToolAnnotations(read_only_hint=True))
def sketch(name: str) -> Image:
    """The drawing attached to the note ``name`` (a PNG)."""
    return Image(path=NOTES / f"{name}.png")


@server.tool(annotations=ToolAnnotations(read_only_hint=True))
def wait_forever() -> str:
    """Never answers (a hung server)."""
    time.sleep(3600)
    return "too late"


@server.tool(annotations=ToolAnnotations(read_only_hint=True))
def crash() -> str:
    """Ends the server in the middle of the call (a server that dies)."""
    os._exit(3)


if __name__ == "__main__":
    server.run()
