"""Reading a model's streamed answer: in a helper thread, cut early, failures mapped once.

The ``ollama`` client's streams block in a socket read while the server loads a model or
reads a long prompt; a generator cannot be closed from another thread while it is blocked.
So a helper thread reads the items into a queue, and the caller's side polls the queue
every ``POLL`` seconds, checking Stop and the deadline in between.  When the caller leaves
(Stop, the limit, an early stop, an error), the stream is marked abandoned and the helper
closes it as soon as its next item arrives -- which tells the server to stop generating.

``read_reply`` assembles an answer on top of that, the same way for every backend, so a
task behaves alike on Ollama and on OpenAI-compatible servers.  Early stop: a dialect knows
when a partial answer already holds a complete one (a closed ``<tool_call>`` the model has
moved on from, a closed JSON object, a UI-TARS action line followed by something that is
not another action).  Given that ``reply_end`` hook, the answer is cut there and the stream
abandoned at once, instead of paying for every token a model writes after its action (the
server's token counts then never come; the backend falls back on the chunks read).

Two bounds keep a runaway answer cheap.  The early-stop check scans the whole answer so far,
so it runs after every piece only while the answer is short (``CHECK_EVERY_PIECE``
characters, more than a step's answer ever needs) and after that only each time the answer
has grown by a quarter: the characters scanned stay a small multiple of the answer's length
(``Streamed.scanned``), not its square.  And an answer longer than ``MAX_REPLY_CHARS`` --
a step's answer is a few hundred characters -- is cut with ``ReplyTooLong``: an error that
says so, never a guess at what the model meant.  What
differs per backend -- how a chunk carries text, how it says "finished", the token counts,
the error messages -- comes in as callables.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx

from deskhand.core.errors import DeskhandError, Stopped
from deskhand.core.ports import ShouldStop
from deskhand.vision.model_errors import (
    FirstTokenTimeout,
    ReplyCut,
    ReplyTooLong,
    StreamFailure,
    TotalTimeout,
)

__all__ = ["MAX_REPLY_CHARS", "POLL", "ReplyEnd", "Streamed", "WaitLeft", "first_limit", "pumped_items",
           "read_reply"]  # fmt: skip

POLL = 0.02  # seconds between Stop checks while waiting for the server
MAX_REPLY_CHARS = 256 * 1024  # num_predict's ceiling (8,192 tokens) writes ~32 KB
CHECK_EVERY_PIECE = 4 * 1024  # below this, ``reply_end`` looks after every piece of text
_CHECK_GROWTH = 1.25  # above it, only once the answer grew by this factor since the last look
T = TypeVar("T")
ReplyEnd = Callable[[str], int | None]  # a dialect's hook: where a partial answer is complete
# While a task is paused for a server fault, the seconds a request may still wait for the
# server (``core.faults.PauseAndRetry.time_left``); None: only the client's own timeouts.
WaitLeft = Callable[[], float | None]


class _Raised:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


_END = object()


def _pump(
    open_stream: Callable[[], Iterator[Any]], out: queue.SimpleQueue[Any], abandoned: threading.Event
) -> None:
    """Thread body: move stream items into ``out``; close the stream once abandoned."""
    stream: Iterator[Any] | None = None
    try:
        stream = open_stream()
        for item in stream:
            if abandoned.is_set():
                break
            out.put(item)
    except BaseException as exc:  # handed over to the caller's thread, which maps it
        out.put(_Raised(exc))
    else:
        out.put(_END)
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            with contextlib.suppress(httpx.HTTPError, OSError):  # nobody waits for it any more
                close()


def pumped_items(
    open_stream: Callable[[], Iterator[T]],
    should_stop: ShouldStop,
    limit: float,
    first_limit: float | None = None,
) -> Generator[T, None, None]:
    """Items of a stream read in a helper thread; Stop and the time ``limit`` act at once.

    ``first_limit``: the first item must come within that many seconds (connecting and
    sending included), or ``FirstTokenTimeout``.
    """
    started = time.monotonic()
    deadline = started + limit
    first_by = None if first_limit is None else started + first_limit
    out: queue.SimpleQueue[Any] = queue.SimpleQueue()
    abandoned = threading.Event()
    worker = threading.Thread(
        target=_pump, args=(open_stream, out, abandoned), name="ollama-stream", daemon=True
    )
    worker.start()
    try:
        while True:
            if should_stop():
                raise Stopped()
            now = time.monotonic()
            if now >= deadline:
                raise TotalTimeout(limit)
            if first_by is not None and now >= first_by:
                raise FirstTokenTimeout(now - started)
            try:
                item = out.get(timeout=min(POLL, deadline - now))
            except queue.Empty:
                continue
            first_by = None
            if item is _END:
                return
            if isinstance(item, _Raised):
                raise item.exc
            yield item
    finally:
        abandoned.set()


@dataclass(frozen=True, slots=True)
class Streamed(Generic[T]):
    """One answer as read, before the backend turns it into a ``Completion``."""

    text: str  # the whole answer, or only up to where ``reply_end`` found it complete
    model_ms: float  # from ``started`` until the last chunk read
    chunks: int  # chunks read, with or without text
    pieces: int  # chunks read that carried text (servers send some empty ones)
    final: T | None  # the last chunk that said the answer is finished; None after an early stop
    early: bool  # cut at ``reply_end`` and the stream abandoned: no server token counts
    scanned: int = 0  # characters handed to ``reply_end`` in all (the cost of early stop)


def read_reply(
    open_stream: Callable[[], Iterator[T]],
    read: Callable[[T], tuple[str, bool]],
    *,
    should_stop: ShouldStop,
    limit: float,
    reply_end: ReplyEnd | None,
    cut: str,
    fail: Callable[[Exception, int], Exception],
    started: float | None = None,
    first_limit: float | None = None,
) -> Streamed[T]:
    """Ask for and read one streamed answer within ``limit`` seconds; raises Stopped or a DeskhandError.

    ``read(chunk)`` gives the text the chunk adds and whether the answer is finished by now.
    A stream that ends before that, without an early stop, was cut off: ``ReplyCut(cut)``.
    Everything raised that is not already a DeskhandError (the client's errors, ReplyCut,
    TotalTimeout) leaves as ``fail(exc, characters received)``, chained to ``exc``, so each
    backend keeps its own messages.  ``started`` lets a retried request count from the first.
    ``first_limit`` bounds the wait for the first chunk (see ``pumped_items``).
    """
    if should_stop():  # before the request goes out, not just before the first chunk is read
        raise Stopped()
    started = time.monotonic() if started is None else started
    parts: list[str] = []
    final: T | None = None
    end: int | None = None
    received = checked = scanned = 0
    try:
        with contextlib.closing(pumped_items(open_stream, should_stop, limit, first_limit)) as chunks:
            for chunk in chunks:
                text, finished = read(chunk)
                parts.append(text)
                received += len(text)
                if received > MAX_REPLY_CHARS:
                    raise ReplyTooLong(MAX_REPLY_CHARS)
                if finished:
                    final = chunk
                elif reply_end is not None and text and _time_to_look(received, checked):
                    checked = received
                    scanned += received
                    end = reply_end("".join(parts))
                    if end is not None:
                        break
        if final is None and end is None:
            raise ReplyCut(cut)
    except Exception as exc:
        if isinstance(exc, DeskhandError) and not isinstance(exc, StreamFailure):
            raise  # Stopped, or already in words
        raise fail(exc, received) from exc
    model_ms = (time.monotonic() - started) * 1000
    whole = "".join(parts)
    text = whole if end is None else whole[:end]
    pieces = sum(1 for p in parts if p)
    return Streamed(text, model_ms, len(parts), pieces, final, end is not None, scanned)


def first_limit(wait_left: WaitLeft | None, first_token_timeout: float) -> float | None:
    """How long a request made now may wait for its first chunk, beyond the client's timeouts."""
    left = wait_left() if wait_left is not None else None
    return None if left is None else min(first_token_timeout, left)


def _time_to_look(received: int, checked: int) -> bool:
    """Whether ``reply_end`` should look at an answer of ``received`` characters, having
    last looked at ``checked``: every piece while short, then at geometric steps (linear)."""
    return received <= CHECK_EVERY_PIECE or received >= checked * _CHECK_GROWTH
