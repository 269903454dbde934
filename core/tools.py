"""Tools of MCP servers as the loop sees them, and the rule that gives each a level.

The app lists each configured server's tools at task start (``deskhand.app.mcp_client``)
and turns them into ``ToolSpec``s; the policy judges a ``CallTool`` only by its spec and
the user's per-server lists, never by anything the model wrote: a tool the server marks
read-only runs, one the user always allows runs, one the user blocked never runs, and
every other tool asks first.  A tool that was not offered to this task is refused.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from deskhand.core.verdict import Level, Verdict

__all__ = ["ToolChoices", "ToolKey", "ToolSpec", "fit_tools", "not_offered", "tool_verdict"]

ToolKey = tuple[str, str]  # (server, tool)


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """One tool of one server, as its listing described it."""

    server: str
    name: str
    description: str = ""
    input_schema: Mapping[str, Any] = field(default_factory=dict)
    read_only: bool = False  # the server's readOnlyHint
    destructive: bool | None = None  # the server's destructiveHint (None: not said)

    @property
    def key(self) -> ToolKey:
        return (self.server, self.name)

    def size(self) -> int:
        """Characters it takes in a prompt (a rough measure of its tokens)."""
        return len(self.name) + len(self.description) + len(json.dumps(self.input_schema))


@dataclass(frozen=True, slots=True)
class ToolChoices:
    """The user's own lists for one server (settings): tool names always allowed or blocked."""

    always_allowed: frozenset[str] = frozenset()
    blocked: frozenset[str] = frozenset()


def tool_verdict(spec: ToolSpec, choices: ToolChoices) -> Verdict:
    """The level a call of ``spec`` gets, whatever its arguments."""
    what = f"{spec.server}.{spec.name}"
    if spec.name in choices.blocked:
        return Verdict(
            level=Level.BLOCK, reason=f"you blocked the tool {what} in settings", rules=("mcp-blocked",)
        )
    if spec.name in choices.always_allowed:
        return Verdict(level=Level.AUTO, reason=f"you always allow the tool {what}", rules=("mcp-allowed",))
    if spec.read_only:
        return Verdict(
            level=Level.AUTO, reason=f"the server marks {what} read-only", rules=("mcp-read-only",)
        )
    effect = "may delete or overwrite things" if spec.destructive is not False else "may change things"
    return Verdict(
        level=Level.CONFIRM,
        reason=f"the tool {what} {effect} (its server does not mark it read-only)",
        rules=("mcp-tool",),
    )


def not_offered(server: str, tool: str) -> Verdict:
    return Verdict(
        level=Level.BLOCK,
        reason=f"{server}.{tool} is not a tool offered to this task",
        rules=("mcp-unknown",),
    )


def fit_tools(specs: Sequence[ToolSpec], budget_chars: int) -> tuple[list[ToolSpec], list[ToolSpec]]:
    """The tools that fit ``budget_chars`` of prompt, in the order given, and those left out."""
    kept: list[ToolSpec] = []
    dropped: list[ToolSpec] = []
    used = 0
    for spec in specs:
        if used + spec.size() <= budget_chars:
            kept.append(spec)
            used += spec.size()
        else:
            dropped.append(spec)
    return kept, dropped
