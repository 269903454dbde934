"""What the model server sees of the latency work: early stop, and a stable prompt prefix.

Ollama reuses its prompt cache only for a byte-identical prefix (images included), and
reloads the model when options change; so across the steps of a task the system turn, the
task and the replayed history must reach the server unchanged, with the same options.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from deskhand.core.geometry import Rect, ScreenGeometry, Size
from deskhand.core.loop import Limits, Parts, TaskStatus, run_task
from deskhand.core.observation import Conversation, Observation, Turn
from deskhand.vision.dialects import dialect_for
from deskhand.vision.dialects.common import first_imaged_step
from deskhand.vision.ollama_model import OllamaModel
from tests.fakeollama import FakeOllama
from tests.fakes import FakeApprover, FakeClock, NoSettle, RecordingExecutor, never

MODELS = {"qwen2.5vl:7b": True, "ui-tars-1.5:7b": True, "qwen3-vl:8b": True, "gemma3:4b": True}
CLICK = '<tool_call>\n{"name": "computer_use", "arguments": {"action": "left_click", "coordinate": [10, 20]}}\n</tool_call>'
CHATTER = "\nThat should have done it. Next I would look at the screen again. " * 6


@pytest.fixture
def server() -> Iterator[FakeOllama]:
    with FakeOllama(models=MODELS) as srv:
        yield srv


def test_early_stop_cuts_the_answer_and_abandons_the_stream(server: FakeOllama) -> None:
    server.set_latency(first_token_ms=0, per_chunk_ms=25)
    server.script([{"do": "raw", "text": f"I click.\n{CLICK}{CHATTER}"}])
    dialect = dialect_for("qwen2.5vl:7b")
    model = OllamaModel(host=server.url, model="qwen2.5vl:7b", reply_end=dialect.reply_end)  # type: ignore[attr-defined]
    started = time.monotonic()

    done = model.complete(Conversation((Turn("user", "click"),)), should_stop=never)

    full_stream = (len(CLICK) + len(CHATTER)) / 6 * 0.025
    assert time.monotonic() - started < full_stream / 2
    assert done.text == f"I click.\n{CLICK}"
    assert done.stats == {"early_stop": 1.0}
    assert done.prompt_tokens is None and done.output_tokens is not None
    assert done.output_tokens < len(done.text) // 6 + 3
    assert server.wait_for(lambda: server.chat_requests[0].aborted, timeout=3)


def test_without_the_hook_the_whole_answer_is_read(server: FakeOllama) -> None:
    server.script([{"do": "raw", "text": f"I click.\n{CLICK}{CHATTER}"}])
    dialect = dialect_for("qwen2.5vl:7b")
    model = OllamaModel(host=server.url, model="qwen2.5vl:7b", reply_end=dialect.reply_end, early_stop=False)  # type: ignore[attr-defined]
    done = model.complete(Conversation((Turn("user", "click"),)), should_stop=never)
    assert done.text.endswith(CHATTER) and done.prompt_tokens is not None


class _Shots:
    """A screen whose every screenshot is different, as a real one would be."""

    def __init__(self) -> None:
        self.n = 0

    def observe(self) -> Observation:
        self.n += 1
        geometry = ScreenGeometry(image_size=Size(1316, 728), screen_rect=Rect(0, 0, 1920, 1080))
        return Observation(
            f"s{self.n}", f"jpeg bytes of shot {self.n}".encode(), "image/jpeg", geometry, 1, 1
        )


@pytest.mark.parametrize("model_name", list(MODELS))
def test_the_prompt_prefix_reaches_the_server_byte_identical(server: FakeOllama, model_name: str) -> None:
    steps = 8
    server.script([{"do": "hotkey", "keys": ["ctrl", "s"]}] * (steps - 1) + [{"do": "finish"}])
    dialect = dialect_for(model_name)
    model = OllamaModel(host=server.url, model=model_name, reply_end=getattr(dialect, "reply_end", None))
    parts = Parts(screen=_Shots(), model=model, dialect=dialect, approver=FakeApprover(),
                  executor=RecordingExecutor(), settler=NoSettle(), clock=FakeClock())  # fmt: skip

    result = run_task("Save the document", parts, Limits(max_steps=steps))

    assert result.status is TaskStatus.FINISHED, result.message
    requests = server.chat_requests
    assert len(requests) == steps
    wire = [[json.dumps(m, ensure_ascii=False).encode() for m in r.messages] for r in requests]
    kept = 0
    for k in range(steps - 1):
        before, after = wire[k], wire[k + 1]
        assert after[0] == before[0]  # the system turn never changes
        task_turn = requests[k + 1].messages[1]["content"]
        assert task_turn == requests[k].messages[1]["content"]  # nor the task (its image may go)
        if first_imaged_step(k) == first_imaged_step(k + 1):
            assert after[: len(before)] == before  # the whole previous request is the prefix
            kept += 1
    assert kept >= (steps - 1) // 2
    settings = {(json.dumps(r.options), r.keep_alive, json.dumps(r.format), r.think) for r in requests}
    assert len(settings) == 1  # a changed option would make Ollama reload the model
