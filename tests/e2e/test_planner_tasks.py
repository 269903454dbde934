"""A planner and a grounder on one fake server, and several actions in one answer, through the CLI.

The fake answers the planner model in words (``plan`` steps from its own script) and every
other model as a grounder; the grounder's step clicks whatever the planner's words name, so
the click lands right only if those words reached it.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.e2e.xsession import XSession, deskhand, do_traced, form_command, read_events, steps_of, wait_for
from tests.fakeollama import FakeOllama

pytestmark = pytest.mark.desktop

PLANNER = "llama3.2:3b"  # text-only in the fake: the planner may be a plain chat model
GROUNDER = "qwen2.5vl:7b"


def test_planner_words_reach_the_grounder(screen_1080: XSession, ollama: FakeOllama, tmp_path: Path) -> None:
    log = screen_1080.start_form(place="center", buttons="Apply,Cancel")
    ollama.script_model(
        PLANNER,
        [
            {"do": "plan", "next": 'Click the "Cancel" button', "first_token_ms": 150},
            {"do": "plan", "done": "Cancelled the form.", "first_token_ms": 150},
        ],
    )
    ollama.script(
        [{"do": "click", "target": "{match}", "pattern": r'Click the "([^"]+)"', "first_token_ms": 40}]
    )
    trace = tmp_path / "trace"
    result = do_traced(
        screen_1080, trace, "Cancel the form", "--model", GROUNDER, "--planner", PLANNER, "--host", ollama.url
    )
    assert "planned by llama3.2:3b" in result.stdout and "finished: Cancelled the form." in result.stdout
    clicks = [e for e in read_events(log) if e["event"] == "click"]
    assert [c["button"] for c in clicks] == ["Cancel"]

    chats = ollama.chat_requests
    assert [r.model for r in chats] == [PLANNER, GROUNDER, PLANNER]
    assert chats[0].images == [] and "Task: Cancel the form" in json.dumps(chats[0].messages)
    assert 'Click the \\"Cancel\\" button' in json.dumps(chats[1].messages)  # the words reached it
    assert len(chats[1].images) == 1
    assert "Click the" in json.dumps(chats[2].messages) and "executed" in json.dumps(chats[2].messages)
    assert {r.keep_alive for r in chats} == {"30m"}  # both asked to stay loaded between steps
    assert {PLANNER, GROUNDER} <= set(ollama.models.loaded)
    assert 'planner llama3.2:3b: Click the "Cancel" button' in result.stdout

    first, second = steps_of(trace)
    assert first["planner_model"] == PLANNER and first["plan"] == 'Click the "Cancel" button'
    assert str(first["planner_output"]).endswith('Next: Click the "Cancel" button')
    timings = first["timings_ms"]
    assert isinstance(timings, dict)
    assert timings["planner"] >= 140 and timings["model"] >= 30  # each model's own time (step 1's
    # ``model`` also holds the wait for both models to load)
    assert second["plan"] == "Cancelled the form." and second["timings_ms"]["model"] == 0  # type: ignore[index]
    assert second["actions"] == [{"kind": "finish", "summary": "Cancelled the form.", "success": True}]


def test_missing_planner_is_a_setup_error(screen_1080: XSession, ollama: FakeOllama) -> None:
    result = deskhand(
        screen_1080, "do", "x", "--model", GROUNDER, "--planner", "nosuch:1b", "--host", ollama.url
    )
    assert result.returncode == 2, result.stdout + result.stderr
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("deskhand: error: The planner model nosuch:1b: ") and "nosuch:1b" in line


def start_hiding_form(session: XSession) -> Path:
    """A form whose Apply button hides its Cancel button."""
    log = session.tmp / f"hiding-{time.monotonic_ns()}.jsonl"
    session.start_app([*form_command(log, "center", "Apply,Cancel"), "--hide-on-click", "Apply:Cancel"])
    wait_for(lambda: log.exists() and "ready" in log.read_text(), 20, "the hiding form")
    wait_for(lambda: session.focused("Deskhand test form"), 10, "the hiding form to have the focus")
    return log


def test_second_action_is_dropped_when_its_target_goes(
    screen_1080: XSession, ollama: FakeOllama, tmp_path: Path
) -> None:
    log = start_hiding_form(screen_1080)
    ollama.script(
        [
            {
                "do": "several",
                "steps": [{"do": "click", "target": "Apply"}, {"do": "click", "target": "Cancel"}],
            },
            {"do": "finish", "summary": "Applied."},
        ]
    )
    trace = tmp_path / "trace"
    do_traced(screen_1080, trace, "Apply, then cancel", "--model", GROUNDER, "--host", ollama.url)
    clicks = [e["button"] for e in read_events(log) if e["event"] == "click"]
    assert clicks == ["Apply"]  # Cancel was gone: its click was not run
    first = steps_of(trace)[0]
    assert [a["kind"] for a in first["actions"]] == ["click"]  # type: ignore[union-attr,index]
    dropped = first["dropped"]
    assert isinstance(dropped, list) and len(dropped) == 1
    assert dropped[0]["action"]["kind"] == "click" and "screen changed" in dropped[0]["reason"]
    second_request = ollama.chat_requests[1]
    assert "not done: the screen changed" in json.dumps(second_request.messages)
    assert second_request.images[-1] != ollama.chat_requests[0].images[-1]  # a new screenshot


def test_several_actions_run_when_the_screen_holds(
    screen_1080: XSession, ollama: FakeOllama, tmp_path: Path
) -> None:
    log = screen_1080.start_form(place="center", buttons="Apply,Cancel")
    ollama.script(
        [
            {"do": "several", "steps": [{"do": "click", "target": "Name"}, {"do": "type", "text": "Ada"}]},
            {"do": "finish", "summary": "Typed."},
        ]
    )
    trace = tmp_path / "trace"
    do_traced(screen_1080, trace, "Type the name", "--model", GROUNDER, "--host", ollama.url)
    assert [e["text"] for e in read_events(log) if e["event"] == "text"][-1] == "Ada"
    first = steps_of(trace)[0]
    assert [a["kind"] for a in first["actions"]] == ["click", "type_text"]  # type: ignore[union-attr,index]
    assert first["dropped"] == []


def test_a_move_then_a_drag_in_one_answer_drags(screen_1080: XSession, ollama: FakeOllama) -> None:
    """The cookbook's pair in one answer: the check between lets the drag start where the move
    put the pointer (its own doing), and the drag selects the words between."""
    log = screen_1080.start_form()
    ollama.script(
        [
            {"do": "click", "target": "Name"},
            {"do": "type", "text": "alpha beta gamma"},
            {
                "do": "several",
                "steps": [
                    {"do": "move", "target": "alpha"},
                    {"do": "drag", "from_pointer": True, "to": "gamma"},
                ],
            },
            {"do": "type", "text": "X"},
            {"do": "finish", "summary": "Replaced the middle."},
        ]
    )
    result = deskhand(
        screen_1080, "do", "Replace the middle words with X", "--model", GROUNDER, "--host", ollama.url
    )
    assert result.returncode == 0, result.stdout + result.stderr
    final = [e["text"] for e in read_events(log) if e["event"] == "text"][-1]
    assert "X" in final and "beta" not in final, final
