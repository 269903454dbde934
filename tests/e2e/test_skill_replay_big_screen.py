"""A skill replayed on a 2560x1440 desktop (sent to the model at 1316x728): a click into a
text field changes the screenshot only a little (the focus ring, a blinking caret), and that
must count as the change the step expects -- found by accessibility, done without the model.
Before, the check called the screen unchanged, asked the model, and a replay whose labels were
all there stopped or cost model calls.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator

import pytest

from tests.e2e.window_ready import wait_until_ready
from tests.e2e.xsession import XSession, a11y_session, deskhand, read_events, wait_for
from tests.fakeollama import FakeOllama

pytestmark = pytest.mark.desktop

SKILL = """\
format: 1
name: note-field
description: write a note in the orchard
params:
  note:
    default: Grüße
steps:
- kind: click
  say: click the field 'Note' in 'Orchard Panel'
  expect: change
  target: {role: text, name: Note, window: Orchard Panel}
- kind: type
  say: type '{{note}}'
  expect: change
  text: '{{note}}'
- kind: click
  say: click the button 'Plum' in 'Orchard Panel'
  target: {role: push button, name: Plum, window: Orchard Panel}
"""


@pytest.fixture(scope="module")
def screen_1440(tmp_path_factory: pytest.TempPathFactory) -> Iterator[XSession]:
    data = tmp_path_factory.mktemp("deskhand-data")
    (data / "skills").mkdir()
    (data / "skills" / "note-field.yaml").write_text(SKILL, encoding="utf-8")
    with a11y_session(2560, 1440, data) as session:
        yield session


@pytest.mark.parametrize("place", ["bottom-right", "top-left"])
def test_a_field_click_on_a_big_screen_needs_no_model(screen_1440: XSession, place: str) -> None:
    log = screen_1440.tmp / f"orchard-{time.monotonic_ns()}.jsonl"
    screen_1440.start_app([sys.executable, "-m", "tests.e2e.apps.orchard", "--log", str(log),
                           "--buttons", "Pear,Plum", "--place", place])  # fmt: skip
    wait_for(lambda: log.exists() and "ready" in log.read_text(), 20, "the orchard window")
    wait_until_ready(screen_1440, "Orchard Panel", read_events(log)[0]["centres"])  # type: ignore[arg-type]
    with FakeOllama(models={"qwen2.5vl:7b": True}) as ollama:
        r = deskhand(screen_1440, "skills", "run", "note-field", "--param", "note=Servus Wien",
                     "--model", "qwen2.5vl:7b", "--host", ollama.url)  # fmt: skip
        asked = len(ollama.chat_requests)
    assert r.returncode == 0, r.stdout + r.stderr
    assert asked == 0
    assert "finished: Replayed skill 'note-field': 3 steps." in r.stdout
    seen = [e for e in read_events(log) if e["event"] != "ready"]
    assert [e["text"] for e in seen if e["event"] == "text"][-1] == "Servus Wien"
    assert [e["button"] for e in seen if e["event"] == "click"] == ["Plum"]
