"""`deskhand do --backend openai` on real Qt widgets, for every dialect, as with Ollama.

The fake OpenAI-compatible server has the same truthful oracle behind it as the fake Ollama
(OCR of the screenshot it was sent, answers in the model family's own format), so a click
lands on the button only if the image, its grid and the coordinate mapping are all right
through this wire too.  The dialect follows the model name, never the server.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.xsession import XSession, deskhand, read_events, steps_of
from tests.fakeopenai import FakeOpenAI

pytestmark = pytest.mark.desktop

MODELS = {
    "qwen2.5-vl": "Qwen/Qwen2.5-VL-7B-Instruct",
    "ui-tars": "ByteDance-Seed/UI-TARS-1.5-7B",
    "qwen3-vl": "Qwen/Qwen3-VL-8B-Instruct",
    "json": "google/gemma-3-12b-it",
}


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(models=dict.fromkeys(MODELS.values(), True), flavor="vllm") as srv:
        yield srv


def run(screen: XSession, server: FakeOpenAI, dialect: str, task: str, *extra: str, stdin: str = ""):  # type: ignore[no-untyped-def]
    return deskhand(
        screen, "do", task, "--backend", "openai", "--host", server.url, "--model", MODELS[dialect], *extra,
        stdin=stdin,
    )  # fmt: skip


@pytest.mark.parametrize("dialect", list(MODELS))
@pytest.mark.parametrize(("size", "place"), [("1080", "center"), ("768", "top-left")])
def test_click_a_button(
    dialect: str, size: str, place: str, request: pytest.FixtureRequest, server: FakeOpenAI, tmp_path: Path
) -> None:
    screen: XSession = request.getfixturevalue(f"screen_{size}")
    log = screen.start_form(place=place, buttons="Apply,Cancel")
    server.script([{"do": "click", "target": "Cancel"}, {"do": "finish", "summary": "Clicked Cancel."}])
    trace = tmp_path / "trace"
    result = run(screen, server, dialect, "Click Cancel", "--trace", str(trace))
    assert result.returncode == 0, result.stdout + result.stderr
    clicks = [e for e in read_events(log) if e["event"] == "click"]
    assert [e["button"] for e in clicks] == ["Cancel"]
    x, y, w, h = clicks[0]["rect"]  # type: ignore[misc]
    assert x <= clicks[0]["x"] < x + w and y <= clicks[0]["y"] < y + h  # type: ignore[operator]
    step = steps_of(trace)[0]
    assert step["dialect"] == dialect and step["model"] == MODELS[dialect]
    sent = server.chat_requests[0]
    assert sent.image_sizes == [tuple(step["image_size"])]  # type: ignore[arg-type]
    assert (sent.body or {})["temperature"] == 0 and sent.stream
    if dialect == "json":
        assert (sent.body or {})["response_format"]["type"] == "json_schema"
    assert f"{MODELS[dialect]} ({dialect}) on {server.url}" in result.stdout


@pytest.mark.parametrize("dialect", list(MODELS))
def test_type_into_the_form(dialect: str, screen_1080: XSession, server: FakeOpenAI) -> None:
    log = screen_1080.start_form(place="center", buttons="Apply")
    server.script(
        [
            {"do": "click", "target": "Name"},
            {"do": "type", "text": "Ada Lovelace"},
            {"do": "finish", "summary": "Typed the name."},
        ]
    )
    result = run(screen_1080, server, dialect, "Type Ada Lovelace into Name")
    assert result.returncode == 0, result.stdout + result.stderr
    texts = [e["text"] for e in read_events(log) if e["event"] == "text"]
    assert texts and texts[-1] == "Ada Lovelace"


@pytest.mark.parametrize("dialect", list(MODELS))
def test_a_denied_action_is_not_carried_out(
    dialect: str, screen_1080: XSession, server: FakeOpenAI, tmp_path: Path
) -> None:
    out = tmp_path / "out.txt"
    screen_1080.start_xterm()
    server.script([{"do": "type", "text": f"echo typed-by-deskhand > {out}\n"}, {"do": "finish"}])
    denied = run(screen_1080, server, dialect, "write the file", stdin="n\n")
    assert denied.returncode == 0, denied.stdout + denied.stderr
    assert "needs your OK" in denied.stdout and "denied by the user" in denied.stdout
    time.sleep(0.5)  # stays: the time a typed command would take to write the file, had it run
    assert not out.exists()
    told = server.chat_requests[1]
    assert "denied" in json.dumps(told.messages).lower()  # the model hears about the denial
