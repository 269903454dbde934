"""``FakeOllama``: a real HTTP server on 127.0.0.1 that speaks Ollama's API.

    with FakeOllama(models={"qwen2.5vl:7b": True, "llama3.2:3b": False}) as srv:
        srv.script([{"do": "click", "target": "OK"}, {"do": "finish", "summary": "done"}])
        model = OllamaModel(host=srv.url, model="qwen2.5vl:7b")
        ...
        assert srv.chat_requests[0].options["temperature"] == 0

Each ``/api/chat`` request with messages consumes the next script step (``script.py``); an
empty-messages chat only "loads" the model, as in Ollama.  Lifecycle, script, latency and
the record of requests are ``tests.fakeserver.FakeServer``'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Unpack

from tests.fakeserver import FakeServer, Serving

from .handler import Handler
from .script import Script
from .state import DEFAULT_LIBRARY, Models, ModelSpec, RecordedRequest, canonical

DEFAULT_MODELS: dict[str, bool | ModelSpec] = {"qwen2.5vl:7b": True, "llama3.2:3b": False}


class FakeOllama(FakeServer[RecordedRequest]):
    """A scripted, truthful fake of the Ollama server; see the module docstring."""

    handler = Handler
    what = "fake Ollama"

    def __init__(
        self,
        models: Mapping[str, bool | ModelSpec] | None = None,
        *,
        library: Mapping[str, bool | ModelSpec] | None = None,
        **serving: Unpack[Serving[RecordedRequest]],
    ) -> None:
        super().__init__(**serving)
        self.model_scripts: dict[str, Script] = {}
        self.models = Models(
            DEFAULT_MODELS if models is None else models,
            DEFAULT_LIBRARY if library is None else library,
        )

    def script_model(self, name: str, steps: Iterable[Mapping[str, Any]]) -> None:
        """Give the model ``name`` its own script (a planner's ``plan`` steps, say): its chat
        requests take their steps from it, every other model's from the main script."""
        script = Script()
        script.replace(steps)
        self.model_scripts[canonical(name)] = script

    def add_model(self, name: str, vision: bool | ModelSpec = True) -> None:
        self.models.install(name, vision)

    def remove_model(self, name: str) -> None:
        self.models.remove(name)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        """Chat requests that consumed a script step (model loads left out)."""
        return [r for r in self.requests if r.path == "/api/chat" and r.step is not None]
