"""The chat-completions wire format as Deskhand uses it: base URL, messages, response formats.

Kept apart from ``openai_model`` so the request shape can be read (and tested) on its own.
"""

from __future__ import annotations

import base64
import logging
import urllib.parse
from collections.abc import Iterator
from typing import Any

from deskhand.core.errors import DeskhandError, ModelUnavailable
from deskhand.core.observation import Turn

__all__ = ["DEFAULT_BASE_URL", "FormatRefused", "closable", "formats_for", "message", "normalize_base_url"]

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "http://127.0.0.1:8000/v1"  # vLLM's default; llama-server 8080, LM Studio 1234


def normalize_base_url(url: str | None) -> str:
    """``--host`` as the client's base URL: scheme, host, optional port, path (default /v1)."""
    raw = (url or DEFAULT_BASE_URL).strip()
    try:
        split = urllib.parse.urlsplit(raw if "://" in raw else f"http://{raw}")
        port = split.port
    except ValueError as exc:
        raise ModelUnavailable(
            f"Tried to reach the server at {raw}, but that is not a valid URL ({exc}). "
            f"Fix --host, e.g. {DEFAULT_BASE_URL}."
        ) from None
    if split.username or split.password:
        raise ModelUnavailable(
            "Tried to reach the server at a URL that carries a user name or password, but "
            "Deskhand keeps secrets out of URLs (they end up in logs and history). Remove them "
            "from --host and set DESKHAND_API_KEY instead."
        )
    if split.scheme not in ("http", "https") or not split.hostname:
        raise ModelUnavailable(
            f"Tried to reach the server at {raw}, but that is not an http(s) URL. "
            f"Fix --host, e.g. {DEFAULT_BASE_URL}."
        )
    name = f"[{split.hostname}]" if ":" in split.hostname else split.hostname
    netloc = f"{name}:{port}" if port else name
    return f"{split.scheme}://{netloc}{split.path.rstrip('/') or '/v1'}"


def _mime_of(image: bytes) -> str:
    """Screenshots are JPEG; PNG is recognised for tests and tools that send it."""
    return "image/png" if image.startswith(b"\x89PNG") else "image/jpeg"


def message(turn: Turn) -> dict[str, Any]:
    """One chat message; a screenshot becomes a ``data:`` URL in an ``image_url`` part."""
    role = turn.role if turn.role in ("system", "user", "assistant") else "user"
    if turn.image is None:
        return {"role": role, "content": turn.text}
    url = f"data:{_mime_of(turn.image)};base64,{base64.b64encode(turn.image).decode('ascii')}"
    # The image first, as Ollama's templates place it, so a dialect's prompt reads the same.
    parts = [{"type": "image_url", "image_url": {"url": url}}, {"type": "text", "text": turn.text}]
    return {"role": role, "content": parts}


def formats_for(schema: dict[str, object] | None) -> list[dict[str, Any] | None]:
    """``response_format`` values to try in order, strongest first, for a conversation's schema."""
    if schema is None:
        return [None]
    strict = {"type": "json_schema", "json_schema": {"name": "decision", "schema": schema}}
    return [strict, {"type": "json_object"}, None]


class FormatRefused(DeskhandError):
    """The server rejected the requested ``response_format``; try the next weaker one."""


class _Closing:
    """The ``openai`` stream, closable without raising from the helper thread."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self._items: Iterator[Any] = iter(stream)

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        return next(self._items)

    def close(self) -> None:
        try:
            self.stream.close()
        except Exception:  # nobody waits for this stream any more; closing is best effort
            log.debug("closing an abandoned answer stream failed", exc_info=True)


def closable(stream: Any) -> _Closing:
    """Wrap a stream for ``streaming.pumped_items``, which closes it from its helper thread."""
    return _Closing(stream)
