"""``OpenAIModel``: the ``Model`` port over any OpenAI-compatible chat-completions server.

vLLM, llama.cpp's llama-server, LM Studio and SGLang speak this protocol; the official
``openai`` client does the HTTP and the server-sent events.  The rest mirrors
``OllamaModel`` so a task behaves the same on either backend: the dialect follows the
model family, not the server; screenshots go as ``data:`` URLs in ``image_url`` parts;
answers stream at temperature 0 with a ``max_tokens`` cap and are assembled by
``ReplyClient`` with ``streaming.read_reply`` (the same limits; a helper thread, so Stop and the overall limit act at once; the
dialect's ``reply_end`` hook ends the stream early).  The client never retries on its own:
retrying is the caller's decision.

A conversation with a schema (the JSON dialect) asks for ``response_format`` of type
``json_schema``.  A server that refuses it gets ``json_object``, then no format, and the
refusal is remembered for the rest of the session; the dialect's parser validates anyway.
Every failure leaves as ``ModelUnavailable`` or ``ModelError`` from ``openai_errors``, with
the API key blanked out of anything the server said.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any, Unpack, cast

import openai
from PIL import Image

from deskhand.core.errors import DeskhandError, ModelUnavailable
from deskhand.core.observation import Completion, Conversation, Turn
from deskhand.core.ports import ShouldStop
from deskhand.vision import openai_meta as meta
from deskhand.vision.imaging import encode_jpeg
from deskhand.vision.model_errors import Attempt
from deskhand.vision.openai_errors import Context, no_vision_reply, served_list, translate
from deskhand.vision.openai_meta import ServedModel
from deskhand.vision.openai_wire import (
    DEFAULT_BASE_URL,
    FormatRefused,
    closable,
    formats_for,
    message,
    normalize_base_url,
)
from deskhand.vision.reply_client import ReplyClient, ReplyLimits
from deskhand.vision.same_origin import pinned_to

__all__ = ["DEFAULT_BASE_URL", "OpenAIModel", "ServedModel", "normalize_base_url"]

log = logging.getLogger(__name__)

_FORMAT_WORDS = ("response_format", "json_schema", "json_object", "schema", "grammar", "guided")


class _Tally:
    """What an answer's chunks said besides their text: the token usage and the finish reason."""

    def __init__(self) -> None:
        self.usage: Any = None
        self.finish: str | None = None

    def read(self, chunk: Any) -> tuple[str, bool]:
        """The text ``chunk`` adds, and whether a finish_reason has come (for ``read_reply``)."""
        self.usage = getattr(chunk, "usage", None) or self.usage
        choice = chunk.choices[0] if chunk.choices else None
        self.finish = (choice.finish_reason if choice is not None else None) or self.finish
        return (choice.delta.content or "") if choice is not None else "", self.finish is not None


class OpenAIModel(ReplyClient):
    """A vision model on an OpenAI-compatible server; implements ``deskhand.core.ports.Model``."""

    def __init__(
        self,
        host: str | None = None,
        model: str = "",
        *,
        api_key: str | None = None,
        max_tokens: int = 384,
        **limits: Unpack[ReplyLimits],
    ) -> None:
        super().__init__(normalize_base_url(host), model, **limits)
        self.root = self.host.removesuffix("/v1")
        self.max_tokens = max_tokens
        self.num_ctx = 0  # Ollama's option; an OpenAI-compatible server fixes its own context
        self.server = "unknown"  # "vllm", "llama.cpp", ... once check() or list_models() ran
        self._key = api_key or None
        self._format_level = 0
        slow, quick = self._timeout(), self._timeout(quick=True)
        # Local servers need no key, but the client insists on one; the placeholder is harmless.
        # The timeouts are httpx's; clients built on httpx2 convert them (hence the casts).
        # Every request, redirects included, goes to this host only (``same_origin``).
        http = openai.DefaultHttpxClient(
            timeout=cast(Any, slow), event_hooks={"request": [pinned_to(self.host)]}
        )
        self._client = openai.OpenAI(
            base_url=self.host, api_key=self._key or "no-key", timeout=cast(Any, slow), max_retries=0,
            http_client=http,
        )  # fmt: skip
        self._meta = self._client.with_options(timeout=cast(Any, quick))

    def __repr__(self) -> str:  # never the key
        return f"OpenAIModel(host={self.host!r}, model={self.name!r}, server={self.server!r})"

    # ---- Model port ----------------------------------------------------------------------

    def complete(self, conversation: Conversation, *, should_stop: ShouldStop) -> Completion:
        """Stream one answer; raises Stopped, ModelUnavailable or ModelError."""
        self._need_name()
        attempt = self._attempt(f"Asked {self.name} on the server at {self.host} for the next step")
        messages = [message(t) for t in conversation.turns]
        images = any(t.image is not None for t in conversation.turns)
        formats = formats_for(conversation.response_schema)
        started = time.monotonic()
        while True:
            fmt = formats[min(self._format_level, len(formats) - 1)]
            try:
                return self._stream(messages, fmt, attempt, images, should_stop, started)
            except FormatRefused as refusal:
                log.info("the server refused response_format %s (%s); trying without", fmt, refusal)
                self._format_level += 1

    def _stream(
        self,
        messages: list[dict[str, Any]],
        fmt: dict[str, Any] | None,
        attempt: Attempt,
        images: bool,
        should_stop: ShouldStop,
        started: float,
    ) -> Completion:
        extra: dict[str, Any] = {"response_format": fmt} if fmt is not None else {}
        opened = threading.Event()

        def open_stream() -> Iterator[Any]:
            stream = self._client.chat.completions.create(
                model=self.name, messages=cast(Any, messages), stream=True, temperature=0, seed=0,
                max_tokens=self.max_tokens, **extra,
            )  # fmt: skip
            opened.set()
            return closable(stream)

        tally = _Tally()

        def fail(exc: Exception, received: int) -> Exception:
            if fmt is not None and not received and self._refuses_format(exc):
                return FormatRefused(self._redact(str(exc)))
            return translate(exc, self._context(replace(attempt, received=received), images, opened.is_set()))

        got = self._read_reply(
            open_stream, tally.read, should_stop=should_stop, cut="the stream ended without a finish_reason",
            fail=fail, started=started,
        )  # fmt: skip
        if got.early:
            return Completion(got.text, got.model_ms, None, got.pieces, {"early_stop": 1.0})
        output = getattr(tally.usage, "completion_tokens", None)
        prompt = getattr(tally.usage, "prompt_tokens", None)
        return Completion(got.text, got.model_ms, prompt, output if output is not None else got.pieces)

    # ---- set-up and model management --------------------------------------------------------

    def check(self, *, probe_images: bool = False, need_vision: bool = True) -> ServedModel:
        """Check that the server answers, serves the model and (as far as known; unless not
        ``need_vision``, as for a planner) reads images.

        With ``probe_images`` a tiny synthetic image is sent when no metadata says whether
        the model reads images (``deskhand doctor``); a task finds out with its first step.
        """
        self._need_name()
        models = {m.name: m for m in self.list_models()}
        info = models.get(self.name)
        if info is None:
            raise served_list(self.name, self.host, sorted(models))
        vision = info.vision
        if not need_vision:
            return info
        if vision is None and probe_images:
            self._probe_images()
            vision = True
        if vision is False:
            raise no_vision_reply(self.name, f"{meta.SERVER_LABELS[self.server]} says it has no vision input")
        return replace(info, vision=vision)

    def list_models(self) -> list[ServedModel]:
        """Models the server offers, with vision True/False, or None where it does not say."""
        body = self._get("/models", "Asked the server at {host} for its models")
        entries = [e for e in body.get("data") or [] if isinstance(e, dict)] if isinstance(body, dict) else []
        self.server = meta.server_kind(entries)
        twins = meta.twins(body) if isinstance(body, dict) else {}
        models = [meta.served_model(e, twins.get(str(e.get("id"))), self.server) for e in entries]
        if any(m.vision is None for m in models):
            hints = self._server_hints(models)
            models = [m if m.vision is not None else replace(m, vision=hints.get(m.name)) for m in models]
        return models

    def server_version(self) -> str:
        """Which server this is, with its version where it tells (e.g. "vLLM 0.9.2")."""
        self.list_models()
        label = meta.SERVER_LABELS[self.server]
        version: object = None
        if self.server == "vllm":
            version = self._peek("/version").get("version")
        elif self.server == "llama.cpp":
            version = self._peek("/props").get("build_info")
        return f"{label} {version}" if isinstance(version, str) and version else label

    def warm_up(self) -> None:
        """Nothing to do: these servers load their model at start (LM Studio on first use)."""

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> OpenAIModel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- helpers --------------------------------------------------------------------------

    def _need_name(self) -> None:
        if not self.name:
            raise ModelUnavailable(
                f"Tried to ask the server at {self.host} for an answer, but no model name was "
                "given. Pass --model NAME (see `deskhand models --backend openai`)."
            )

    def _redact(self, text: str) -> str:
        """``text`` with the API key blanked out wherever it stands as a whole token."""
        if not self._key:
            return text
        return re.sub(rf"(?<![\w-]){re.escape(self._key)}(?![\w-])", "[API key]", text)

    def _served(self) -> list[str] | None:
        try:
            return [m.name for m in self.list_models()]
        except DeskhandError:
            return None

    def _context(
        self, attempt: Attempt, images: bool = False, streaming: bool = False, *, listing: bool = False
    ) -> Context:
        # While listing models, a 404 means a wrong base URL; asking for the list again would loop.
        served = (lambda: None) if listing else self._served
        return Context(attempt, self._redact, bool(self._key), images, streaming, served)

    def _refuses_format(self, exc: Exception) -> bool:
        if not isinstance(exc, openai.BadRequestError | openai.UnprocessableEntityError):
            return False
        said = str(exc.body if exc.body is not None else exc.message).lower()
        return any(word in said for word in _FORMAT_WORDS)

    def _get(self, path: str, doing: str) -> Any:
        try:
            return self._meta.get(path, cast_to=object)
        except Exception as exc:
            context = self._context(self._attempt(doing.format(host=self.host)), listing=True)
            raise translate(exc, context) from exc

    def _peek(self, path: str) -> dict[str, Any]:
        """A server-specific endpoint outside /v1, best effort: {} when it is not there."""
        try:
            found = self._meta.get(f"{self.root}{path}", cast_to=object)
        except (openai.OpenAIError, OSError) as exc:
            log.debug("no %s on %s: %s", path, self.root, self._redact(str(exc)))
            return {}
        return found if isinstance(found, dict) else {}

    def _server_hints(self, models: list[ServedModel]) -> dict[str, bool]:
        """Vision per model from the server's own endpoints (llama-server, LM Studio)."""
        if self.server == "llama.cpp" and len(models) == 1:  # /props describes the loaded model
            found = meta.props_vision(self._peek("/props"))
            return {} if found is None else {models[0].name: found}
        if self.server == "lmstudio":
            return meta.lmstudio_vision(self._peek("/api/v0/models"))
        return {}

    def _probe_images(self) -> None:
        """Send a 64x64 grey image for a one-token answer; raises if the server refuses it."""
        image = encode_jpeg(Image.new("RGB", (64, 64), (128, 128, 128)))
        turn = message(Turn("user", "Reply with the word OK.", image))
        context = self._context(self._attempt(f"Sent a test image to {self.name} at {self.host}"), True)
        try:
            self._meta.chat.completions.create(
                model=self.name, messages=cast(Any, [turn]), max_tokens=1, temperature=0
            )
        except Exception as exc:
            raise translate(exc, context) from exc
