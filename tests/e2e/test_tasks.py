"""Whole tasks through the real CLI on real apps: typing and saving, shell, scroll, several steps."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.e2e.conftest import DIALECT_MODELS
from tests.e2e.xsession import XSession, deskhand, do_traced, read_events, steps_of, wait_for
from tests.fakeollama import FakeOllama

pytestmark = pytest.mark.desktop

TEXT = "Grüße, naïve café — 5 < 6 > 4 & \"quotes\" 'too' €"


@pytest.mark.parametrize("dialect", list(DIALECT_MODELS))
def test_type_into_mousepad_and_save(
    dialect: str, screen_1080: XSession, ollama: FakeOllama, tmp_path: Path
) -> None:
    note = tmp_path / "note.txt"
    note.write_text("")
    screen_1080.start_app(["mousepad", "--disable-server", str(note)])
    wait_for(
        lambda: (
            b"note.txt" in screen_1080.run(["xdotool", "search", "--name", "note.txt"]).stdout
            or screen_1080.run(["xdotool", "search", "--name", "note.txt"]).returncode == 0
        ),
        timeout=20,
        what="mousepad",
    )
    wait_for(lambda: screen_1080.focused("note.txt"), 20, "mousepad to have the focus")
    ollama.script(
        [
            {"do": "type", "text": TEXT + "\nsecond line"},
            {"do": "hotkey", "keys": ["ctrl", "s"]},
            {"do": "finish", "summary": "Saved."},
        ]
    )
    result = deskhand(
        screen_1080,
        "do",
        "Write the greeting and save",
        "--model",
        DIALECT_MODELS[dialect],
        "--host",
        ollama.url,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    wait_for(lambda: note.read_text(encoding="utf-8") != "", timeout=5, what="the saved file")
    assert note.read_text(encoding="utf-8") == TEXT + "\nsecond line"


@pytest.mark.parametrize("dialect", ["qwen2.5-vl", "qwen3-vl", "json"])
def test_shell_output_reaches_the_model(
    dialect: str, screen_1080: XSession, ollama: FakeOllama, tmp_path: Path
) -> None:
    log = screen_1080.start_form(buttons="Apply")
    ollama.script(
        [
            {"do": "click", "target": "Name"},
            {"do": "shell", "command": "echo RESULT-$(uname -s)"},
            {"do": "type", "text": "{match}", "pattern": r"RESULT-(\w+)"},
            {"do": "finish", "summary": "Typed the kernel name."},
        ]
    )
    trace = tmp_path / "trace"
    do_traced(
        screen_1080, trace, "Put the kernel name in the Name field", "--model", DIALECT_MODELS[dialect],
        "--host", ollama.url,
    )  # fmt: skip
    texts = [e["text"] for e in read_events(log) if e["event"] == "text"]
    assert texts and texts[-1] == "Linux"
    first = steps_of(trace)[1]
    assert first["verdicts"] == [{"level": "auto", "reason": "read-only command"}]
    assert "RESULT-Linux" in first["outcome"]


@pytest.mark.parametrize("dialect", list(DIALECT_MODELS))
def test_scroll_to_a_hidden_row_and_click_it(dialect: str, screen_768: XSession, ollama: FakeOllama) -> None:
    log = screen_768.start_form(place="center", buttons="Apply", long_list=True)
    # UI-TARS scrolls a fixed 5 notches per action, so every dialect gets several scrolls.
    ollama.script(
        [
            *[{"do": "scroll", "target": "Row", "direction": "down", "amount": 5}] * 4,
            {"do": "click", "target": "Hidden treasure"},
            {"do": "finish"},
        ]
    )
    result = deskhand(
        screen_768, "do", "Open Hidden treasure", "--model", DIALECT_MODELS[dialect], "--host", ollama.url
    )
    assert result.returncode == 0, result.stdout + result.stderr
    events = read_events(log)
    assert any(e["event"] == "scroll" for e in events)
    assert [e["text"] for e in events if e["event"] == "item"] == ["Hidden treasure"]


def test_several_steps_in_order(screen_1080: XSession, ollama: FakeOllama, tmp_path: Path) -> None:
    log = screen_1080.start_form(place="top-right", buttons="Apply,Cancel")
    ollama.script(
        [
            {"do": "click", "target": "Name"},
            {"do": "type", "text": "Ada Lovelace"},
            {"do": "click", "target": "Apply"},
            {"do": "finish", "summary": "Filled and applied."},
        ]
    )
    trace = tmp_path / "trace"
    result = do_traced(
        screen_1080, trace, "Fill the name and apply", "--model", "ui-tars-1.5:7b", "--host", ollama.url
    )
    events = [e for e in read_events(log) if e["event"] in ("click", "text")]
    assert events[-1]["event"] == "click" and events[-1]["button"] == "Apply"
    assert [e["text"] for e in events if e["event"] == "text"][-1] == "Ada Lovelace"
    steps = steps_of(trace)
    assert [s["step"] for s in steps] == [1, 2, 3, 4]
    for s in steps:
        assert set(s["timings_ms"]) == {
            "capture",
            "encode",
            "model",
            "parse",
            "confirm",
            "execute",
            "settle",
            "total",
        }
    assert "finished: Filled and applied." in result.stdout


def test_typed_command_into_xterm_asks_first(
    screen_1080: XSession, ollama: FakeOllama, tmp_path: Path
) -> None:
    out = tmp_path / "out.txt"
    screen_1080.start_xterm()
    command = f"echo typed-by-deskhand > {out}\n"
    ollama.script([{"do": "type", "text": command}, {"do": "finish"}])
    denied = deskhand(
        screen_1080, "do", "write the file", "--model", "qwen2.5vl:7b", "--host", ollama.url, stdin="n\n"
    )
    assert denied.returncode == 0, denied.stdout + denied.stderr
    assert "needs your OK" in denied.stdout and "denied by the user" in denied.stdout
    time.sleep(0.5)  # stays: the time a typed command would take to write the file, had it run
    assert not out.exists()
    ollama.script([{"do": "type", "text": command}, {"do": "finish"}])
    allowed = deskhand(
        screen_1080, "do", "write the file", "--model", "qwen2.5vl:7b", "--host", ollama.url, stdin="y\n"
    )
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    wait_for(out.exists, timeout=5, what="the file xterm's shell writes")
    assert out.read_text().strip() == "typed-by-deskhand"
