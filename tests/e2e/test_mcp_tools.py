"""MCP servers' tools in `deskhand do`: our notes server (tests/e2e/apps/notes_server.py)
configured as a user would, the fake model calling its tools in each dialect's own format.

The read-only tool runs without asking; the destructive one asks on the terminal (and is
not run when the answer is no); a server that hangs or dies is a tool error the model is
told about, and the task goes on.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from PIL import Image

from tests.e2e.xsession import ROOT, XSession, deskhand, steps_of
from tests.fakeollama import FakeOllama

pytestmark = pytest.mark.desktop


@contextmanager
def notes_server(session: XSession, extra: str = "") -> Iterator[Path]:
    """A notes folder with one note, and config.toml naming the notes server (removed after)."""
    notes = session.tmp / "notes"
    notes.mkdir(exist_ok=True)
    (notes / "groceries.txt").write_text("milk, eggs, coffee")
    config = Path(session.env["XDG_CONFIG_HOME"]) / "deskhand" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        "[mcp_servers.notes]\n"
        f"command = {json.dumps(sys.executable)}\n"
        f'args = ["-m", "tests.e2e.apps.notes_server", {json.dumps(str(notes))}]\n'
        f"env = {{ PYTHONPATH = {json.dumps(str(ROOT))} }}\n" + extra
    )
    try:
        yield notes
    finally:
        config.unlink()


def qwen_call(name: str, arguments: dict[str, object]) -> dict[str, object]:
    call = json.dumps({"name": name, "arguments": arguments})
    return {"do": "raw", "text": f"I will use the notes tool.\n<tool_call>\n{call}\n</tool_call>"}


def test_read_only_tool_runs_and_destructive_one_asks(screen_1080: XSession, ollama: FakeOllama) -> None:
    trace = screen_1080.tmp / "trace-notes"
    with notes_server(screen_1080) as notes:
        ollama.script([
            qwen_call("notes__read_note", {"name": "groceries"}),
            qwen_call("notes__delete_note", {"name": "groceries"}),
            {"do": "finish", "summary": "Read it; was not allowed to delete it."},
        ])  # fmt: skip
        r = deskhand(screen_1080, "do", "read then delete my groceries note", "--model", "qwen2.5vl:7b",
                     "--host", ollama.url, "--trace", str(trace), stdin="n\n")  # fmt: skip
        assert r.returncode == 0, r.stdout + r.stderr
        assert (notes / "groceries.txt").exists()  # the person said no
    system = ollama.chat_requests[0].body["messages"][0]["content"]
    assert '"name": "notes__read_note"' in system and '"name": "notes__delete_note"' in system
    read, delete = steps_of(trace)[:2]
    assert read["verdicts"][0]["level"] == "auto", read  # type: ignore[index]
    assert "milk, eggs, coffee" in str(read["outcome"])
    assert delete["verdicts"][0]["level"] == "confirm", delete  # type: ignore[index]
    assert "notes.delete_note" in delete["verdicts"][0]["reason"]  # type: ignore[index]
    assert "denied by the user" in str(delete["outcome"])
    assert r.stdout.count("needs your OK") == 1
    # The result went back to the model as data, in the next turn.
    assert "milk, eggs, coffee" in json.dumps(ollama.chat_requests[1].body["messages"])


def test_an_approved_destructive_tool_runs(screen_1080: XSession, ollama: FakeOllama) -> None:
    with notes_server(screen_1080) as notes:
        ollama.script([qwen_call("notes__delete_note", {"name": "groceries"}), {"do": "finish"}])
        r = deskhand(screen_1080, "do", "delete my groceries note", "--model", "qwen2.5vl:7b",
                     "--host", ollama.url, stdin="y\n")  # fmt: skip
        assert r.returncode == 0, r.stdout + r.stderr
        assert not (notes / "groceries.txt").exists()


def test_a_blocked_tool_never_runs_and_the_json_dialect_calls_tools_too(
    screen_1080: XSession, ollama: FakeOllama
) -> None:
    trace = screen_1080.tmp / "trace-json"
    call = {"kind": "call_tool", "server": "notes", "tool": "delete_note", "arguments": {"name": "groceries"}}
    with notes_server(screen_1080, 'blocked = ["delete_note"]\n') as notes:
        ollama.script([
            {"do": "raw", "text": json.dumps({"thought": "delete it", "actions": [call]})},
            {"do": "finish"},
        ])  # fmt: skip
        r = deskhand(screen_1080, "do", "delete my groceries note", "--model", "gemma3:4b",
                     "--host", ollama.url, "--trace", str(trace), "--yes")  # fmt: skip
        assert r.returncode == 0, r.stdout + r.stderr
        assert (notes / "groceries.txt").exists()
    assert "delete_note" in ollama.chat_requests[0].body["messages"][0]["content"]
    assert "blocked by policy" in str(steps_of(trace)[0]["outcome"])


def test_a_server_that_hangs_or_dies_is_a_tool_error(screen_1080: XSession, ollama: FakeOllama) -> None:
    trace = screen_1080.tmp / "trace-broken"
    with notes_server(screen_1080, "timeout = 2\n"):
        ollama.script([
            qwen_call("notes__wait_forever", {}),
            qwen_call("notes__crash", {}),
            qwen_call("notes__read_note", {"name": "groceries"}),
            {"do": "finish", "summary": "The notes server is broken."},
        ])  # fmt: skip
        r = deskhand(screen_1080, "do", "look at my notes", "--model", "qwen2.5vl:7b",
                     "--host", ollama.url, "--trace", str(trace), timeout=90)  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    hung, died, after = (str(s["outcome"]) for s in steps_of(trace)[:3])
    assert hung.startswith("failed:") and "did not answer within 2 s" in hung
    assert died.startswith("failed:") and "notes.crash failed" in died
    assert after.startswith("failed:")  # the server is gone; the task still goes on


def test_a_server_that_speaks_garbage_is_left_out_and_the_task_goes_on(
    screen_1080: XSession, ollama: FakeOllama
) -> None:
    junk = (
        "[mcp_servers.junk]\n"
        f"command = {json.dumps(sys.executable)}\n"
        """args = ["-c", "print('this is not JSON-RPC'); print('{\\"jsonrpc\\": 42}')"]\n"""
    )
    with notes_server(screen_1080, junk):
        ollama.script([qwen_call("notes__read_note", {"name": "groceries"}), {"do": "finish"}])
        r = deskhand(screen_1080, "do", "read my note", "--model", "qwen2.5vl:7b", "--host", ollama.url)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "MCP server 'junk' is left out of this task" in r.stderr
    assert "milk, eggs, coffee" in r.stdout
    assert "junk__" not in ollama.chat_requests[0].body["messages"][0]["content"]


def test_an_image_a_tool_returns_reaches_the_model_as_a_picture(
    screen_1080: XSession, ollama: FakeOllama
) -> None:
    with notes_server(screen_1080) as notes:
        picture = io.BytesIO()
        Image.new("RGB", (40, 30), (200, 30, 30)).save(picture, "PNG")
        (notes / "groceries.png").write_bytes(picture.getvalue())
        ollama.script(
            [qwen_call("notes__sketch", {"name": "groceries"}), {"do": "finish", "summary": "seen"}]
        )
        r = deskhand(screen_1080, "do", "look at my groceries sketch", "--model", "qwen2.5vl:7b",
                     "--host", ollama.url)  # fmt: skip
        assert r.returncode == 0, r.stdout + r.stderr
    # The PNG itself travels in the next request, next to the screenshots, not a description.
    assert picture.getvalue() in ollama.chat_requests[1].images
    assert picture.getvalue() not in ollama.chat_requests[0].images
