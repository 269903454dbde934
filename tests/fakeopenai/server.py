"""``FakeOpenAI``: a real HTTP server on 127.0.0.1 speaking the OpenAI chat-completions API.

    with FakeOpenAI(models={"Qwen/Qwen2.5-VL-7B-Instruct": True}, flavor="vllm") as srv:
        srv.script([{"do": "click", "target": "OK"}, {"do": "finish"}])
        model = OpenAIModel(host=srv.url, model="Qwen/Qwen2.5-VL-7B-Instruct")

The answers come from the same truthful oracle as the fake Ollama (``tests.fakeollama``:
script steps, OCR of the screenshot, each dialect's way of writing actions); only the wire
differs.  ``flavor`` picks which server it pretends to be, i.e. what it says about itself
(``owned_by``, ``/props``, ``/version``, ``/api/v0/models``); see ``handler``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from http.server import ThreadingHTTPServer
from typing import Any, Literal

from tests.fakeollama.script import Script
from tests.fakeollama.spaces import DIALECTS

from .handler import Handler
from .record import FLAVORS, Request

DEFAULT_MODELS = {"Qwen/Qwen2.5-VL-7B-Instruct": True, "meta-llama/Llama-3.2-3B-Instruct": False}
SchemaSupport = Literal["json_schema", "json_object", "none"]


class FakeOpenAI:
    """A scripted, truthful fake of an OpenAI-compatible server; see the module docstring."""

    def __init__(
        self,
        models: Mapping[str, bool] | None = None,
        *,
        flavor: str = "vllm",
        api_key: str | None = None,
        echo_bad_key: bool = False,
        schema_support: SchemaSupport = "json_schema",
        dialect: str | None = None,
        prefix: str = "/v1",
        port: int = 0,
        first_token_ms: float = 0,
        per_chunk_ms: float = 0,
        chunk_chars: int = 6,
        usage: bool = True,
        on_done: Callable[[Request], None] | None = None,
    ) -> None:
        if flavor not in FLAVORS:
            raise ValueError(f"unknown flavor {flavor!r}; known: {FLAVORS}")
        if dialect is not None and dialect not in DIALECTS:
            raise ValueError(f"unknown dialect {dialect!r}; known: {DIALECTS}")
        self.models = dict(DEFAULT_MODELS if models is None else models)
        self.flavor = flavor
        self.api_key = api_key
        self.echo_bad_key = echo_bad_key
        self.schema_support: SchemaSupport = schema_support
        self.dialect = dialect
        self.prefix = prefix.rstrip("/")
        self.chunk_chars = max(1, chunk_chars)
        self.latency = (first_token_ms, per_chunk_ms)
        self.usage = usage
        self.script_state = Script()
        self._on_done = on_done
        self._requests: list[Request] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._port = port
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle ----------------------------------------------------------------------

    def start(self) -> FakeOpenAI:
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

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the fake OpenAI server is not running; call start()")
        return int(self._httpd.server_address[1])

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """The base URL a client is given (``--host``): the root plus ``/v1``."""
        return f"{self.root}{self.prefix}"

    # ---- what the test controls and inspects ---------------------------------------------

    def script(self, steps: Iterable[Mapping[str, Any]], *, append: bool = False) -> None:
        if append:
            self.script_state.extend(steps)
        else:
            self.script_state.replace(steps)

    @property
    def remaining_steps(self) -> int:
        return self.script_state.remaining

    def _record(self, rec: Request) -> Request:
        with self._lock:
            self._requests.append(rec)
        return rec

    def _done(self, rec: Request) -> None:
        if self._on_done is not None:
            self._on_done(rec)

    @property
    def requests(self) -> list[Request]:
        with self._lock:
            return list(self._requests)

    @property
    def chat_requests(self) -> list[Request]:
        """Chat requests that consumed a script step (image probes left out)."""
        return [r for r in self.requests if r.path.endswith("/chat/completions") and r.step is not None]

    def sleep(self, ms: float) -> bool:
        """Emulated latency: sleep ``ms``; False (at once) when the server is stopping."""
        return ms <= 0 or not self._stopping.wait(ms / 1000)

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.01)
        return predicate()
