"""Which model server protocol a task speaks, and building its client.

Two backends stand behind the same ``Model`` port: ``ollama`` (``OllamaModel``, local or on
another machine) and ``openai`` (``OpenAIModel``: vLLM, llama-server, LM Studio, SGLang).
The dialect still follows the model family, never the server; what the server changes is
its address, its API key and how many pixels of a screenshot it keeps (``screen_grid``).
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Literal

from deskhand.app.store.api_keys import api_key
from deskhand.app.store.config import Settings
from deskhand.core.geometry import Grid
from deskhand.vision.ollama_model import OllamaModel
from deskhand.vision.openai_wire import DEFAULT_BASE_URL
from deskhand.vision.server_limits import budget_grid
from deskhand.vision.streaming import ReplyEnd, WaitLeft

__all__ = [
    "BACKENDS",
    "default_host",
    "open_model",
    "resolve_backend",
    "screen_grid",
    "server_kind",
]

log = logging.getLogger(__name__)

Backend = Literal["ollama", "openai"]
BACKENDS: tuple[Backend, ...] = ("ollama", "openai")
if TYPE_CHECKING:
    from deskhand.vision.openai_model import OpenAIModel

    # The openai SDK takes seconds to import: only a task on that backend loads it.
    AnyModel = OllamaModel | OpenAIModel
OLLAMA_HOST = "http://127.0.0.1:11434"


def resolve_backend(flag: str | None, settings: Settings) -> Backend:
    """--backend, else the config file's ``backend`` (default ollama)."""
    chosen = flag or settings.backend
    return "openai" if chosen == "openai" else "ollama"


def default_host(backend: Backend) -> str:
    """The address used when neither --host nor the config names one."""
    if backend == "openai":
        return os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL
    return os.environ.get("OLLAMA_HOST") or OLLAMA_HOST


def open_model(
    backend: Backend,
    host: str,
    name: str,
    settings: Settings,
    *,
    num_ctx: int | None = None,
    reply_end: ReplyEnd | None = None,
    wait_left: WaitLeft | None = None,
) -> AnyModel:
    """The client for ``backend``, configured from the settings (and the API key).

    ``num_ctx`` (Ollama only; default the setting) and the dialect's ``reply_end`` are
    given here, at construction, by the wiring that knows them.  ``wait_left``: the task's
    pause (``PauseAndRetry.time_left``), so a retry's wait for a silent server counts
    against ``model_wait_seconds``.
    """
    if backend == "openai":
        from deskhand.vision.openai_model import OpenAIModel

        return OpenAIModel(
            host=host,
            model=name,
            api_key=api_key(settings).secret,
            max_tokens=settings.num_predict,
            first_token_timeout=settings.first_token_timeout,
            total_timeout=_total_timeout(settings),
            wait_left=wait_left,
            reply_end=reply_end,
        )
    return OllamaModel(
        host=host,
        model=name,
        keep_alive=settings.keep_alive,
        num_ctx=settings.num_ctx if num_ctx is None else num_ctx,
        reply_end=reply_end,
        num_predict=settings.num_predict,
        first_token_timeout=settings.first_token_timeout,
        total_timeout=_total_timeout(settings),
        wait_left=wait_left,
    )


def _total_timeout(settings: Settings) -> float:
    """The whole answer's limit: 5 minutes, or the first-token wait plus 2 minutes to answer."""
    return max(300.0, settings.first_token_timeout + 120.0)


def screen_grid(grid: Grid, server: str, settings: Settings) -> Grid:
    """The grid screenshots are sent on: ``grid`` within this server's pixel limit.

    The budget stays the family's (~1,200 image tokens at 1080p) unless the server keeps
    fewer pixels or ``max_image_pixels`` says otherwise.  The caller builds the dialect on
    the grid returned, so a dialect answering in the runtime's resized pixels maps an image
    the server keeps as sent back through the identity.
    """
    return budget_grid(grid, server, settings.max_image_pixels)


def server_kind(model: object) -> str:
    """Which server a client talks to ("ollama", "vllm", ...) as far as it knows."""
    return str(getattr(model, "server", "ollama"))
