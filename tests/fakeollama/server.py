"""``FakeOllama``: a real HTTP server on 127.0.0.1 that speaks Ollama's API.

    with FakeOllama(models={"qwen2.5vl:7b": True, "llama3.2:3b": False}) as srv:
        srv.script([{"do": "click", "target": "OK"}, {"do": "finish", "summary": "done"}])
        model = OllamaModel(host=srv.url, model="qwen2.5vl:7b")
        ...
        assert srv.chat_requests[0].options["temperature"] == 0

Each ``/api/chat`` request with messages consumes the next script step (``script.py``); an
empty-messages chat only "loads" the model, as in Ollama.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from http.server import ThreadingHTTPServer
from typing import Any

from .handler import Handler
from .script import Script
from .spaces import DIALECTS
from .state import DEFAULT_LIBRARY, Models, ModelSpec, RecordedRequest

DEFAULT_MODELS: dict[str, bool | ModelSpec] = {"qwen2.5vl:7b": True, "llama3.2:3b": False}


class FakeOllama:
    """A scripted, truthful fake of the Ollama server; see the module docstring."""

    def __init__(
        self,
        models: Mapping[str, bool | ModelSpec] | None = None,
        *,
        library: Mapping[str, bool | ModelSpec] | None = None,
        dialect: str | None = None,
        port: int = 0,
        first_token_ms: float = 0,
        per_chunk_ms: float = 0,
        chunk_chars: int = 6,
        on_done: Callable[[RecordedRequest], None] | None = None,
    ) -> None:
        if dialect is not None and dialect not in DIALECTS:
            raise ValueError(f"unknown dialect {dialect!r}; known: {DIALECTS}")
        self.models = Models(
            DEFAULT_MODELS if models is None else models,
            DEFAULT_LIBRARY if library is None else library,
        )
        self.dialect = dialect
        self.chunk_chars = max(1, chunk_chars)
        self.latency: tuple[float, float] = (first_token_ms, per_chunk_ms)
        self.script_state = Script()
        self._on_done = on_done
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._port = port
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle ----------------------------------------------------------------------

    def start(self) -> FakeOllama:
        if self._httpd is not None:
            return self
        handler = type("BoundHandler", (Handler,), {"fake": self})
        httpd = ThreadingHTTPServer(("127.0.0.1", self._port), handler)
        httpd.daemon_threads = True
        self._httpd = httpd
        self._stopping.clear()
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; requests that hang or sleep are released at once."""
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeOllama:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the fake Ollama server is not running; call start()")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # ---- what the test controls -----------------------------------------------------------

    def script(self, steps: Iterable[Mapping[str, Any]], *, append: bool = False) -> None:
        """Set (or extend) the steps the next chat requests get, one per request."""
        if append:
            self.script_state.extend(steps)
        else:
            self.script_state.replace(steps)

    @property
    def remaining_steps(self) -> int:
        return self.script_state.remaining

    def set_latency(self, first_token_ms: float = 0, per_chunk_ms: float = 0) -> None:
        """Emulated model time: before the first chunk, and between chunks (and pull lines)."""
        self.latency = (first_token_ms, per_chunk_ms)

    def add_model(self, name: str, vision: bool | ModelSpec = True) -> None:
        self.models.install(name, vision)

    def remove_model(self, name: str) -> None:
        self.models.remove(name)

    # ---- what the test inspects -----------------------------------------------------------

    def _record(self, rec: RecordedRequest) -> RecordedRequest:
        with self._lock:
            self._requests.append(rec)
        return rec

    def _done(self, rec: RecordedRequest) -> None:
        """Called once a request has been answered (or dropped)."""
        if self._on_done is not None:
            self._on_done(rec)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first (a snapshot)."""
        with self._lock:
            return list(self._requests)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        """Chat requests that consumed a script step (model loads left out)."""
        return [r for r in self.requests if r.path == "/api/chat" and r.step is not None]

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def sleep(self, ms: float) -> bool:
        """Emulated latency: sleep ``ms``; False (at once) when the server is stopping."""
        return ms <= 0 or not self._stopping.wait(ms / 1000)

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        """Poll ``predicate`` until true or ``timeout`` seconds pass (server-side effects)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.01)
        return predicate()
