"""OpenAIModel through the real ``openai`` client against the fake server: the happy paths,
the request's shape, streaming, early and user stops, response formats and model metadata."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from deskhand.core.errors import ModelError, Stopped
from deskhand.core.observation import Turn
from deskhand.vision.dialects import dialect_for
from deskhand.vision.openai_model import OpenAIModel, ServedModel
from tests.fakeollama.screens import render
from tests.fakeopenai import FakeOpenAI, fixtures
from tests.fakes import convo, never

VISION = "Qwen/Qwen2.5-VL-7B-Instruct"
TEXT_ONLY = "meta-llama/Llama-3.2-3B-Instruct"
fake_openai = fixtures.fake_openai
fake_openai_factory = fixtures.fake_openai_factory


def test_streamed_chunks_are_joined_into_the_whole_answer(fake_openai: FakeOpenAI) -> None:
    text = "Thought: all good.\n" * 5
    fake_openai.script([{"do": "raw", "text": text}])
    done = OpenAIModel(host=fake_openai.url, model=VISION).complete(
        convo(Turn("user", "hi")), should_stop=never
    )
    assert done.text == text
    assert done.output_tokens == len(text) // 6 + 1  # the fake's usage: its chunks of 6 characters
    assert done.prompt_tokens is not None and done.prompt_tokens > 0
    assert done.model_ms > 0


def test_the_request_has_the_chat_completions_shape(fake_openai: FakeOpenAI) -> None:
    first, second = render((1316, 728)), render((800, 600), fmt="PNG")
    fake_openai.script([{"do": "raw", "text": "ok"}])
    turns = (
        Turn("system", "You are a GUI agent."),
        Turn("user", "Task: save the file.", first.data),
        Turn("assistant", "Thought: click"),
        Turn("tool", "exit 0"),
        Turn("user", "The screen now:", second.data),
    )
    OpenAIModel(host=fake_openai.url, model=VISION, max_tokens=200).complete(convo(*turns), should_stop=never)

    (req,) = fake_openai.chat_requests
    body = req.body or {}
    assert (body["model"], body["stream"], body["temperature"], body["max_tokens"]) == (VISION, True, 0, 200)
    assert "response_format" not in body
    assert [m["role"] for m in req.messages] == ["system", "user", "assistant", "user", "user"]
    image_turn = req.messages[1]["content"]
    assert [p["type"] for p in image_turn] == ["image_url", "text"]
    assert image_turn[0]["image_url"]["url"].startswith("data:image/jpeg;base64,")
    assert req.messages[4]["content"][0]["image_url"]["url"].startswith("data:image/png;base64,")
    assert base64.b64decode(image_turn[0]["image_url"]["url"].split(",", 1)[1]) == first.data
    assert req.image_sizes == [(1316, 728), (800, 600)]
    assert req.messages[0]["content"] == "You are a GUI agent."
    assert req.authorization == "Bearer no-key"  # a placeholder: local servers need no key


def test_the_api_key_is_sent_as_a_bearer_token(fake_openai_factory: object) -> None:
    srv = fake_openai_factory(api_key="sk-test-123")  # type: ignore[operator]
    srv.script([{"do": "raw", "text": "ok"}])
    model = OpenAIModel(host=srv.url, model=VISION, api_key="sk-test-123")
    assert model.complete(convo(Turn("user", "hi")), should_stop=never).text == "ok"
    assert all(r.authorization == "Bearer sk-test-123" for r in srv.requests)
    assert "sk-test-123" not in repr(model)


def test_the_oracle_answers_each_dialect_through_this_wire(fake_openai_factory: object) -> None:
    screen = render((1316, 728))
    names = {"qwen2.5-vl": VISION, "ui-tars": "ByteDance-Seed/UI-TARS-1.5-7B",
             "qwen3-vl": "Qwen/Qwen3-VL-8B-Instruct", "json": "google/gemma-3-12b-it"}  # fmt: skip
    srv = fake_openai_factory(models=dict.fromkeys(names.values(), True))  # type: ignore[operator]
    for dialect_name, name in names.items():
        dialect = dialect_for(name)
        assert dialect.name == dialect_name
        srv.script([{"do": "click", "target": "Save As"}])
        obs = _observation(screen.data)
        conversation = dialect.conversation("Click Save As", [], obs)
        done = OpenAIModel(host=srv.url, model=name).complete(conversation, should_stop=never)
        decision = dialect.parse(done.text, obs)
        point = decision.actions[0].at  # type: ignore[union-attr]
        cx, cy = screen.centres["Save As"]
        assert abs(point.x - cx) <= 3 and abs(point.y - cy) <= 3, (dialect_name, done.text)


def _observation(image: bytes):  # type: ignore[no-untyped-def]
    from deskhand.core.geometry import Rect, ScreenGeometry, Size
    from deskhand.core.observation import Observation

    geometry = ScreenGeometry(image_size=Size(1316, 728), screen_rect=Rect(0, 0, 1316, 728))
    return Observation("obs-1", image, "image/jpeg", geometry, 1.0, 1.0)


def test_early_stop_cuts_the_answer_and_closes_the_stream(fake_openai: FakeOpenAI) -> None:
    fake_openai.latency = (0, 30)
    answer = '<tool_call>{"name": "computer_use", "arguments": {"action": "wait"}}</tool_call>'
    fake_openai.script([{"do": "raw", "text": answer + "\nMore words the model goes on with. " * 20}])
    model = OpenAIModel(host=fake_openai.url, model=VISION, reply_end=dialect_for(VISION).reply_end)  # type: ignore[attr-defined]
    started = time.monotonic()
    done = model.complete(convo(Turn("user", "hi")), should_stop=never)
    assert done.text.strip() == answer
    assert done.stats == {"early_stop": 1.0} and done.prompt_tokens is None
    assert time.monotonic() - started < 3.0  # the full answer would take ~4 s
    # The server records a request when its handler ends, which may be after we return.
    assert fake_openai.wait_for(
        lambda: bool(fake_openai.chat_requests) and fake_openai.chat_requests[0].aborted, timeout=10
    )


def test_should_stop_aborts_the_stream_at_once(fake_openai: FakeOpenAI) -> None:
    fake_openai.latency = (0, 40)
    fake_openai.script([{"do": "raw", "text": "y" * 600}])
    started = time.monotonic()
    with pytest.raises(Stopped):
        OpenAIModel(host=fake_openai.url, model=VISION).complete(
            convo(Turn("user", "hi")), should_stop=lambda: time.monotonic() - started > 0.3
        )
    assert time.monotonic() - started < 1.0
    # The server records a request when its handler ends, which may be after we return.
    assert fake_openai.wait_for(
        lambda: bool(fake_openai.chat_requests) and fake_openai.chat_requests[0].aborted, timeout=10
    )


def test_stop_also_works_while_the_server_has_not_answered_yet(fake_openai: FakeOpenAI) -> None:
    fake_openai.script([{"do": "hang", "seconds": 30}])
    started = time.monotonic()
    with pytest.raises(Stopped):
        OpenAIModel(host=fake_openai.url, model=VISION).complete(
            convo(Turn("user", "hi")), should_stop=lambda: time.monotonic() - started > 0.2
        )
    assert time.monotonic() - started < 1.0


def test_a_schema_asks_for_json_schema_output(fake_openai: FakeOpenAI) -> None:
    schema: dict[str, object] = {"type": "object", "properties": {"thought": {"type": "string"}}}
    fake_openai.script([{"do": "raw", "text": "{}"}])
    OpenAIModel(host=fake_openai.url, model=VISION).complete(
        convo(Turn("user", "hi"), schema=schema), should_stop=never
    )
    (req,) = fake_openai.chat_requests
    assert (req.body or {})["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "decision", "schema": schema},
    }


@pytest.mark.parametrize(("support", "sent"), [("json_object", "json_object"), ("none", None)])
def test_a_refused_format_falls_back_once_and_is_remembered(
    fake_openai_factory: object, support: str, sent: str | None
) -> None:
    srv = fake_openai_factory(schema_support=support)  # type: ignore[operator]
    srv.script([{"do": "raw", "text": "{}"}, {"do": "raw", "text": "{}"}])
    model = OpenAIModel(host=srv.url, model=VISION)
    schema: dict[str, object] = {"type": "object"}
    for _ in range(2):
        assert model.complete(convo(Turn("user", "hi"), schema=schema), should_stop=never).text == "{}"
    chats = [r for r in srv.requests if r.method == "POST"]
    kinds = [(r.body or {}).get("response_format", {}).get("type") for r in chats]
    expected = ["json_schema", "json_object", None] if sent is None else ["json_schema", "json_object"]
    assert kinds == [*expected, sent]  # the second task step goes straight to what works
    assert [r.status for r in chats][-1] == 200


def test_a_cut_stream_without_finish_reason_is_an_error(fake_openai: FakeOpenAI) -> None:
    fake_openai.script([{"do": "cut", "text": "Thought: half", "mode": "no_finish"}])
    with pytest.raises(
        ModelError, match=r"cut off after 13 characters \(the stream ended without a finish_reason\)"
    ):
        OpenAIModel(host=fake_openai.url, model=VISION).complete(convo(Turn("user", "hi")), should_stop=never)


@pytest.mark.parametrize(
    ("flavor", "vision", "version"),
    [
        ("vllm", None, "vLLM 0.9.2"),
        ("llama.cpp", True, "llama.cpp llama-server b5902-fake"),
        ("lmstudio", True, "LM Studio"),
        ("sglang", None, "SGLang"),
        ("plain", None, "an OpenAI-compatible server"),
    ],
)
def test_check_and_version_read_what_each_server_says(
    fake_openai_factory: object, flavor: str, vision: bool | None, version: str
) -> None:
    srv = fake_openai_factory(flavor=flavor, models={VISION: True})  # type: ignore[operator]
    model = OpenAIModel(host=srv.url, model=VISION)
    assert model.server_version() == version
    info = model.check()
    assert info.name == VISION and info.vision is vision
    assert model.check(probe_images=True).vision is True  # unknown: a tiny image settles it
    probes = [r for r in srv.requests if r.method == "POST"]
    assert len(probes) == (1 if vision is None else 0)
    assert srv.chat_requests == []  # a probe uses no script step


def test_list_models_marks_vision_where_the_server_says(fake_openai_factory: object) -> None:
    srv = fake_openai_factory(flavor="lmstudio", models={VISION: True, TEXT_ONLY: False})  # type: ignore[operator]
    model = OpenAIModel(host=srv.url)
    listed = model.list_models()
    assert [(m.name, m.vision) for m in listed] == [(VISION, True), (TEXT_ONLY, False)]
    assert model.server == "lmstudio"
    srv2 = fake_openai_factory(flavor="llama.cpp", models={VISION: True})  # type: ignore[operator]
    (only,) = OpenAIModel(host=srv2.url).list_models()
    assert only == ServedModel(VISION, True, 4_683_073_504, "7.6B", "llama.cpp")
    srv3 = fake_openai_factory(flavor="vllm", models={VISION: True})  # type: ignore[operator]
    assert [m.vision for m in OpenAIModel(host=srv3.url).list_models()] == [None]


def test_warm_up_and_close_are_harmless(fake_openai: FakeOpenAI) -> None:
    with OpenAIModel(host=fake_openai.url, model=VISION) as model:
        model.warm_up()
    assert fake_openai.requests == []


def test_the_fake_runs_as_a_process_for_cli_tests(tmp_path: Path) -> None:
    script = tmp_path / "script.json"
    script.write_text(json.dumps([{"do": "raw", "text": "hello"}]), encoding="utf-8")
    record = tmp_path / "requests.jsonl"
    argv = [sys.executable, "-m", "tests.fakeopenai", "--script", str(script), "--record", str(record),
            "--model", "a-vision-model", "--model", "a-text-model=novision", "--flavor", "lmstudio",
            "--api-key", "sk-proc"]  # fmt: skip
    root = Path(__file__).resolve().parents[2]
    with subprocess.Popen(argv, cwd=root, stdout=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stdout is not None
            url = proc.stdout.readline().strip().removeprefix("FAKE_OPENAI_URL=")
            model = OpenAIModel(host=url, model="a-vision-model", api_key="sk-proc")
            assert [(m.name, m.vision) for m in model.list_models()] == [
                ("a-vision-model", True),
                ("a-text-model", False),
            ]
            assert model.complete(convo(Turn("user", "hi")), should_stop=never).text == "hello"
        finally:
            proc.terminate()
    lines = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]
    assert lines[-1]["answer"] == "hello" and lines[-1]["authorized"] is True
    assert "sk-proc" not in record.read_text(encoding="utf-8")
