"""``ReplyClient``: what the Ollama and the OpenAI-compatible clients share about a reply.

Both ask for one streamed reply under the same limits and read it through
``streaming.read_reply``, so a task behaves alike on either backend: the time to connect,
to the first chunk and for the whole reply, the dialect's early stop (``reply_end``) and a
paused task's bound on waiting (``wait_left``).  Those keywords and their defaults
(``ReplyLimits``) are kept here once; each client adds only its protocol: how it opens the
stream, how a chunk reads, and how its failures are put into words.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypedDict, TypeVar

import httpx

from deskhand.core.ports import ShouldStop
from deskhand.vision.model_errors import Attempt
from deskhand.vision.streaming import ReplyEnd, Streamed, WaitLeft, first_limit, read_reply

__all__ = ["ReplyClient", "ReplyLimits"]

T = TypeVar("T")
_QUICK = 30.0  # seconds: the read timeout of metadata calls (list, show, version) at most


class ReplyLimits(TypedDict, total=False):
    """The keywords both clients take for their replies, passed on to ``ReplyClient``, whose
    signature holds the defaults (and rejects a misspelt keyword)."""

    connect_timeout: float  # seconds to connect (5)
    first_token_timeout: float  # seconds until the first chunk, and for any gap after it (120)
    total_timeout: float  # seconds for the whole reply (300)
    reply_end: ReplyEnd | None  # the dialect's hook: where a partial reply is complete (None)
    early_stop: bool  # False: read every reply to its end even with a ``reply_end`` (True)
    wait_left: WaitLeft | None  # a paused task's bound on waiting for the server (None)


class ReplyClient:
    """The base of ``OllamaModel`` and ``OpenAIModel``: the reply's limits and reading it."""

    def __init__(
        self,
        host: str,
        name: str,
        *,
        connect_timeout: float = 5.0,
        first_token_timeout: float = 120.0,
        total_timeout: float = 300.0,
        reply_end: ReplyEnd | None = None,
        early_stop: bool = True,
        wait_left: WaitLeft | None = None,
    ) -> None:
        self.host = host
        self.name = name
        self.connect_timeout = connect_timeout
        self.first_token_timeout = first_token_timeout
        self.total_timeout = total_timeout
        self.reply_end = reply_end if early_stop else None
        self.wait_left = wait_left

    def _timeout(self, *, quick: bool = False) -> httpx.Timeout:
        """The HTTP timeouts.  The read timeout bounds the wait for the first chunk (model
        load and prompt) and any later gap; ``quick``: a metadata call's shorter one."""
        read = min(self.first_token_timeout, _QUICK) if quick else self.first_token_timeout
        return httpx.Timeout(read, connect=self.connect_timeout)

    def _attempt(self, doing: str) -> Attempt:
        return Attempt(doing, self.host, self.name, self.connect_timeout, self.first_token_timeout)

    def _read_reply(
        self,
        open_stream: Callable[[], Iterator[T]],
        read: Callable[[T], tuple[str, bool]],
        *,
        should_stop: ShouldStop,
        cut: str,
        fail: Callable[[Exception, int], Exception],
        started: float | None = None,
    ) -> Streamed[T]:
        """``streaming.read_reply`` within this client's limits (its arguments are explained there)."""
        return read_reply(
            open_stream, read, should_stop=should_stop, limit=self.total_timeout, reply_end=self.reply_end,
            cut=cut, fail=fail, started=started, first_limit=first_limit(self.wait_left, self.first_token_timeout),
        )  # fmt: skip
