"""``FakeOpenAI``: a real HTTP server on 127.0.0.1 speaking the OpenAI chat-completions API.

    with FakeOpenAI(models={"Qwen/Qwen2.5-VL-7B-Instruct": True}, flavor="vllm") as srv:
        srv.script([{"do": "click", "target": "OK"}, {"do": "finish"}])
        model = OpenAIModel(host=srv.url, model="Qwen/Qwen2.5-VL-7B-Instruct")

The answers come from the same truthful oracle as the fake Ollama (``tests.fakeollama``:
script steps, OCR of the screenshot, each dialect's way of writing actions); only the wire
differs.  ``flavor`` picks which server it pretends to be, i.e. what it says about itself
(``owned_by``, ``/props``, ``/version``, ``/api/v0/models``); see ``handler``.  Lifecycle,
script, latency and the record of requests are ``tests.fakeserver.FakeServer``'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, Unpack

from tests.fakeserver import FakeServer, Serving

from .handler import Handler
from .record import FLAVORS, Request

DEFAULT_MODELS = {"Qwen/Qwen2.5-VL-7B-Instruct": True, "meta-llama/Llama-3.2-3B-Instruct": False}
SchemaSupport = Literal["json_schema", "json_object", "none"]


class FakeOpenAI(FakeServer[Request]):
    """A scripted, truthful fake of an OpenAI-compatible server; see the module docstring."""

    handler = Handler
    what = "fake OpenAI"

    def __init__(
        self,
        models: Mapping[str, bool] | None = None,
        *,
        flavor: str = "vllm",
        api_key: str | None = None,
        echo_bad_key: bool = False,
        schema_support: SchemaSupport = "json_schema",
        prefix: str = "/v1",
        usage: bool = True,
        **serving: Unpack[Serving[Request]],
    ) -> None:
        if flavor not in FLAVORS:
            raise ValueError(f"unknown flavor {flavor!r}; known: {FLAVORS}")
        super().__init__(**serving)
        self.models = dict(DEFAULT_MODELS if models is None else models)
        self.flavor = flavor
        self.api_key = api_key
        self.echo_bad_key = echo_bad_key
        self.schema_support: SchemaSupport = schema_support
        self.prefix = prefix.rstrip("/")
        self.usage = usage

    @property
    def url(self) -> str:
        """The base URL a client is given (``--host``): the root plus ``/v1``."""
        return f"{self.root}{self.prefix}"

    @property
    def chat_requests(self) -> list[Request]:
        """Chat requests that consumed a script step (image probes left out)."""
        return [r for r in self.requests if r.path.endswith("/chat/completions") and r.step is not None]
