"""OllamaModel through the real ``ollama`` client against the fake server: the happy paths."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable

import pytest

from deskhand.core.errors import ModelUnavailable, Stopped
from deskhand.core.observation import Turn
from deskhand.vision.ollama_model import ModelInfo, OllamaModel, normalize_host
from tests.fakeollama import FakeOllama
from tests.fakeollama.screens import render
from tests.fakes import convo, never

VISION = "qwen2.5vl:7b"


def test_streamed_chunks_are_joined_into_the_whole_answer(fake_ollama: FakeOllama) -> None:
    text = "Thought: all good.\n" * 5
    fake_ollama.script([{"do": "raw", "text": text}])
    model = OllamaModel(host=fake_ollama.url, model="llama3.2:3b")

    done = model.complete(convo(Turn("user", "hi")), should_stop=never)

    assert done.text == text
    assert done.output_tokens == len(text) // 6 + 1  # the fake's chunks of 6 characters
    assert done.prompt_tokens is not None and done.prompt_tokens > 0
    assert set(done.stats) == {"load_ms", "prompt_eval_ms", "eval_ms", "total_ms"}
    assert done.stats["load_ms"] == pytest.approx(1.5)
    assert done.model_ms > 0


def test_request_carries_options_keep_alive_think_and_format(fake_ollama: FakeOllama) -> None:
    fake_ollama.script([{"do": "raw", "text": "{}"}])
    schema: dict[str, object] = {"type": "object", "properties": {"thought": {"type": "string"}}}
    model = OllamaModel(host=fake_ollama.url, model=VISION, keep_alive="10m", num_ctx=4096, num_predict=200)

    model.complete(convo(Turn("user", "hi"), schema=schema), should_stop=never)

    (req,) = fake_ollama.chat_requests
    assert req.model == VISION
    assert req.stream is True
    assert req.think is False
    assert req.keep_alive == "10m"
    assert req.format == schema
    assert req.options == {"temperature": 0, "seed": 0, "num_ctx": 4096, "num_predict": 200}


def test_no_schema_means_no_format_and_defaults(fake_ollama: FakeOllama) -> None:
    fake_ollama.script([{"do": "raw", "text": "x"}])
    OllamaModel(host=fake_ollama.url, model=VISION).complete(convo(Turn("user", "hi")), should_stop=never)

    (req,) = fake_ollama.chat_requests
    assert req.body is not None and "format" not in req.body
    assert req.keep_alive == "30m"
    assert req.options["num_ctx"] == 8192 and req.options["num_predict"] == 384


def test_images_and_history_are_sent_on_their_turns(fake_ollama: FakeOllama) -> None:
    first, second = render((1316, 728)), render((800, 600), fmt="PNG")
    fake_ollama.script([{"do": "raw", "text": "ok"}])
    turns = (
        Turn("system", "You are a GUI agent."),
        Turn("user", "Task: save the file.", first.data),
        Turn("assistant", "Thought: click\nAction: click(point='<point>1 2</point>')"),
        Turn("tool", "exit 0"),
        Turn("user", "The screen now:", second.data),
    )

    OllamaModel(host=fake_ollama.url, model=VISION).complete(convo(*turns), should_stop=never)

    (req,) = fake_ollama.chat_requests
    assert [m["role"] for m in req.messages] == ["system", "user", "assistant", "tool", "user"]
    assert [m["content"] for m in req.messages] == [t.text for t in turns]
    assert [len(m.get("images") or []) for m in req.messages] == [0, 1, 0, 0, 1]
    assert req.images == [first.data, second.data]
    assert req.image_sizes == [(1316, 728), (800, 600)]


def test_latency_is_emulated_and_reported(fake_ollama: FakeOllama) -> None:
    fake_ollama.set_latency(first_token_ms=150, per_chunk_ms=10)
    fake_ollama.script([{"do": "raw", "text": "x" * 60}])

    done = OllamaModel(host=fake_ollama.url, model=VISION).complete(
        convo(Turn("user", "hi")), should_stop=never
    )

    assert done.model_ms >= 150 + 9 * 10
    assert done.stats["prompt_eval_ms"] >= 140


def test_should_stop_aborts_the_stream_and_closes_it(fake_ollama: FakeOllama) -> None:
    fake_ollama.set_latency(first_token_ms=0, per_chunk_ms=40)
    fake_ollama.script([{"do": "raw", "text": "y" * 600}])  # 100 chunks, ~4 s
    streaming_since: list[float] = []  # when the server was first seen answering
    stop_at: list[float] = []  # when Stop was pressed: 0.3 s into the answer

    def stop_mid_reply() -> bool:
        # Timed from the answer's start, not the test's: a slow connect on a busy machine
        # must not have Stop pressed before the stream it is meant to cut.
        if not streaming_since and fake_ollama.chat_requests:
            streaming_since.append(time.monotonic())
        if streaming_since and not stop_at and time.monotonic() - streaming_since[0] > 0.3:
            stop_at.append(time.monotonic())
        return bool(stop_at)

    model = OllamaModel(host=fake_ollama.url, model=VISION)
    with pytest.raises(Stopped):
        model.complete(convo(Turn("user", "hi")), should_stop=stop_mid_reply)

    assert time.monotonic() - stop_at[0] < 0.7  # Stop acts at once
    assert fake_ollama.wait_for(lambda: fake_ollama.chat_requests[0].aborted, timeout=10)


def test_stop_acts_while_the_model_is_still_loading(fake_ollama: FakeOllama) -> None:
    fake_ollama.set_latency(first_token_ms=3000)
    fake_ollama.script([{"do": "raw", "text": "late"}])
    stop = threading.Event()
    threading.Timer(0.2, stop.set).start()
    started = time.monotonic()

    with pytest.raises(Stopped):
        OllamaModel(host=fake_ollama.url, model=VISION).complete(
            convo(Turn("user", "hi")), should_stop=stop.is_set
        )

    assert time.monotonic() - started < 1.0


def test_already_stopped_sends_nothing(fake_ollama: FakeOllama) -> None:
    with pytest.raises(Stopped):
        OllamaModel(host=fake_ollama.url, model=VISION).complete(
            convo(Turn("user", "hi")), should_stop=lambda: True
        )
    assert fake_ollama.requests == []


def test_check_accepts_a_vision_model(fake_ollama: FakeOllama) -> None:
    info = OllamaModel(host=fake_ollama.url, model=VISION).check()
    assert info == ModelInfo(VISION, 5_100_000_000, True, "7B", "qwen25vl")


def test_list_models_flags_vision_from_show_capabilities(
    fake_ollama_factory: Callable[..., FakeOllama],
) -> None:
    srv = fake_ollama_factory(models={"qwen2.5vl:7b": True, "llama3.2:3b": False, "qwen3-vl:8b": True})
    models = OllamaModel(host=srv.url).list_models()
    assert [(m.name, m.vision) for m in models] == [
        ("qwen2.5vl:7b", True),
        ("llama3.2:3b", False),
        ("qwen3-vl:8b", True),
    ]
    assert all(m.size > 0 and m.parameter_size and m.family for m in models)
    assert [r.path for r in srv.requests].count("/api/show") == 3


def test_pull_reports_progress_and_installs(fake_ollama: FakeOllama) -> None:
    seen: list[tuple[str, int | None, int | None]] = []
    model = OllamaModel(host=fake_ollama.url, model="qwen3-vl:8b")
    with pytest.raises(ModelUnavailable):
        model.check()

    model.pull("qwen3-vl:8b", lambda s, c, t: seen.append((s, c, t)))

    statuses = [s for s, _, _ in seen]
    assert statuses[0] == "pulling manifest"
    assert statuses[-3:] == ["verifying sha256 digest", "writing manifest", "success"]
    layer = [(c, t) for s, c, t in seen if s.startswith("pulling ") and s != "pulling manifest"]
    assert layer[0][0] is None and layer[0][1] is not None
    assert any(c == t for c, t in layer)
    assert model.check().vision


def test_pull_can_be_stopped(fake_ollama: FakeOllama) -> None:
    fake_ollama.set_latency(per_chunk_ms=100)
    seen: list[str] = []
    with pytest.raises(Stopped):
        OllamaModel(host=fake_ollama.url).pull(
            "qwen2.5vl:3b", lambda s, c, t: seen.append(s), should_stop=lambda: len(seen) >= 3
        )
    assert len(seen) == 3


def test_warm_up_loads_without_consuming_a_step(fake_ollama: FakeOllama) -> None:
    fake_ollama.script([{"do": "raw", "text": "x"}])
    OllamaModel(host=fake_ollama.url, model=VISION, keep_alive="1h").warm_up()

    (req,) = fake_ollama.requests
    assert req.path == "/api/chat" and req.messages == [] and req.keep_alive == "1h"
    assert fake_ollama.remaining_steps == 1
    assert VISION in fake_ollama.models.loaded


@pytest.mark.parametrize(
    ("given", "env", "expected"),
    [
        (None, None, "http://127.0.0.1:11434"),
        (None, "0.0.0.0", "http://0.0.0.0:11434"),
        ("localhost:9999", "x", "http://localhost:9999"),
        ("http://gpu-box", None, "http://gpu-box:80"),
        ("https://gpu-box/ollama/", None, "https://gpu-box:443/ollama"),
        ("[::1]:11434", None, "http://[::1]:11434"),
    ],
)
def test_host_resolution(
    monkeypatch: pytest.MonkeyPatch, given: str | None, env: str | None, expected: str
) -> None:
    if env is None:
        monkeypatch.delenv("OLLAMA_HOST", raising=False)
    else:
        monkeypatch.setenv("OLLAMA_HOST", env)
    assert normalize_host(given) == expected


def test_request_bodies_are_plain_json(fake_ollama: FakeOllama) -> None:
    fake_ollama.script([{"do": "raw", "text": "x"}])
    OllamaModel(host=fake_ollama.url, model=VISION).complete(
        convo(Turn("user", "hi", render((800, 600)).data)), should_stop=never
    )
    (req,) = fake_ollama.chat_requests
    json.dumps(req.body)  # base64 strings, nothing binary
    assert isinstance(req.messages[0]["images"][0], str)


def test_server_version(fake_ollama: FakeOllama) -> None:
    assert OllamaModel(host=fake_ollama.url).server_version() == "0.12.6"


def test_server_version_of_something_else_is_unavailable() -> None:
    import http.server

    class NotOllama(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(404)
            self.send_header("Content-Length", "9")
            self.end_headers()
            self.wfile.write(b"not found")

        def log_message(self, format: str, *args: object) -> None:
            return

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotOllama)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}"
        with pytest.raises(ModelUnavailable) as caught:
            OllamaModel(host=url).server_version()
        assert str(caught.value) == (
            f"Asked {url} for Ollama's version, but it answered HTTP 404 'not found', which is "
            "not Ollama. Check --host/OLLAMA_HOST."
        )
    finally:
        httpd.shutdown()
        httpd.server_close()
