"""Every way an OpenAI-compatible server can fail, as one clear sentence (and the right type:
``ModelUnavailable`` for set-up problems, ``ModelError`` for a task that may be retried)."""

from __future__ import annotations

import re

import pytest

from deskhand.core.errors import ModelError, ModelUnavailable
from deskhand.core.observation import Conversation, Turn
from deskhand.vision.openai_model import OpenAIModel
from tests.fakeollama.fixtures import unused_port
from tests.fakeollama.screens import render
from tests.fakeopenai import FakeOpenAI, fixtures
from tests.fakes import never

VISION = "Qwen/Qwen2.5-VL-7B-Instruct"
TEXT_ONLY = "meta-llama/Llama-3.2-3B-Instruct"
fake_openai = fixtures.fake_openai
fake_openai_factory = fixtures.fake_openai_factory
HI = Conversation(turns=(Turn("user", "hi"),))


def ask(model: OpenAIModel, conversation: Conversation = HI) -> str:
    return model.complete(conversation, should_stop=never).text


def test_connection_refused() -> None:
    url = f"http://127.0.0.1:{unused_port()}/v1"
    with pytest.raises(ModelUnavailable) as failed:
        OpenAIModel(host=url, model=VISION).check()
    assert str(failed.value) == (
        f"Tried to reach the OpenAI-compatible server at {url}, but the connection was refused. "
        "Start the server (e.g. `vllm serve MODEL` or `llama-server -m MODEL.gguf --mmproj "
        "MMPROJ.gguf`), or fix --host: the base URL including /v1."
    )
    with pytest.raises(ModelUnavailable, match="connection was refused"):
        ask(OpenAIModel(host=url, model=VISION))


def test_a_missing_key(fake_openai_factory: object) -> None:
    srv = fake_openai_factory(api_key="sk-right")  # type: ignore[operator]
    with pytest.raises(ModelUnavailable) as failed:
        OpenAIModel(host=srv.url, model=VISION).check()
    assert str(failed.value) == (
        f"Asked the server at {srv.url} for its models, but the server wants an API key (HTTP 401: "
        "Invalid or missing API key) and none is set. Set DESKHAND_API_KEY (or OPENAI_API_KEY, or "
        "the keyring entry named by api_key_keyring)."
    )


def test_a_wrong_key_is_never_repeated_back(fake_openai_factory: object) -> None:
    srv = fake_openai_factory(api_key="sk-right", echo_bad_key=True)  # type: ignore[operator]
    model = OpenAIModel(host=srv.url, model=VISION, api_key="sk-wrong-4242")
    with pytest.raises(ModelUnavailable) as failed:
        ask(model)
    message = str(failed.value)
    assert "refused the API key (HTTP 401: Incorrect API key provided: [API key]." in message
    assert "sk-wrong-4242" not in message
    assert "to a key this server accepts" in message


def test_forbidden(fake_openai: FakeOpenAI) -> None:
    fake_openai.script([{"do": "error", "status": 403, "message": "key lacks access to this model"}])
    with pytest.raises(ModelUnavailable, match=r"the API key may not do that \(HTTP 403: key lacks access"):
        ask(OpenAIModel(host=fake_openai.url, model=VISION, api_key="k"))


def test_an_unknown_model_lists_the_served_ones(fake_openai: FakeOpenAI) -> None:
    expected = (
        f"Tried to use model qwen2.5vl:7b on the server at {fake_openai.url}, but it does not serve "
        f"that model; it serves: {VISION}, {TEXT_ONLY}. Pass --model with one of those."
    )
    with pytest.raises(ModelUnavailable) as by_chat:
        ask(OpenAIModel(host=fake_openai.url, model="qwen2.5vl:7b"))
    assert str(by_chat.value) == expected
    with pytest.raises(ModelUnavailable) as by_check:
        OpenAIModel(host=fake_openai.url, model="qwen2.5vl:7b").check()
    assert str(by_check.value) == expected


def test_a_base_url_without_v1_says_so(fake_openai: FakeOpenAI) -> None:
    wrong = f"{fake_openai.root}/api"
    for call in (lambda m: m.check(), ask):
        with pytest.raises(ModelUnavailable, match=re.escape(f"the OpenAI-compatible API at {wrong}, but")):
            call(OpenAIModel(host=wrong, model=VISION))


def test_a_bare_host_gets_v1() -> None:
    assert OpenAIModel(host="http://gpu-box:8000").host == "http://gpu-box:8000/v1"


@pytest.mark.parametrize(
    ("status", "pattern"),
    [
        (500, r"but the server failed with HTTP 500: boom\. The task can be retried"),
        (503, r"failed with HTTP 503: boom"),
        (429, r"busy or rate-limited \(HTTP 429: boom\)\. Wait a moment"),
        (400, r"rejected it with HTTP 400: boom"),
    ],
)
def test_http_errors(fake_openai: FakeOpenAI, status: int, pattern: str) -> None:
    fake_openai.script([{"do": "error", "status": status, "message": "boom"}])
    with pytest.raises(ModelError, match=pattern) as failed:
        ask(OpenAIModel(host=fake_openai.url, model=VISION))
    assert str(failed.value).startswith(
        f"Asked {VISION} on the server at {fake_openai.url} for the next step"
    )


def test_an_error_event_mid_stream(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(
        [{"do": "error", "mid_stream": True, "text": "Thought: I", "message": "CUDA out of memory"}]
    )
    with pytest.raises(ModelError, match=r"reported an error mid-answer: CUDA out of memory\."):
        ask(OpenAIModel(host=fake_openai.url, model=VISION))


def test_a_dropped_connection_mid_stream(fake_openai: FakeOpenAI) -> None:
    fake_openai.script([{"do": "cut", "text": "Thought: I can see"}])
    with pytest.raises(ModelError, match=r"the answer was cut off after 18 characters"):
        ask(OpenAIModel(host=fake_openai.url, model=VISION))


def test_no_answer_within_the_read_timeout(fake_openai: FakeOpenAI) -> None:
    fake_openai.script([{"do": "hang", "seconds": 5}])
    with pytest.raises(ModelError, match=r"waited 0\.5 s and no answer came\. Check that the server's GPU"):
        ask(OpenAIModel(host=fake_openai.url, model=VISION, first_token_timeout=0.5))


def test_an_answer_that_stalls(fake_openai: FakeOpenAI) -> None:
    fake_openai.script([{"do": "raw", "text": "x" * 30, "per_chunk_ms": 1500}])
    with pytest.raises(ModelError, match=r"waited 0\.5 s for the rest of the answer after it stalled"):
        ask(OpenAIModel(host=fake_openai.url, model=VISION, first_token_timeout=0.5))


def test_the_overall_limit(fake_openai: FakeOpenAI) -> None:
    fake_openai.script([{"do": "raw", "text": "x" * 60, "per_chunk_ms": 100}])
    with pytest.raises(ModelError, match=r"waited 0\.4 s and the answer was still not finished"):
        ask(OpenAIModel(host=fake_openai.url, model=VISION, total_timeout=0.4))


@pytest.mark.parametrize(
    ("flavor", "said"),
    [
        ("vllm", f"{TEXT_ONLY} is not a multimodal model"),
        ("llama.cpp", "image input is not supported - hint: you may need to provide the mmproj"),
    ],
)
def test_a_model_without_vision_refusing_the_screenshot(
    fake_openai_factory: object, flavor: str, said: str
) -> None:
    srv = fake_openai_factory(flavor=flavor, models={TEXT_ONLY: False})  # type: ignore[operator]
    srv.script([{"do": "raw", "text": "never"}])
    screenshot = Conversation(turns=(Turn("user", "look", render((320, 200)).data),))
    with pytest.raises(ModelUnavailable) as failed:
        ask(OpenAIModel(host=srv.url, model=TEXT_ONLY), screenshot)
    assert str(failed.value).startswith(
        f"Tried to use model {TEXT_ONLY}, but it cannot read images (the server refused the "
        f"image: {said}), so it cannot see the screen."
    )


def test_check_finds_a_text_only_model(fake_openai_factory: object) -> None:
    lmstudio = fake_openai_factory(flavor="lmstudio", models={TEXT_ONLY: False})  # type: ignore[operator]
    with pytest.raises(
        ModelUnavailable, match=r"cannot read images \(LM Studio says it has no vision input\)"
    ):
        OpenAIModel(host=lmstudio.url, model=TEXT_ONLY).check()
    vllm = fake_openai_factory(flavor="vllm", models={TEXT_ONLY: False})  # type: ignore[operator]
    assert OpenAIModel(host=vllm.url, model=TEXT_ONLY).check().vision is None  # vLLM does not say
    with pytest.raises(ModelUnavailable, match="is not a multimodal model"):
        OpenAIModel(host=vllm.url, model=TEXT_ONLY).check(probe_images=True)


def test_no_model_name(fake_openai: FakeOpenAI) -> None:
    with pytest.raises(ModelUnavailable, match=r"no model name was given\. Pass --model NAME"):
        ask(OpenAIModel(host=fake_openai.url))


@pytest.mark.parametrize(
    ("url", "pattern"),
    [
        ("http://user:sk-123@gpu:8000/v1", "carries a user name or password"),
        ("ftp://gpu/v1", "not an http"),
        ("http://gpu:99999/v1", "not a valid URL"),
    ],
)
def test_bad_base_urls(url: str, pattern: str) -> None:
    with pytest.raises(ModelUnavailable, match=pattern) as failed:
        OpenAIModel(host=url, model=VISION)
    assert "sk-123" not in str(failed.value)


def test_a_name_that_does_not_resolve_is_said_in_words() -> None:
    url = "http://gpu-box.invalid:8000/v1"  # .invalid never resolves (RFC 6761)
    with pytest.raises(ModelUnavailable) as failed:
        OpenAIModel(host=url, model=VISION).check()
    assert str(failed.value) == (
        f"Tried to reach the OpenAI-compatible server at {url}, but the name gpu-box.invalid does not "
        "resolve to an address (a typo, or a machine that is off or not on this network). Check --host."
    )
