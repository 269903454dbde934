"""One ``Executor`` for the loop: GUI actions to the GUI executor, commands to the shell."""

from __future__ import annotations

from typing import assert_never

from deskhand.actions._gate import require_approved
from deskhand.actions.gui import GuiExecutor
from deskhand.actions.shell import ShellRunner
from deskhand.core.actions import (
    Action,
    AskUser,
    CallTool,
    Click,
    Drag,
    Finish,
    Hotkey,
    Move,
    Remember,
    RunShell,
    Scroll,
    TypeText,
    Wait,
    describe,
)
from deskhand.core.approval import Approved
from deskhand.core.errors import ExecutionFailed
from deskhand.core.outcome import ExecResult
from deskhand.core.ports import MemoryWriter, ShouldStop, ToolRunner

__all__ = ["ActionExecutor"]


class ActionExecutor:
    """The ``deskhand.core.ports.Executor`` the app wires into the loop."""

    def __init__(
        self,
        gui: GuiExecutor | None = None,
        shell: ShellRunner | None = None,
        memory: MemoryWriter | None = None,
        tools: ToolRunner | None = None,
    ) -> None:
        self.gui = gui or GuiExecutor()
        self.shell = shell or ShellRunner()
        self.memory = memory
        self.tools = tools  # MCP servers' tools (deskhand.app.mcp_client), when any are configured

    def execute(self, approved: Approved[Action], *, should_stop: ShouldStop) -> ExecResult:
        action = require_approved(approved).action
        match action:
            case Click() | Move() | Drag() | Scroll() | TypeText() | Hotkey() | Wait():
                return self.gui.execute(approved, should_stop=should_stop)
            case RunShell():
                return self.shell.execute(approved, should_stop=should_stop)
            case Remember(text=text):
                if self.memory is None:
                    raise ExecutionFailed("Tried to keep a note in memory, but memory is not available here.")
                return ExecResult(feedback=f"kept in memory as #{self.memory.remember(text)}")
            case CallTool(server=server):
                if self.tools is None:
                    raise ExecutionFailed(f"No MCP server {server!r} is configured for this task.")
                return self.tools.execute(approved, should_stop=should_stop)
            case Finish() | AskUser():
                # The loop ends the task on these; reaching an executor is a wiring bug.
                raise ExecutionFailed(f"Nothing to execute for '{describe(action)}'; the loop handles it.")
            case _:
                assert_never(action)

    def release_all(self) -> None:
        self.gui.release_all()
        self.shell.release_all()

    def close(self) -> None:
        """Call once when the task or app ends: releases input, stops the clipboard server, and
        disconnects from the MCP servers."""
        try:
            self.gui.close()
        finally:
            if self.tools is not None:
                self.tools.close()
