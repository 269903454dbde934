"""Turn what ``ollama``/``httpx`` raise into Deskhand's errors, each a sentence that says what
was tried, why it failed and what to do.

    ModelUnavailable  server unreachable, model not installed, model without vision (exit 2)
    ModelError        HTTP 5xx, error mid-stream, answer cut off, no answer in time (retryable)

Nothing from ``httpx`` or ``ollama`` escapes ``OllamaModel``: every call site goes through
``translate``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import httpx
import ollama
import pydantic

from deskhand.core.errors import DeskhandError, ModelError, ModelRejected, ModelUnavailable, ServerUnreachable
from deskhand.core.privacy import split_host, unresolved

__all__ = [
    "OLLAMA",
    "SUGGESTED_VISION_MODEL",
    "Attempt",
    "FirstTokenTimeout",
    "ReplyCut",
    "ReplyTooLong",
    "StreamFailure",
    "TotalTimeout",
    "Wording",
    "cut_off",
    "name_not_found",
    "no_model_name",
    "no_vision",
    "not_installed",
    "read_timed_out",
    "refused",
    "stream_failure",
    "too_long",
    "translate",
    "waited",
    "why_not_connected",
]

SUGGESTED_VISION_MODEL = "qwen2.5vl:7b"
_RETRY = "The task can be retried; if this keeps happening, check the `ollama serve` log."
_REJECTED = "Asking again will not help; the `ollama serve` log says why it refused the request."


# How the platforms' resolvers say a name does not exist (glibc, macOS, Windows).
_NO_SUCH_NAME = (
    "name or service not known", "nodename nor servname", "getaddrinfo failed",
    "temporary failure in name resolution", "no address associated with hostname",
    "[errno -2]", "[errno -3]", "[errno -5]", "[errno 8]", "[errno 11001]",
)  # fmt: skip
_ERRNO = re.compile(r"\[Errno -?\d+\]\s*")


def name_not_found(detail: str) -> bool:
    """Whether a connection error's text says the host name did not resolve."""
    low = detail.lower()
    return any(marker in low for marker in _NO_SUCH_NAME)


def why_not_connected(url: str, detail: str) -> str:
    """The "but ..." of a failed connection, in words: the name, or the OS's reason without
    its errno ("[Errno 113] No route to host" reads "No route to host")."""
    if name_not_found(detail):
        return unresolved(split_host(url)[1])
    return f"could not connect ({_ERRNO.sub('', detail).strip() or 'no reason given'})"


@dataclass(frozen=True, slots=True)
class Attempt:
    """What was being tried when something failed, for the message."""

    doing: str  # e.g. "Asked qwen2.5vl:7b on Ollama at http://127.0.0.1:11434 for an answer"
    url: str
    model: str
    connect_timeout: float
    read_timeout: float
    received: int = 0  # characters of the answer received before the failure


class StreamFailure(DeskhandError):
    """What went wrong with an answer's stream, not yet put into words: ``translate`` (here
    and in ``openai_errors``) turns each into a ModelError saying what was being tried, so
    a handler that passes DeskhandErrors on unchanged must hand these to it instead."""


class ReplyCut(StreamFailure):
    """The stream ended without Ollama's final ``done: true`` chunk."""


class ReplyTooLong(StreamFailure):
    """The answer grew past ``streaming.MAX_REPLY_CHARS`` without ending."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the answer grew past {limit:,} characters without ending")
        self.limit = limit


class FirstTokenTimeout(StreamFailure):
    """No answer began within the time a paused task could still wait."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"no answer began within {seconds:.1f} s")
        self.seconds = seconds


class TotalTimeout(StreamFailure):
    """The whole answer took longer than the overall limit."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"no complete answer within {seconds:g} s")
        self.seconds = seconds


def refused(url: str) -> ServerUnreachable:
    return ServerUnreachable(
        f"Tried to reach Ollama at {url}, but the connection was refused. "
        "Start it with `ollama serve` (or set --host/OLLAMA_HOST)."
    )


def not_installed(model: str, url: str) -> ModelUnavailable:
    return ModelUnavailable(
        f"Tried to use model {model} on Ollama at {url}, but it is not installed there. "
        f"Get it with `ollama pull {model}` (or `deskhand pull {model}`)."
    )


def no_vision(model: str, evidence: str) -> ModelUnavailable:
    """``evidence``: e.g. "Ollama lists: completion, tools" or the server's refusal."""
    return ModelUnavailable(
        f"Tried to use model {model}, but it cannot read images ({evidence}), so it cannot "
        f"see the screen. Use a vision model instead, e.g. `ollama pull "
        f"{SUGGESTED_VISION_MODEL}` and --model {SUGGESTED_VISION_MODEL}."
    )


_NO_IMAGES = ("image input", "does not support image", "support images", "not support vision")


def no_model_name(url: str) -> ModelUnavailable:
    return ModelUnavailable(
        f"Tried to ask Ollama at {url} for an answer, but no model name was given. "
        "Pass --model NAME (see `deskhand models`)."
    )


def too_long(a: Attempt, exc: ReplyTooLong) -> ModelRejected:
    """Asking again would most likely run away the same way: the task ends (exit 2)."""
    return ModelRejected(
        f"{a.doing}, but {exc}, so it was cut off (a step's answer is a few hundred characters). "
        "Check that the server keeps to the answer's token limit (num_predict), or use another model."
    )


@dataclass(frozen=True, slots=True)
class Wording:
    """What a backend's stream-failure messages say in their own words; the rest is shared,
    so a cut or slow answer reads the same on either backend."""

    server: str  # who may be restarting: "Ollama", "the server"
    ready: str  # after a timeout, "Check that {ready}, or raise the timeout"


OLLAMA = Wording("Ollama", "the GPU is free and the model loads (`ollama ps`, the `ollama serve` log)")


def cut_off(a: Attempt, detail: str, w: Wording) -> ModelError:
    """The answer's stream ended or broke before the answer did."""
    got = f"after {a.received} characters" if a.received else "before any text arrived"
    return ModelError(
        f"{a.doing}, but the answer was cut off {got} ({detail}). Retry the task; if it keeps "
        f"happening, check that {w.server} is not restarting or running out of memory."
    )


def waited(a: Attempt, seconds: float, what: str, w: Wording) -> ModelError:
    return ModelError(
        f"{a.doing}, but waited {seconds:g} s {what}. Check that {w.ready}, or raise the timeout, then retry."
    )


def read_timed_out(a: Attempt, w: Wording) -> ModelError:
    """The transport's read timeout: the server went silent, before or during the answer."""
    if a.received:
        return waited(a, a.read_timeout, "for the rest of the answer after it stalled", w)
    return waited(a, a.read_timeout, "and no answer came", w)


def stream_failure(exc: BaseException, a: Attempt, w: Wording) -> DeskhandError | None:
    """The words for a ``StreamFailure`` (``read_reply``'s own: out of time, cut, runaway),
    the same for every backend; None for anything else, which each backend words itself."""
    if isinstance(exc, TotalTimeout):
        return waited(a, exc.seconds, "and the answer was still not finished", w)
    if isinstance(exc, FirstTokenTimeout):
        return waited(a, round(exc.seconds, 1), "and no answer came", w)
    if isinstance(exc, ReplyCut):
        return cut_off(a, str(exc), w)
    if isinstance(exc, ReplyTooLong):
        return too_long(a, exc)
    return None


def _response_error(exc: ollama.ResponseError, a: Attempt) -> DeskhandError:
    message = str(exc.error).strip() or "no message"
    status = exc.status_code
    if status == 404:
        return not_installed(a.model, a.url)
    if status in (400, 500) and any(p in message.lower() for p in _NO_IMAGES):
        return no_vision(a.model, f"Ollama refused the screenshot: {message}")
    if status == -1:
        return ModelError(f"{a.doing}, but the server reported an error mid-answer: {message}. {_RETRY}")
    if status >= 500 or status == 429:
        return ModelError(f"{a.doing}, but the server failed with HTTP {status}: {message}. {_RETRY}")
    return ModelRejected(f"{a.doing}, but the server rejected it with HTTP {status}: {message}. {_REJECTED}")


def translate(exc: BaseException, a: Attempt) -> DeskhandError:
    """The Deskhand error for ``exc``, raised while doing ``a``."""
    if isinstance(exc, DeskhandError) and not isinstance(exc, StreamFailure):
        return exc
    if (said := stream_failure(exc, a, OLLAMA)) is not None:
        return said
    if isinstance(exc, ollama.ResponseError):
        return _response_error(exc, a)
    if isinstance(exc, httpx.ConnectTimeout):
        return ServerUnreachable(
            f"Tried to reach Ollama at {a.url}, but it did not accept a connection within "
            f"{a.connect_timeout:g} s. Check that the host is right and reachable "
            "(--host/OLLAMA_HOST)."
        )
    if isinstance(exc, ollama.RequestError):
        return ModelError(f"{a.doing}, but the client would not send it: {exc.error}. {_RETRY}")
    if isinstance(exc, httpx.InvalidURL):
        return ModelUnavailable(
            f"Tried to reach Ollama at {a.url}, but that is not a valid URL ({exc}). "
            "Fix --host/OLLAMA_HOST, e.g. http://127.0.0.1:11434."
        )
    if isinstance(exc, httpx.ConnectError | ConnectionError):
        # The ``ollama`` client replaces httpx's error with its own "is Ollama running?"
        # (``from None``); the reason it could not connect is still in the context.
        cause = exc if isinstance(exc, httpx.ConnectError) else exc.__context__
        text = str(cause) if isinstance(cause, httpx.ConnectError) else "connection refused"
        if name_not_found(text):
            return ServerUnreachable(
                f"Tried to reach Ollama at {a.url}, but {why_not_connected(a.url, text)}. "
                "Check --host/OLLAMA_HOST."
            )
        if "refused" not in text.lower():
            return ServerUnreachable(
                f"Tried to reach Ollama at {a.url}, but {why_not_connected(a.url, text)}. "
                "Check --host/OLLAMA_HOST and that `ollama serve` is running there."
            )
        return refused(a.url)
    if isinstance(exc, httpx.TimeoutException):
        return read_timed_out(a, OLLAMA)
    if isinstance(
        exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.StreamError | json.JSONDecodeError
    ):
        return cut_off(a, f"{type(exc).__name__}: {exc}", OLLAMA)
    if isinstance(exc, pydantic.ValidationError):
        return ModelError(
            f"{a.doing}, but a chunk of the answer did not have Ollama's shape "
            f"({exc.error_count()} problems). {_RETRY}"
        )
    if isinstance(exc, httpx.HTTPError | OSError):
        failure = f"{type(exc).__name__}: {exc}"
        return ModelError(f"{a.doing}, but the request failed ({failure}). {_RETRY}")
    raise exc
