"""Every way the server can fail becomes ModelUnavailable or ModelError with a useful sentence,
and no raw httpx/ollama exception escapes."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator

import pytest

from deskhand.core.errors import ModelError, ModelRejected, ModelUnavailable
from deskhand.core.observation import Conversation, Turn
from deskhand.vision.ollama_model import OllamaModel
from deskhand.vision.streaming import MAX_REPLY_CHARS
from tests.fakeollama import FakeOllama
from tests.fakeollama.fixtures import unused_port
from tests.fakeollama.screens import render
from tests.fakes import never

VISION = "qwen2.5vl:7b"
HELLO = Conversation(turns=(Turn("user", "hi"),))


def ask(
    srv: FakeOllama, model: str = VISION, *, first_token_timeout: float = 120, total_timeout: float = 300
) -> None:
    OllamaModel(
        host=srv.url, model=model, first_token_timeout=first_token_timeout, total_timeout=total_timeout
    ).complete(HELLO, should_stop=never)


def test_server_down_is_unavailable_with_the_exact_sentence() -> None:
    url = f"http://127.0.0.1:{unused_port()}"
    model = OllamaModel(host=url, model=VISION)
    expected = (
        f"Tried to reach Ollama at {url}, but the connection was refused. "
        "Start it with `ollama serve` (or set --host/OLLAMA_HOST)."
    )
    for call in (
        lambda: model.complete(HELLO, should_stop=never),
        model.check,
        model.list_models,
        model.warm_up,
        lambda: model.pull(VISION, lambda s, c, t: None),
    ):
        with pytest.raises(ModelUnavailable) as caught:
            call()
        assert str(caught.value) == expected


def test_unknown_model_says_how_to_pull_it(fake_ollama: FakeOllama) -> None:
    fake_ollama.script([{"do": "raw", "text": "x"}])
    expected = (
        f"Tried to use model nope:7b on Ollama at {fake_ollama.url}, but it is not installed "
        "there. Get it with `ollama pull nope:7b` (or `deskhand pull nope:7b`)."
    )
    with pytest.raises(ModelUnavailable) as caught:
        ask(fake_ollama, "nope:7b")
    assert str(caught.value) == expected
    with pytest.raises(ModelUnavailable) as caught:
        OllamaModel(host=fake_ollama.url, model="nope:7b").check()
    assert str(caught.value) == expected


def test_model_without_vision_is_refused_by_check(fake_ollama: FakeOllama) -> None:
    with pytest.raises(ModelUnavailable) as caught:
        OllamaModel(host=fake_ollama.url, model="llama3.2:3b").check()
    assert str(caught.value) == (
        "Tried to use model llama3.2:3b, but it cannot read images (Ollama lists: completion), "
        "so it cannot see the screen. Use a vision model instead, e.g. `ollama pull "
        "qwen2.5vl:7b` and --model qwen2.5vl:7b."
    )


def test_image_sent_to_a_text_model_is_unavailable(fake_ollama: FakeOllama) -> None:
    fake_ollama.script([{"do": "raw", "text": "x"}])
    convo = Conversation(turns=(Turn("user", "look", render((800, 600)).data),))
    with pytest.raises(ModelUnavailable, match="cannot read images"):
        OllamaModel(host=fake_ollama.url, model="llama3.2:3b").complete(convo, should_stop=never)


def test_no_model_name_is_unavailable(fake_ollama: FakeOllama) -> None:
    with pytest.raises(ModelUnavailable, match=r"no model name was given\. Pass --model NAME"):
        ask(fake_ollama, "")


def test_http_500_is_a_retryable_model_error_with_the_servers_message(
    fake_ollama: FakeOllama,
) -> None:
    fake_ollama.script([{"do": "error", "status": 500, "message": "CUDA error: out of memory"}])
    with pytest.raises(ModelError) as caught:
        ask(fake_ollama)
    assert not isinstance(caught.value, ModelUnavailable)
    assert str(caught.value) == (
        f"Asked {VISION} on Ollama at {fake_ollama.url} for the next step, but the server "
        "failed with HTTP 500: CUDA error: out of memory. The task can be retried; if this "
        "keeps happening, check the `ollama serve` log."
    )


def test_error_mid_stream_is_a_model_error(fake_ollama: FakeOllama) -> None:
    step = {"do": "error", "mid_stream": True, "message": "llama runner process has terminated"}
    fake_ollama.script([step])
    with pytest.raises(ModelError) as caught:
        ask(fake_ollama)
    text = str(caught.value)
    assert "reported an error mid-answer: llama runner process has terminated." in text
    assert "can be retried" in text


def test_cut_stream_says_the_answer_was_cut_off(fake_ollama: FakeOllama) -> None:
    fake_ollama.script([{"do": "cut", "text": "Thought: I will cl"}])
    with pytest.raises(ModelError) as caught:
        ask(fake_ollama)
    text = str(caught.value)
    assert text.startswith(f"Asked {VISION} on Ollama at {fake_ollama.url} for the next step")
    assert "the answer was cut off after 18 characters" in text
    assert "Retry the task" in text


def test_half_a_json_line_is_cut_off(fake_ollama: FakeOllama) -> None:
    fake_ollama.script([{"do": "cut", "text": "Thought: ok", "mode": "partial_line"}])
    with pytest.raises(ModelError, match=r"cut off after 11 characters \(JSONDecodeError"):
        ask(fake_ollama)


def test_stream_without_final_chunk_is_cut_off(fake_ollama: FakeOllama) -> None:
    # A cut right at a chunk boundary can look like a clean end; the missing done chunk tells.
    fake_ollama.script([{"do": "cut", "text": ""}])
    with pytest.raises(ModelError, match="the answer was cut off"):
        ask(fake_ollama)


def test_hang_times_out_with_how_long_it_waited(fake_ollama: FakeOllama) -> None:
    fake_ollama.script([{"do": "hang", "seconds": 30}])
    started = time.monotonic()
    with pytest.raises(ModelError) as caught:
        ask(fake_ollama, first_token_timeout=0.5)
    assert time.monotonic() - started < 5
    assert str(caught.value) == (
        f"Asked {VISION} on Ollama at {fake_ollama.url} for the next step, but waited 0.5 s "
        "and no answer came. Check that the GPU is free and the model loads (`ollama ps`, the "
        "`ollama serve` log), or raise the timeout, then retry."
    )


def test_stalled_stream_times_out(fake_ollama: FakeOllama) -> None:
    fake_ollama.script([{"do": "raw", "text": "x" * 30, "per_chunk_ms": 2000}])
    with pytest.raises(ModelError, match=r"waited 0\.5 s for the rest of the answer"):
        ask(fake_ollama, first_token_timeout=0.5)


def test_overall_limit_ends_a_slow_answer(fake_ollama: FakeOllama) -> None:
    fake_ollama.script([{"do": "raw", "text": "x" * 600, "per_chunk_ms": 20}])
    started = time.monotonic()
    with pytest.raises(ModelError, match=r"waited 0\.4 s and the answer was still not finished"):
        ask(fake_ollama, total_timeout=0.4)
    assert time.monotonic() - started < 2


def test_exhausted_script_fails_loudly(fake_ollama: FakeOllama) -> None:
    fake_ollama.script([])
    with pytest.raises(ModelError, match="the script has no step left for chat request #1"):
        ask(fake_ollama)


def test_pull_of_an_unknown_name_is_unavailable(fake_ollama: FakeOllama) -> None:
    with pytest.raises(ModelUnavailable) as caught:
        OllamaModel(host=fake_ollama.url).pull("no-such-model:1b", lambda s, c, t: None)
    assert str(caught.value) == (
        f"Tried to pull no-such-model:1b through Ollama at {fake_ollama.url}, but the server "
        "said: pull model manifest: file does not exist. Check the name at "
        "https://ollama.com/library and that the server can reach the internet."
    )


@pytest.fixture
def full_backlog_port() -> Iterator[int]:
    """A port whose listen queue is full, so a new TCP handshake never completes."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    yield port
    for s in (*fillers, listener):
        s.close()


def test_connect_timeout_is_unavailable(full_backlog_port: int) -> None:
    url = f"http://127.0.0.1:{full_backlog_port}"
    model = OllamaModel(host=url, model=VISION, connect_timeout=0.3)
    with pytest.raises(ModelUnavailable) as caught:
        model.check()
    assert str(caught.value) == (
        f"Tried to reach Ollama at {url}, but it did not accept a connection within 0.3 s. "
        "Check that the host is right and reachable (--host/OLLAMA_HOST)."
    )


def test_a_runaway_answer_is_cut_at_the_cap_and_the_task_told_why() -> None:
    with FakeOllama(models={VISION: True}, chunk_chars=4096) as srv:
        srv.script([{"do": "raw", "text": "y" * (MAX_REPLY_CHARS + 5000)}])
        url = srv.url
        with pytest.raises(ModelRejected) as caught:  # asking again would run away the same way
            ask(srv)
    assert str(caught.value) == (
        f"Asked {VISION} on Ollama at {url} for the next step, but the answer grew past "
        f"{MAX_REPLY_CHARS:,} characters without ending, so it was cut off (a step's answer is a few "
        "hundred characters). Check that the server keeps to the answer's token limit (num_predict), "
        "or use another model."
    )


def test_a_name_that_does_not_resolve_is_said_in_words_not_errno() -> None:
    url = "http://gpu-box.invalid:11434"  # .invalid never resolves (RFC 6761)
    model = OllamaModel(host=url, model=VISION)
    for call in (model.server_version, model.check, lambda: model.complete(HELLO, should_stop=never)):
        with pytest.raises(ModelUnavailable) as caught:
            call()
        assert str(caught.value) == (
            f"Tried to reach Ollama at {url}, but the name gpu-box.invalid does not resolve to an "
            "address (a typo, or a machine that is off or not on this network). Check --host/OLLAMA_HOST."
        )
