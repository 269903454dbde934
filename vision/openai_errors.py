"""Turn what the ``openai`` client raises into Deskhand's errors, one sentence each.

    ModelUnavailable  refused / unreachable, wrong base URL, API key refused (401/403),
                      model not served (404, with the served ids), model without vision
    ModelError        HTTP 5xx or 429, error event mid-stream, stream cut, no answer in time

Like ``model_errors`` for Ollama: each message says what was tried, why it failed and what
to do.  Text the server sent back is shortened and has the API key blanked out (a server
may echo the key it refused), so a message is safe to print, trace and store.  The
transport's own exceptions are recognised by name, so this works whichever ``httpx`` the
client is built on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import openai

from deskhand.core.errors import DeskhandError, ModelError, ModelRejected, ModelUnavailable, ServerUnreachable
from deskhand.vision.model_errors import (
    Attempt,
    StreamFailure,
    Wording,
    cut_off,
    name_not_found,
    read_timed_out,
    stream_failure,
    why_not_connected,
)

__all__ = ["Context", "no_vision_reply", "refused", "served_list", "translate", "wrong_base_url"]

_RETRY = "The task can be retried; if this keeps happening, check the server's log."
_REJECTED = "Asking again will not help; the server's log says why it refused the request."
_WORDS = Wording("the server", "the server's GPU is free and the model is loaded (see the server's log)")
_KEY_VARS = "DESKHAND_API_KEY (or OPENAI_API_KEY, or the keyring entry named by api_key_keyring)"
_NO_IMAGES = (
    "image input", "not support image", "support images", "support vision", "multimodal",
    "mmproj", "image(s)", "vision",
)  # fmt: skip


@dataclass(frozen=True)
class Context:
    """What ``translate`` needs beyond the exception: the attempt and the server's state."""

    attempt: Attempt
    redact: Callable[[str], str]
    has_key: bool
    sent_images: bool = False
    streaming: bool = False  # the answer had started (HTTP 200 and headers) when it failed
    served: Callable[[], list[str] | None] = lambda: None  # model ids, None if unknown


def refused(url: str) -> ServerUnreachable:
    return ServerUnreachable(
        f"Tried to reach the OpenAI-compatible server at {url}, but the connection was refused. "
        "Start the server (e.g. `vllm serve MODEL` or `llama-server -m MODEL.gguf --mmproj "
        "MMPROJ.gguf`), or fix --host: the base URL including /v1."
    )


def wrong_base_url(url: str) -> ModelUnavailable:
    return ModelUnavailable(
        f"Tried to use the OpenAI-compatible API at {url}, but the server has no such routes "
        "(HTTP 404). Check --host: it is the base URL including /v1, e.g. http://gpu-box:8000/v1."
    )


def served_list(model: str, url: str, served: list[str]) -> ModelUnavailable:
    if not served:
        return ModelUnavailable(
            f"Tried to use model {model} on the server at {url}, but it serves no models. "
            "Load a vision model on the server first."
        )
    listed = ", ".join(served[:10]) + (", ..." if len(served) > 10 else "")
    return ModelUnavailable(
        f"Tried to use model {model} on the server at {url}, but it does not serve that model; "
        f"it serves: {listed}. Pass --model with one of those."
    )


def no_vision_reply(model: str, evidence: str) -> ModelUnavailable:
    return ModelUnavailable(
        f"Tried to use model {model}, but it cannot read images ({evidence}), so it cannot see "
        "the screen. Serve a vision model (e.g. Qwen2.5-VL; llama-server also needs its "
        "--mmproj file) and pass its name with --model."
    )


def _server_text(exc: openai.APIError, redact: Callable[[str], str]) -> str:
    """The server's own error message, shortened and with the key blanked out."""
    body = exc.body
    message = body.get("message") if isinstance(body, dict) else None
    if not isinstance(message, str) or not message.strip():
        message = body if isinstance(body, str) and body.strip() else exc.message
    flat = " ".join(redact(str(message)).split())
    return flat if len(flat) <= 240 else flat[:239] + "…"


def _status_error(exc: openai.APIStatusError, c: Context) -> DeskhandError:
    a, status, said = c.attempt, exc.status_code, _server_text(exc, c.redact)
    if status == 401:
        if not c.has_key:
            return ModelUnavailable(
                f"{a.doing}, but the server wants an API key (HTTP 401: {said}) and none is set. "
                f"Set {_KEY_VARS}."
            )
        return ModelUnavailable(
            f"{a.doing}, but the server refused the API key (HTTP 401: {said}). "
            f"Set {_KEY_VARS} to a key this server accepts."
        )
    if status == 403:
        return ModelUnavailable(
            f"{a.doing}, but the API key may not do that (HTTP 403: {said}). "
            f"Use a key with access to {a.model or 'the model'} ({_KEY_VARS})."
        )
    if status == 404:
        served = c.served()
        if served is None:
            return wrong_base_url(a.url)
        if a.model and a.model not in served:
            return served_list(a.model, a.url, served)
        return ModelError(f"{a.doing}, but the server answered HTTP 404: {said}. {_RETRY}")
    if status in (400, 422) and c.sent_images and any(p in said.lower() for p in _NO_IMAGES):
        return no_vision_reply(a.model, f"the server refused the image: {said}")
    if status == 429:
        return ModelError(
            f"{a.doing}, but the server is busy or rate-limited (HTTP 429: {said}). "
            "Wait a moment and retry the task."
        )
    if status >= 500:
        return ModelError(f"{a.doing}, but the server failed with HTTP {status}: {said}. {_RETRY}")
    return ModelRejected(f"{a.doing}, but the server rejected it with HTTP {status}: {said}. {_REJECTED}")


def _cause_name(exc: BaseException) -> str:
    cause = exc.__cause__ or exc.__context__
    return type(cause).__name__ if cause is not None else ""


def _connection(exc: openai.APIConnectionError, c: Context) -> DeskhandError:
    a = c.attempt
    cause = exc.__cause__ or exc.__context__
    detail = c.redact(str(cause) if cause is not None else exc.message)
    if isinstance(exc, openai.APITimeoutError):
        if _cause_name(exc) == "ConnectTimeout":
            return ServerUnreachable(
                f"Tried to reach the OpenAI-compatible server at {a.url}, but it did not accept a "
                f"connection within {a.connect_timeout:g} s. Check that the host is right and "
                "reachable (--host)."
            )
        return read_timed_out(a, _WORDS)
    if c.streaming:
        return cut_off(a, f"{_cause_name(exc) or 'connection error'}: {detail}", _WORDS)
    if "refused" in detail.lower() or "errno 111" in detail.lower():
        return refused(a.url)
    if name_not_found(detail):
        return ServerUnreachable(
            f"Tried to reach the OpenAI-compatible server at {a.url}, but "
            f"{why_not_connected(a.url, detail)}. Check --host."
        )
    return ServerUnreachable(
        f"Tried to reach the OpenAI-compatible server at {a.url}, but {why_not_connected(a.url, detail)}. "
        "Check --host and that the server is running there."
    )


def translate(exc: BaseException, c: Context) -> DeskhandError:
    """The Deskhand error for ``exc``, raised while doing ``c.attempt``."""
    if isinstance(exc, DeskhandError) and not isinstance(exc, StreamFailure):
        return exc
    a = c.attempt
    if (said := stream_failure(exc, a, _WORDS)) is not None:
        return said
    if isinstance(exc, openai.APIConnectionError):
        return _connection(exc, c)
    if isinstance(exc, openai.APIStatusError):
        return _status_error(exc, c)
    if isinstance(exc, openai.APIResponseValidationError):
        return ModelError(f"{a.doing}, but the answer did not have the OpenAI shape. {_RETRY}")
    if isinstance(exc, openai.APIError):  # an error event inside the stream
        return ModelError(
            f"{a.doing}, but the server reported an error mid-answer: {_server_text(exc, c.redact)}. {_RETRY}"
        )
    if isinstance(exc, openai.OpenAIError | OSError | ValueError):
        failure = c.redact(f"{type(exc).__name__}: {exc}")
        return ModelError(f"{a.doing}, but the request failed ({failure}). {_RETRY}")
    raise exc
