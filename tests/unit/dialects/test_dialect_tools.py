"""MCP servers' tools offered in each dialect's own format, and calls of them parsed back."""

from __future__ import annotations

import json

from deskhand.core.actions import CallTool, Decision
from deskhand.core.geometry import Rect, ScreenGeometry, Size
from deskhand.core.observation import Observation
from deskhand.core.outcome import Unparseable
from deskhand.core.tools import ToolSpec
from deskhand.vision.dialects import dialect_for

SCHEMA = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
READ = ToolSpec("notes", "read_note", "Read a note.", SCHEMA, read_only=True)
SHOT = Observation(
    "shot",
    b"img",
    "image/jpeg",
    ScreenGeometry(image_size=Size(1316, 728), screen_rect=Rect(0, 0, 1920, 1080)),
    1,
    1,
)


def system_of(dialect_name: str, tools: list[ToolSpec]) -> str:
    return dialect_for("m", dialect_name, tools).conversation("task", [], SHOT).turns[0].text


def test_qwen_offers_each_tool_as_a_function_and_parses_its_call() -> None:
    for name in ("qwen2.5-vl", "qwen3-vl"):
        system = system_of(name, [READ])
        assert json.dumps({"type": "function", "function": {"name": "notes__read_note"}})[:40] in system
        assert '"required": ["name"]' in system
        dialect = dialect_for("m", name, [READ])
        raw = '<tool_call>{"name": "notes__read_note", "arguments": {"name": "groceries"}}</tool_call>'
        decision = dialect.parse(raw, SHOT)
        assert isinstance(decision, Decision)
        assert decision.actions == (
            CallTool(server="notes", tool="read_note", arguments={"name": "groceries"}),
        )


def test_without_tools_nothing_changes_and_a_tool_call_is_refused() -> None:
    assert "notes__read_note" not in system_of("qwen2.5-vl", [])
    raw = '<tool_call>{"name": "notes__read_note", "arguments": {}}</tool_call>'
    assert isinstance(dialect_for("m", "qwen2.5-vl").parse(raw, SHOT), Unparseable)


def test_json_lists_the_tools_and_parses_call_tool() -> None:
    system = system_of("json", [READ])
    assert '"call_tool"' in system and 'server "notes", tool "read_note"' in system
    assert '"call_tool"' not in system_of("json", [])
    answer = {"thought": "", "actions": [{"kind": "call_tool", "server": "notes", "tool": "read_note",
                                          "arguments": {"name": "a"}}]}  # fmt: skip
    decision = dialect_for("m", "json", [READ]).parse(json.dumps(answer), SHOT)
    assert isinstance(decision, Decision) and isinstance(decision.actions[0], CallTool)


def test_holo_adds_call_tool_to_its_schema_only_when_there_are_tools() -> None:
    system = system_of("holo", [READ])
    assert "call_tool: server, tool, arguments" in system and 'server "notes", tool "read_note"' in system
    with_tools = dialect_for("m", "holo", [READ]).conversation("task", [], SHOT).response_schema
    without = dialect_for("m", "holo").conversation("task", [], SHOT).response_schema
    assert '"call_tool"' in json.dumps(with_tools) and '"call_tool"' not in json.dumps(without)
    answer = {"note": None, "thought": "", "tool_call": {"tool_name": "call_tool", "server": "notes",
                                                        "tool": "read_note", "arguments": {"name": "a"}}}  # fmt: skip
    decision = dialect_for("m", "holo", [READ]).parse(json.dumps(answer), SHOT)
    assert isinstance(decision, Decision)
    assert decision.actions == (CallTool(server="notes", tool="read_note", arguments={"name": "a"}),)
    assert isinstance(dialect_for("m", "holo").parse(json.dumps(answer), SHOT), Unparseable)
