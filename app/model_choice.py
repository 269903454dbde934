"""Which model server and models a task talks to, and how big its screenshots may be.

The host and model come from the flags, then the config file, then the environment, then
what the server has installed; a planner model, if any, is opened beside the grounder on the
same server; and the screenshot grid and context size follow the model family.  The CLI,
the tray app and the wizard ask here; ``wiring.build_parts`` then assembles the task.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Callable

from deskhand.app.backends import Backend, default_host, open_model, resolve_backend
from deskhand.app.store.config import Settings
from deskhand.core.errors import ModelUnavailable
from deskhand.core.geometry import Grid, Rect, Size
from deskhand.core.planning import Planner
from deskhand.core.ports import Dialect
from deskhand.vision.dialects import Family
from deskhand.vision.imaging import detail_grid, image_tokens
from deskhand.vision.streaming import WaitLeft

__all__ = [
    "DEFAULT_HOST",
    "RECOMMENDED_MODEL",
    "context_size",
    "image_grid",
    "open_planner",
    "resolve_host",
    "resolve_model",
]

log = logging.getLogger(__name__)

DEFAULT_HOST = "http://127.0.0.1:11434"
RECOMMENDED_MODEL = "qwen2.5vl:7b"
_IMAGES_IN_CONTEXT = 3  # vision.dialects.common.first_imaged_step keeps at most three


def resolve_host(flag: str | None, settings: Settings, backend: str | None = None) -> str:
    """--host, else the config file (for its backend), else OLLAMA_HOST / OPENAI_BASE_URL, else
    the local default of the backend."""
    chosen = resolve_backend(backend, settings)
    configured = settings.host if chosen == settings.backend else None
    return flag or configured or default_host(chosen)


def resolve_model(flag: str | None, settings: Settings, host: str, backend: str | None = None) -> str:
    """--model, else config, else DESKHAND_MODEL, else the first vision model installed."""
    chosen = flag or settings.model or os.environ.get("DESKHAND_MODEL")
    if chosen:
        return chosen
    kind = resolve_backend(backend, settings)
    with open_model(kind, host, "", settings) as server:
        models = server.list_models()
    # An OpenAI-compatible server may not say which models read images (None): try those next.
    vision: list[str] = [m.name for m in models if m.vision] + [m.name for m in models if m.vision is None]
    if not vision:
        hint = f"Pull one with `ollama pull {RECOMMENDED_MODEL}` (or `deskhand pull {RECOMMENDED_MODEL}`)."
        if kind == "openai":
            hint = "Serve a vision model there (e.g. Qwen2.5-VL), or pass --model."
        raise ModelUnavailable(f"Tried to pick a vision model on {host}, but none is installed. {hint}")
    return vision[0]


def open_planner(
    name: str | None,
    backend: Backend,
    host: str,
    settings: Settings,
    num_ctx: int,
    wait_left: WaitLeft | None,
) -> tuple[Planner, Callable[[], None]] | None:
    """The planner and its warm-up (None without one), on the grounder's server and checked
    like it, except that it may be text-only: it then plans from the text it is given.

    On Ollama both models are asked with the same ``keep_alive``, so both stay loaded between
    steps where the server's memory (and ``OLLAMA_MAX_LOADED_MODELS``) allows.
    """
    if not name:
        return None
    model = open_model(backend, host, name, settings, num_ctx=num_ctx, wait_left=wait_left)
    try:
        info = model.check(need_vision=False)
    except ModelUnavailable as exc:
        raise ModelUnavailable(f"The planner model {name}: {exc}") from exc
    return Planner(model, vision=bool(info.vision)), model.warm_up


def image_grid(family: Family | Dialect, detail: str) -> Grid:
    """The grid screenshots are sent on: the family's, or its "high" detail where that is safe.

    Safe means the family's coordinates do not follow the runtime's own resize (relative,
    or pixels of the image sent), so a bigger image cannot shift its frame.
    """
    if detail != "normal" and family.frame.follows_runtime:
        log.info(
            "detail=%s is not used with %s: its coordinates follow the runtime's resize", detail, family.name
        )
        return family.grid
    return detail_grid(family.grid, detail)


def context_size(configured: int, monitor: Rect, grid: Grid, extra_chars: int = 0) -> int:
    """``num_ctx``, raised if needed so three screenshots, the text and ``extra_chars`` of
    offered tools fit without truncation.

    A truncated prompt loses its start -- the system turn -- and with it the prompt cache.
    """
    tokens = image_tokens(Size(monitor.width, monitor.height), grid)
    needed = _IMAGES_IN_CONTEXT * tokens + 4096 + math.ceil(extra_chars / 3)
    return max(configured, math.ceil(needed / 1024) * 1024)
