"""A screenshot goes only to the server the user configured: the clients do not follow a
redirect to any other host or port -- not even another loopback address -- and say so.

Real HTTP servers: one answers everything with a redirect, the other records whatever reaches
it (it must stay empty)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from deskhand.core.observation import Conversation, Turn
from deskhand.vision.ollama_model import OllamaModel
from deskhand.vision.openai_model import OpenAIModel
from deskhand.vision.same_origin import RedirectRefused
from tests.fakeollama.screens import render
from tests.fakes import never
from tests.fakeserver.redirect import Recorder, Redirector

SCREENSHOT = Conversation(turns=(Turn("user", "Click Apply", render((800, 600)).data),))


def refusal(server: str, target: str) -> str:
    return (
        f"Sent a request to the model server at {server}, but it redirected it to {target}, another "
        "server, which was not followed: screenshots go only to the server you configured. If "
        f"{target} is the right server, set it as the model server's address; otherwise fix the "
        "redirect on that server."
    )


def calls(model: OllamaModel | OpenAIModel) -> list[Callable[[], object]]:
    return [model.check, model.server_version, lambda: model.complete(SCREENSHOT, should_stop=never)]


@pytest.mark.parametrize("elsewhere", ["127.0.0.2", "127.0.0.1"])  # another address; another port
@pytest.mark.parametrize("status", [307, 302, 308])
def test_ollama_does_not_follow_a_redirect_to_another_server(elsewhere: str, status: int) -> None:
    with Recorder(elsewhere) as target, Redirector(target.url, status=status) as server:
        model = OllamaModel(host=server.url, model="qwen2.5vl:7b")
        for call in calls(model):
            with pytest.raises(RedirectRefused) as refused:
                call()
            assert str(refused.value) == refusal(server.url, target.url)
        assert any(seen.startswith("POST /api/chat") for seen in server.seen)  # it was asked
        assert target.requests == []  # and nothing went on


@pytest.mark.parametrize("elsewhere", ["127.0.0.2", "127.0.0.1"])
def test_an_openai_compatible_client_does_not_follow_it_either(elsewhere: str) -> None:
    with Recorder(elsewhere) as target, Redirector(target.url) as server:
        model = OpenAIModel(host=f"{server.url}/v1", model="Qwen/Qwen2.5-VL-7B-Instruct")
        model.reply_end = None
        with pytest.raises(RedirectRefused) as refused:
            model.complete(SCREENSHOT, should_stop=never)
        assert str(refused.value) == refusal(server.url, target.url)
        with pytest.raises(RedirectRefused):
            model.check()
        assert target.requests == []


def test_the_same_machine_under_another_name_is_another_server() -> None:
    with Recorder("127.0.0.1") as target:
        port = target.url.rsplit(":", 1)[1]
        with Redirector(f"http://localhost:{port}") as server:
            with pytest.raises(RedirectRefused) as refused:
                OllamaModel(host=server.url, model="qwen2.5vl:7b").server_version()
            assert str(refused.value) == refusal(server.url, f"http://localhost:{port}")
        assert target.requests == []


def test_a_redirect_within_the_same_server_is_still_followed() -> None:
    with Redirector(moved="/moved") as server:
        assert OllamaModel(host=server.url, model="qwen2.5vl:7b").server_version() == "moved"
        assert server.seen == ["GET /api/version", "GET /moved/api/version"]
