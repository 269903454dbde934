"""Reading a blocking stream in a helper thread, so Stop and time limits act at once.

The ``ollama`` client's streams block in a socket read while the server loads a model or
reads a long prompt; a generator cannot be closed from another thread while it is blocked.
So a helper thread reads the items into a queue, and the caller's side polls the queue
every ``POLL`` seconds, checking Stop and the deadline in between.  When the caller leaves
(Stop, the limit, an early stop, an error), the stream is marked abandoned and the helper
closes it as soon as its next item arrives -- which tells the server to stop generating.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable, Generator, Iterator
from typing import Any, TypeVar

import httpx

from deskhand.core.errors import Stopped
from deskhand.core.ports import ShouldStop
from deskhand.vision.model_errors import TotalTimeout

__all__ = ["POLL", "pumped_items"]

POLL = 0.02  # seconds between Stop checks while waiting for the server
T = TypeVar("T")


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
    open_stream: Callable[[], Iterator[T]], should_stop: ShouldStop, limit: float
) -> Generator[T, None, None]:
    """Items of a stream read in a helper thread; Stop and the time ``limit`` act at once."""
    deadline = time.monotonic() + limit
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
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TotalTimeout(limit)
            try:
                item = out.get(timeout=min(POLL, remaining))
            except queue.Empty:
                continue
            if item is _END:
                return
            if isinstance(item, _Raised):
                raise item.exc
            yield item
    finally:
        abandoned.set()
