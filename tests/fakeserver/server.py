"""``FakeServer``: the lifecycle and bookkeeping of a fake model server on 127.0.0.1.

A subclass names its request handler (``handler``, a ``WireHandler`` with the protocol's
routes) and what it fakes (``what``, for error messages); the rest is here: a
``ThreadingHTTPServer`` on a daemon thread, the script of answers, the list of requests
received, emulated latency that a ``stop()`` cuts short.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Self, TypedDict, TypeVar

from .record import Recorded

if TYPE_CHECKING:
    from .wire import WireHandler

R = TypeVar("R", bound=Recorded)
S = TypeVar("S", bound="FakeServer[Any]")


class Serving(TypedDict, Generic[R], total=False):
    """How any fake serves (``FakeServer``'s keywords, which each fake passes on): the
    dialect it answers in whatever the model (one of ``tests.fakeollama.spaces.DIALECTS``),
    the port (0: a free one), emulated latency, the characters per streamed chunk, and a
    callback for each answered request."""

    dialect: str | None
    port: int
    first_token_ms: float
    per_chunk_ms: float
    chunk_chars: int
    on_done: Callable[[R], None] | None


class FakeServer(Generic[R]):
    """A scripted fake server; use as a context manager, or ``start()`` / ``stop()``."""

    handler: ClassVar[type[WireHandler]]
    what: ClassVar[str]  # "fake Ollama": "the fake Ollama server is not running"

    def __init__(
        self,
        *,
        dialect: str | None = None,
        port: int = 0,
        first_token_ms: float = 0,
        per_chunk_ms: float = 0,
        chunk_chars: int = 6,
        on_done: Callable[[R], None] | None = None,
    ) -> None:
        # Imported here: tests.fakeollama's package imports this module (its FakeOllama).
        from tests.fakeollama.script import Script
        from tests.fakeollama.spaces import DIALECTS

        if dialect is not None and dialect not in DIALECTS:
            raise ValueError(f"unknown dialect {dialect!r}; known: {DIALECTS}")
        self.dialect = dialect
        self.chunk_chars = max(1, chunk_chars)
        self.latency: tuple[float, float] = (first_token_ms, per_chunk_ms)
        self.script_state = Script()
        self._on_done = on_done
        self._requests: list[R] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._port = port
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle ----------------------------------------------------------------------

    def start(self) -> Self:
        if self._httpd is not None:
            return self
        handler = type("BoundHandler", (self.handler,), {"fake": self})
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

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError(f"the {self.what} server is not running; call start()")
        return int(self._httpd.server_address[1])

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """The base URL a client is given (``--host``)."""
        return self.root

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

    # ---- what the test inspects -----------------------------------------------------------

    def _record(self, rec: R) -> R:
        with self._lock:
            self._requests.append(rec)
        return rec

    def _done(self, rec: R) -> None:
        """Called once a request has been answered (or dropped)."""
        if self._on_done is not None:
            self._on_done(rec)

    @property
    def requests(self) -> list[R]:
        """Every request received so far, oldest first (a snapshot)."""
        with self._lock:
            return list(self._requests)

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


@contextmanager
def started(make: Callable[..., S]) -> Iterator[Callable[..., S]]:
    """A factory of running servers (``make(**kwargs).start()``), all stopped on exit."""
    made: list[S] = []

    def start(**kwargs: Any) -> S:
        srv = make(**kwargs).start()
        made.append(srv)
        return srv

    try:
        yield start
    finally:
        for srv in made:
            srv.stop()
