"""Every error message that can reach the tray app, as the tray says it: no CLI flag, no
environment variable to set, no `deskhand` command, no raw errno -- and the CLI's own
wording untouched.  The messages are made by the real code, not copied here."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from deskhand.app import privacy
from deskhand.app.model_choice import resolve_model
from deskhand.app.store.config import Settings
from deskhand.app.tray.gui_text import for_gui
from deskhand.core.errors import DeskhandError
from deskhand.core.faults import Pause, PauseAndRetry, PauseNotice
from deskhand.core.observation import Conversation, Turn
from deskhand.vision import model_errors, openai_errors
from deskhand.vision.model_errors import Attempt
from deskhand.vision.ollama_model import OllamaModel, normalize_host
from deskhand.vision.openai_model import OpenAIModel
from deskhand.vision.openai_wire import normalize_base_url
from tests.fakeollama import FakeOllama

URL = "http://gpu-box:11434"
ATTEMPT = Attempt(
    "Asked qwen2.5vl:7b on Ollama at http://gpu-box:11434 for the next step", URL, "qwen2.5vl:7b", 5, 120
)
CONTEXT = openai_errors.Context(ATTEMPT, lambda text: text, False)
# Deskhand's own flags and variables; a server's command line (`llama-server --mmproj`) is fine.
CLI_ONLY = ("--host", "--model", "--allow-", "--backend", "OLLAMA_HOST", "`deskhand ", "[Errno")


def raised(call: Callable[[], object]) -> str:
    with pytest.raises(DeskhandError) as caught:
        call()
    return str(caught.value)


def gave_up() -> str:
    notes: list[PauseNotice] = []
    pause = PauseAndRetry(notify=notes.append, should_stop=lambda: False, sleep=lambda s: None, patience=0.01)
    pause.wait_to_retry(DeskhandError("x"), 1)
    return next(n.text for n in notes if n.event is Pause.GAVE_UP)


def messages() -> list[str]:
    request = httpx.Request("POST", f"{URL}/api/chat")
    found = [
        str(model_errors.refused(URL)),
        str(model_errors.not_installed("qwen2.5vl:7b", URL)),
        str(model_errors.no_vision("llama3.2:3b", "Ollama lists: completion")),
        str(model_errors.no_model_name(URL)),
        str(model_errors.translate(httpx.ConnectTimeout("timed out", request=request), ATTEMPT)),
        str(model_errors.translate(httpx.InvalidURL("bad"), ATTEMPT)),
        str(model_errors.translate(httpx.ConnectError("[Errno -2] Name or service not known"), ATTEMPT)),
        str(model_errors.translate(httpx.ConnectError("[Errno 113] No route to host"), ATTEMPT)),
        str(openai_errors.refused(f"{URL}/v1")),
        str(openai_errors.wrong_base_url(f"{URL}/v1")),
        str(openai_errors.served_list("Qwen", f"{URL}/v1", ["a", "b"])),
        str(openai_errors.no_vision_reply("Qwen", "no image input")),
        raised(lambda: normalize_host("http://[gpu-box")),
        raised(lambda: normalize_base_url("ftp://gpu-box/v1")),
        raised(
            lambda: OpenAIModel(host=f"{URL}/v1").complete(
                Conversation(turns=(Turn("user", "hi"),)), should_stop=lambda: False
            )
        ),
        raised(lambda: OllamaModel(host=URL).check()),
        raised(
            lambda: privacy.guard("http://gpu.example.com/v1", Settings(), resolver=lambda h: ["203.0.113.5"])
        ),
        raised(
            lambda: privacy.guard(
                "https://gpu.example.com/v1", Settings(), resolver=lambda h: ["203.0.113.5"]
            )
        ),
        gave_up(),
    ]
    with FakeOllama(models={"llama3.2:3b": False}) as server:
        found.append(raised(lambda: resolve_model(None, Settings(), server.url)))
    return found


def test_no_message_that_reaches_the_tray_speaks_cli() -> None:
    everything = messages()
    for message in everything:
        gui = for_gui(message)
        assert not [word for word in CLI_ONLY if word in gui], (message, gui)
    assert sum(1 for m in everything if for_gui(m) != m) >= 15  # the CLI's own wording had flags


@pytest.mark.parametrize(
    ("cli", "gui"),
    [
        (
            f"Tried to reach Ollama at {URL}, but the connection was refused. Start it with `ollama serve` "
            "(or set --host/OLLAMA_HOST).",
            f"Tried to reach Ollama at {URL}, but the connection was refused. Start it with `ollama serve` "
            "(or set the address in Settings > Model server).",
        ),
        (
            f"Tried to ask Ollama at {URL} for an answer, but no model name was given. Pass --model NAME "
            "(see `deskhand models`).",
            f"Tried to ask Ollama at {URL} for an answer, but no model name was given. Choose a vision "
            "model in Settings > Model server.",
        ),
        (
            f"Tried to reach Ollama at {URL}, but the name gpu-box does not resolve to an address (a typo, "
            "or a machine that is off or not on this network). Check --host/OLLAMA_HOST.",
            f"Tried to reach Ollama at {URL}, but the name gpu-box does not resolve to an address (a typo, "
            "or a machine that is off or not on this network). Check the address in Settings > Model server.",
        ),
    ],
)
def test_the_cli_wording_and_the_tray_wording(cli: str, gui: str) -> None:
    assert cli in messages()  # the CLI keeps its one-line message as it is
    assert for_gui(cli) == gui
