"""``OllamaModel``: the ``Model`` port, spoken through the official ``ollama`` client.

Answers are streamed (``think=False``, temperature 0, fixed seed) through ``ReplyClient``
(the limits and ``streaming.read_reply``, shared with ``OpenAIModel``), which reads them in
a helper thread (Stop and the time limit act at once) and cuts them early where the
dialect's ``reply_end`` finds them complete; Ollama's final chunk with its token counts
then never comes, so ``output_tokens`` counts the chunks read and ``prompt_tokens`` is
None.  Every failure leaves as ``ModelUnavailable`` (set-up: exit 2) or ``ModelError``
(retryable; retrying is the caller's decision), with a message from ``model_errors``.
"""

from __future__ import annotations

import functools
import math
import os
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, replace
from typing import Any, TypeVar, Unpack

import httpx
import ollama

from deskhand.core.errors import DeskhandError, ModelError, ModelUnavailable
from deskhand.core.observation import Completion, Conversation, Turn
from deskhand.core.ports import ShouldStop
from deskhand.vision.model_errors import (
    Attempt,
    ReplyCut,
    StreamFailure,
    no_model_name,
    no_vision,
    translate,
)
from deskhand.vision.reply_client import ReplyClient, ReplyLimits
from deskhand.vision.same_origin import pinned_to
from deskhand.vision.streaming import pumped_items

__all__ = ["DEFAULT_HOST", "ModelInfo", "OllamaModel", "ProgressCallback", "normalize_host"]

DEFAULT_HOST = "http://127.0.0.1:11434"
ProgressCallback = Callable[[str, int | None, int | None], None]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """One installed model, as ``deskhand models`` lists it."""

    name: str
    size: int  # bytes on disk
    vision: bool
    parameter_size: str
    family: str


def normalize_host(host: str | None) -> str:
    """``--host`` / ``OLLAMA_HOST`` as a full URL, defaulting like the ``ollama`` client."""
    raw = (host or os.environ.get("OLLAMA_HOST") or DEFAULT_HOST).strip()
    scheme, sep, rest = raw.partition("://")
    if not sep:
        scheme, rest, port = "http", raw, 11434
    else:
        port = 443 if scheme == "https" else 80
    try:
        split = urllib.parse.urlsplit(f"{scheme}://{rest}")
        port = split.port or port
    except ValueError as exc:
        raise ModelUnavailable(
            f"Tried to reach Ollama at {raw}, but that is not a valid URL ({exc}). "
            "Fix --host/OLLAMA_HOST, e.g. http://127.0.0.1:11434."
        ) from None
    name = split.hostname or "127.0.0.1"
    if ":" in name:
        name = f"[{name}]"
    path = split.path.rstrip("/")
    return f"{scheme}://{name}:{port}{path}"


def _canonical(name: str) -> str:
    """Ollama's spelling of a model name: no tag means ``:latest``."""
    return name if ":" in name.rsplit("/", 1)[-1] else f"{name}:latest"


def _message(turn: Turn) -> dict[str, Any]:
    message: dict[str, Any] = {"role": turn.role, "content": turn.text}
    if turn.image is not None:
        message["images"] = [turn.image]
    return message


def _stats(final: ollama.ChatResponse) -> dict[str, float]:
    durations = {
        "load_ms": final.load_duration,
        "prompt_eval_ms": final.prompt_eval_duration,
        "eval_ms": final.eval_duration,
        "total_ms": final.total_duration,
    }
    return {k: ns / 1e6 for k, ns in durations.items() if ns is not None}


def _has_vision(show: ollama.ShowResponse) -> bool:
    if show.capabilities is not None:
        return "vision" in show.capabilities
    # Servers older than the ``capabilities`` field: look for a vision tower instead.
    families = (show.details.families if show.details else None) or ()
    keys = (show.modelinfo or {}).keys()
    return any(".vision." in k for k in keys) or bool({"clip", "mllama"} & set(families))


class OllamaModel(ReplyClient):
    """A vision model served by Ollama; implements ``deskhand.core.ports.Model``."""

    def __init__(
        self,
        host: str | None = None,
        model: str = "",
        *,
        keep_alive: str | float = "30m",
        num_ctx: int = 8192,
        num_predict: int = 384,
        **limits: Unpack[ReplyLimits],
    ) -> None:
        super().__init__(normalize_host(host), model, **limits)
        self.keep_alive = keep_alive
        self.num_ctx = num_ctx
        self.num_predict = num_predict
        # Every request, redirects included, goes to this host only (``same_origin``).
        self._hooks = {"request": [pinned_to(self.host)]}
        self._client = ollama.Client(host=self.host, timeout=self._timeout(), event_hooks=self._hooks)
        self._meta = ollama.Client(host=self.host, timeout=self._timeout(quick=True), event_hooks=self._hooks)

    # ---- Model port ----------------------------------------------------------------------

    def complete(self, conversation: Conversation, *, should_stop: ShouldStop) -> Completion:
        """Stream one answer; raises Stopped, ModelUnavailable or ModelError."""
        if not self.name:
            raise no_model_name(self.host)
        attempt = self._attempt(f"Asked {self.name} on Ollama at {self.host} for the next step")
        messages = [_message(t) for t in conversation.turns]
        options = {"temperature": 0, "seed": 0, "num_ctx": self.num_ctx, "num_predict": self.num_predict}

        def open_stream() -> Iterator[ollama.ChatResponse]:
            return self._client.chat(
                model=self.name,
                messages=messages,
                stream=True,
                think=False,
                format=conversation.response_schema,
                options=options,
                keep_alive=self.keep_alive,
            )

        got = self._read_reply(
            open_stream, lambda chunk: (chunk.message.content or "", bool(chunk.done)),
            should_stop=should_stop, cut="the stream ended without Ollama's final chunk",
            fail=lambda exc, received: translate(exc, replace(attempt, received=received)),
        )  # fmt: skip
        final = got.final
        if final is None:  # stopped early: the server's counts never came
            return Completion(got.text, got.model_ms, None, got.chunks, {"early_stop": 1.0})
        return Completion(got.text, got.model_ms, final.prompt_eval_count, final.eval_count, _stats(final))

    # ---- set-up and model management --------------------------------------------------------

    def check(self, *, need_vision: bool = True) -> ModelInfo:
        """Check that the server answers, the model is installed and (``need_vision``: a
        planner may be text-only) it can read images."""
        if not self.name:
            raise no_model_name(self.host)
        attempt = self._attempt(f"Asked Ollama at {self.host} about model {self.name}")
        show = self._call(lambda: self._meta.show(self.name), attempt)
        if need_vision and not _has_vision(show):
            listed_as = ", ".join(show.capabilities or ()) or "no capabilities"
            raise no_vision(self.name, f"Ollama lists: {listed_as}")
        listed = self._call(self._meta.list, attempt).models
        wanted = _canonical(self.name)
        size = next((int(m.size or 0) for m in listed if _canonical(m.model or "") == wanted), 0)
        return self._info(self.name, size, show)

    def server_version(self) -> str:
        """The server's version (``GET /api/version``); checks that Ollama answers at all."""
        attempt = self._attempt(f"Asked Ollama at {self.host} for its version")

        def fetch() -> str:
            with httpx.Client(
                base_url=self.host, timeout=self._timeout(quick=True), follow_redirects=True,
                event_hooks=self._hooks,
            ) as client:  # fmt: skip
                reply = client.get("/api/version")
            try:
                version = reply.json().get("version") if reply.status_code == 200 else None
            except (ValueError, AttributeError):
                version = None
            if not isinstance(version, str):
                raise ModelUnavailable(
                    f"Asked {self.host} for Ollama's version, but it answered HTTP "
                    f"{reply.status_code} {reply.text[:60]!r}, which is not Ollama. "
                    "Check --host/OLLAMA_HOST."
                )
            return version

        return self._call(fetch, attempt)

    def list_models(self) -> list[ModelInfo]:
        """Installed models, with whether each can read images (from ``/api/show``)."""
        attempt = self._attempt(f"Asked Ollama at {self.host} for its models")
        out = []
        for entry in self._call(self._meta.list, attempt).models:
            name = entry.model or ""
            show = self._call(functools.partial(self._meta.show, name), attempt)
            out.append(self._info(name, int(entry.size or 0), show))
        return out

    def pull(
        self,
        name: str,
        on_progress: ProgressCallback,
        *,
        should_stop: ShouldStop | None = None,
    ) -> None:
        """Download ``name`` through the server, reporting (status, completed, total)."""
        attempt = self._attempt(f"Tried to pull {name} through Ollama at {self.host}")
        last = ""

        def open_stream() -> Iterator[ollama.ProgressResponse]:
            return self._client.pull(name, stream=True)

        try:
            pumped = pumped_items(open_stream, should_stop or (lambda: False), math.inf)
            with closing(pumped) as updates:
                for update in updates:
                    last = update.status or ""
                    on_progress(last, update.completed, update.total)
            if last != "success":
                raise ReplyCut(f"the last status was {last!r}")
        except (ReplyCut, httpx.RemoteProtocolError, httpx.ReadError) as exc:
            raise ModelError(
                f"Tried to pull {name} through Ollama at {self.host}, but the progress stream "
                f"was cut off ({exc}). Run the pull again; it resumes where it stopped."
            ) from exc
        except StreamFailure as exc:
            raise translate(exc, attempt) from exc
        except DeskhandError:
            raise
        except ollama.ResponseError as exc:
            if exc.status_code in (-1, 400, 404, 500):
                raise ModelUnavailable(
                    f"Tried to pull {name} through Ollama at {self.host}, but the server said: "
                    f"{exc.error}. Check the name at https://ollama.com/library and that the "
                    "server can reach the internet."
                ) from exc
            raise translate(exc, attempt) from exc
        except Exception as exc:
            raise translate(exc, attempt) from exc

    def warm_up(self) -> None:
        """Load the model now (an empty chat with ``keep_alive``), so step 1 is not slow."""
        if not self.name:
            raise no_model_name(self.host)
        attempt = self._attempt(f"Asked Ollama at {self.host} to load {self.name}")
        self._call(
            lambda: self._client.chat(model=self.name, messages=[], keep_alive=self.keep_alive),
            attempt,
        )

    def close(self) -> None:
        self._client.close()  # type: ignore[no-untyped-call]
        self._meta.close()  # type: ignore[no-untyped-call]

    def __enter__(self) -> OllamaModel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- helpers --------------------------------------------------------------------------

    @staticmethod
    def _call(fn: Callable[[], T], attempt: Attempt) -> T:
        try:
            return fn()
        except Exception as exc:
            raise translate(exc, attempt) from exc

    @staticmethod
    def _info(name: str, size: int, show: ollama.ShowResponse) -> ModelInfo:
        details = show.details
        return ModelInfo(
            name=name,
            size=size,
            vision=_has_vision(show),
            parameter_size=(details.parameter_size if details else None) or "",
            family=(details.family if details else None) or "",
        )
