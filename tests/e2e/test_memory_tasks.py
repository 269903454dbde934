"""Memory through the CLI, as a user meets it: a fact added once reaches the next task's
prompt (and the step record says so) until it is forgotten; a fact the model proposes is
kept only after a yes; a password typed during a task reaches neither memory nor the logs."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from deskhand.core.geometry import Size, smart_resize
from deskhand.vision.dialects.common import QWEN25_GRID
from tests.e2e.test_safety_tasks import MODEL, start_risky_window, steps_of
from tests.e2e.xsession import XSession, a11y_session, deskhand, read_events
from tests.fakeollama import FakeOllama

pytestmark = pytest.mark.desktop


@pytest.fixture(scope="module")
def desktop() -> Iterator[XSession]:
    with a11y_session(1280, 800) as session:
        yield session


@pytest.fixture
def fresh(desktop: XSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> XSession:
    """Each test its own data dir: memory, schedules and the audit log start empty."""
    monkeypatch.setitem(desktop.env, "DESKHAND_DATA_DIR", str(tmp_path / "data"))
    return desktop


def prompt_text(ollama: FakeOllama, request: int = 0) -> str:
    return json.dumps([m.get("content", "") for m in ollama.chat_requests[request].messages])


def remember_call(text: str) -> dict[str, object]:
    """The model proposes a fact the way Qwen2.5-VL calls our ``remember`` function."""
    call = json.dumps({"name": "remember", "arguments": {"text": text}})
    return {"do": "raw", "text": f"I should keep this for later.\n<tool_call>\n{call}\n</tool_call>"}


def memory_list(session: XSession) -> str:
    r = deskhand(session, "memory", "list")
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_a_fact_reaches_the_next_task_until_it_is_forgotten(fresh: XSession, ollama: FakeOllama) -> None:
    assert deskhand(fresh, "memory", "add", "My reports go to ~/Reports as PDF").returncode == 0
    assert deskhand(fresh, "memory", "add", "The cat is called Mimi").returncode == 0
    trace = fresh.tmp / "trace-memory"
    ollama.script([{"do": "finish", "summary": "saved"}])
    r = deskhand(fresh, "do", "Save the weekly report", *MODEL, "--host", ollama.url, "--trace", str(trace))
    assert r.returncode == 0, r.stdout + r.stderr
    prompt = prompt_text(ollama)
    assert "My reports go to ~/Reports as PDF" in prompt
    assert "Mimi" not in prompt  # nothing to do with the task: not sent
    assert steps_of(trace)[0]["memories"] == [{"id": 1, "text": "My reports go to ~/Reports as PDF"}]

    assert deskhand(fresh, "memory", "forget", "1").returncode == 0
    ollama.clear_requests()
    ollama.script([{"do": "finish", "summary": "saved"}])
    r = deskhand(fresh, "do", "Save the weekly report", *MODEL, "--host", ollama.url)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "~/Reports" not in prompt_text(ollama)


def test_a_fact_the_model_proposes_is_kept_only_after_a_yes(fresh: XSession, ollama: FakeOllama) -> None:
    fact = "The user's editor is mousepad"
    ollama.script([remember_call(fact), {"do": "finish", "summary": "noted"}])
    r = deskhand(fresh, "do", "Note my editor", *MODEL, "--host", ollama.url, stdin="n\n")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "keeps a note in memory" in r.stdout and fact in r.stdout  # the user saw the text
    assert fact not in memory_list(fresh)
    assert "denied" in prompt_text(ollama, 1).lower()

    ollama.clear_requests()
    ollama.script([remember_call(fact), {"do": "finish", "summary": "noted"}])
    r = deskhand(fresh, "do", "Note my editor", *MODEL, "--host", ollama.url, stdin="y\n")
    assert r.returncode == 0, r.stdout + r.stderr
    listing = memory_list(fresh)
    assert fact in listing and "proposed by the model" in listing
    assert "kept in memory as #1" in prompt_text(ollama, 1)


def test_a_password_typed_in_a_task_is_not_in_memory_nor_in_the_logs(
    fresh: XSession, ollama: FakeOllama, tmp_path: Path
) -> None:
    password = "Tr0ub4dor-and-3"  # noqa: S105 - the secret the test makes sure nobody keeps
    log = start_risky_window(fresh)
    x, y = json.loads(log.read_text().splitlines()[0])["centres"]["password"]
    trace = tmp_path / "trace-password"
    seen = smart_resize(Size(1280, 800), QWEN25_GRID)  # the image qwen2.5-vl answers in
    ollama.script([
        {"do": "click", "at": [x * seen.width / 1280, y * seen.height / 800]},
        {"do": "type", "text": password, "thought": f"I type {password} into the password field."},
        remember_call(f"The login is {password}"),
        remember_call(f"Remember {password} for next time"),
        {"do": "finish", "summary": "logged in"},
    ])  # fmt: skip
    r = deskhand(fresh, "do", "log in", *MODEL, "--host", ollama.url, "--trace", str(trace), stdin="y\n")
    assert r.returncode == 0, r.stdout + r.stderr
    typed = [e for e in read_events(log) if e["type"] == "password"]
    assert typed and typed[-1]["length"] == len(password)  # it was typed, with the user's OK
    steps = steps_of(trace)
    kept = [s["verdicts"][0] for s in steps[2:4]]  # type: ignore[index]
    assert [v["level"] for v in kept] == ["block", "block"], kept
    assert "secrets are never kept" in kept[0]["reason"]
    assert password not in memory_list(fresh)
    data = Path(fresh.env["DESKHAND_DATA_DIR"])
    for path in [*data.iterdir(), *trace.iterdir()]:
        assert password.encode() not in path.read_bytes(), path
    with sqlite3.connect(data / "audit.sqlite3") as db:  # also what the database holds
        records = "".join(row[0] for row in db.execute("SELECT record FROM steps"))
    assert password not in records and "not recorded" in records
