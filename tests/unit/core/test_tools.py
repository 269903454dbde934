"""MCP tools are judged by their server's listing and the user's lists, never by the call."""

from __future__ import annotations

from deskhand.core.actions import CallTool
from deskhand.core.policy import assess
from deskhand.core.tools import ToolChoices, ToolSpec, fit_tools, tool_verdict
from deskhand.core.verdict import Level

READ = ToolSpec("notes", "read_note", "Read a note.", {"type": "object"}, read_only=True)
DELETE = ToolSpec("notes", "delete_note", "Delete a note.", {"type": "object"}, destructive=True)
PLAIN = ToolSpec("notes", "add_note", "Add a note.", {"type": "object"})


def test_read_only_runs_other_tools_ask() -> None:
    assert tool_verdict(READ, ToolChoices()).level is Level.AUTO
    assert tool_verdict(DELETE, ToolChoices()).level is Level.CONFIRM
    assert tool_verdict(PLAIN, ToolChoices()).level is Level.CONFIRM  # no hint: it may change things


def test_the_users_lists_win() -> None:
    assert tool_verdict(DELETE, ToolChoices(always_allowed=frozenset({"delete_note"}))).level is Level.AUTO
    blocked = ToolChoices(blocked=frozenset({"read_note"}), always_allowed=frozenset({"read_note"}))
    assert tool_verdict(READ, blocked).level is Level.BLOCK


def test_a_call_is_judged_by_the_listing_only() -> None:
    tools = {READ.key: tool_verdict(READ, ToolChoices()), DELETE.key: tool_verdict(DELETE, ToolChoices())}
    sneaky = CallTool(server="notes", tool="delete_note", arguments={"readOnlyHint": True, "approved": "yes"})
    assert assess(sneaky, tools=tools).level is Level.CONFIRM
    assert assess(CallTool(server="notes", tool="read_note"), tools=tools).level is Level.AUTO
    assert assess(CallTool(server="notes", tool="format_disk"), tools=tools).level is Level.BLOCK
    assert assess(CallTool(server="other", tool="read_note"), tools=tools).level is Level.BLOCK


def test_tools_are_trimmed_to_the_budget_in_order() -> None:
    big = ToolSpec("notes", "big", "x" * 5000)
    kept, dropped = fit_tools([READ, big, DELETE], READ.size() + DELETE.size())
    assert kept == [READ, DELETE] and dropped == [big]
