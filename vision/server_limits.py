"""How many pixels of one image each model server keeps, per model family, and our budget.

We send screenshots already on the family's grid and inside its pixel budget, so the
server's own resize is the identity and coordinates map back exactly.  The budget is the
family's (``~1,200`` image tokens for a 1080p screen) unless the server keeps fewer pixels,
or the user set ``max_image_pixels``.  Default per-image caps, by grid factor (28: the
Qwen2/2.5-VL family and UI-TARS, patch 14 x merge 2; 32: Qwen3-VL, patch 16 x merge 2):

    server      factor 28              factor 32              where it comes from
    ollama      2,097,152 (2<<20)      2,097,152              Ollama's Go image processors
    vllm        12,845,056 (16384 t)   16,777,216 (16384 t)   the HF preprocessor_config.json
                                                              (max_pixels / size.longest_edge)
    sglang      12,845,056             12,845,056             SGLANG_IMAGE_MAX_PIXELS default
    llama.cpp   3,211,264 (4096 t)     4,194,304 (4096 t)     mtmd clip.cpp
                                                              set_limit_image_tokens(8, 4096)
    lmstudio    as llama.cpp (GGUF models run on its mtmd; MLX models follow the HF config)

Each can be changed on the server (vLLM ``--mm-processor-kwargs '{"max_pixels": N}'``,
llama-server ``--image-max-tokens N``, ``SGLANG_IMAGE_MAX_PIXELS``); then tell Deskhand
with ``max_image_pixels``.  An unknown server is trusted with the family's budget.
"""

from __future__ import annotations

import logging

from deskhand.core.geometry import Grid

__all__ = ["SERVER_CAPS", "budget_grid", "image_cap"]

log = logging.getLogger(__name__)

_LLAMA_CPP = {28: 4096 * 28 * 28, 32: 4096 * 32 * 32}
SERVER_CAPS: dict[str, dict[int, int]] = {
    "ollama": {28: 2 << 20, 32: 2 << 20},
    "vllm": {28: 16384 * 28 * 28, 32: 16384 * 32 * 32},
    "sglang": {28: 16384 * 28 * 28, 32: 16384 * 28 * 28},
    "llama.cpp": _LLAMA_CPP,
    "lmstudio": _LLAMA_CPP,
}


def image_cap(server: str, grid: Grid) -> int | None:
    """The most pixels ``server`` keeps of one image on ``grid``'s family; None if unknown."""
    return SERVER_CAPS.get(server, {}).get(grid.factor)


def budget_grid(grid: Grid, server: str, override: int | None = None) -> Grid:
    """``grid`` with the pixel budget screenshots are sent at on ``server``.

    ``override`` (the ``max_image_pixels`` setting) wins: the user knows the server's real
    limit when it was changed.  Otherwise the family's budget, lowered to the server's cap.
    """
    cap = image_cap(server, grid)
    if override is not None:
        if cap is not None and override > cap:
            log.warning(
                "max_image_pixels=%d is above %s's default limit of %d pixels; unless the server "
                "was configured for more, it will shrink the screenshots and clicks may miss",
                override,
                server,
                cap,
            )
        budget = override
    else:
        budget = min(grid.max_pixels, cap) if cap is not None else grid.max_pixels
    budget = max(budget, grid.min_pixels, grid.factor * grid.factor)
    if budget == grid.max_pixels:
        return grid
    return grid.model_copy(update={"max_pixels": budget})
