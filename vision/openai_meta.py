"""What an OpenAI-compatible server says about itself and its models, read best effort.

The protocol has no "can this model read images?" field, so each server's own hints are
read where they exist, and ``None`` means unknown (``deskhand doctor`` then sends a tiny
image instead):

* ``/v1/models`` ``owned_by`` names the server: ``vllm``, ``sglang``, ``llamacpp``,
  ``organization_owner`` (LM Studio), ``library`` (Ollama's /v1).
* llama-server: an Ollama-style ``models`` list beside ``data`` with ``capabilities``
  (``multimodal``), newer builds an ``architecture.input_modalities`` list, and
  ``GET /props`` -> ``modalities.vision`` for the loaded model.
* LM Studio: ``GET /api/v0/models`` -> ``type`` ``vlm`` / ``llm`` / ``embeddings``.
* vLLM and SGLang publish nothing about images: unknown until an image is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "SERVER_LABELS",
    "ServedModel",
    "lmstudio_vision",
    "props_vision",
    "served_model",
    "server_kind",
    "twins",
    "vision_hint",
]

# owned_by -> our name for the server (also the key of vision.server_limits' table)
_OWNERS = {"vllm": "vllm", "sglang": "sglang", "llamacpp": "llama.cpp", "organization_owner": "lmstudio",
           "library": "ollama", "ollama": "ollama"}  # fmt: skip
SERVER_LABELS = {"vllm": "vLLM", "sglang": "SGLang", "llama.cpp": "llama.cpp llama-server",
                 "lmstudio": "LM Studio", "ollama": "Ollama (OpenAI API)", "unknown": "an OpenAI-compatible server"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ServedModel:
    """One model a server offers, as ``deskhand models`` lists it; ``vision`` None = unknown."""

    name: str
    vision: bool | None
    size: int = 0  # bytes, when the server says
    parameter_size: str = ""
    family: str = ""  # the server kind: "vllm", "llama.cpp", ...


def server_kind(entries: list[dict[str, Any]]) -> str:
    """Which server this is, from the ``owned_by`` of its model list."""
    for entry in entries:
        kind = _OWNERS.get(str(entry.get("owned_by", "")).lower())
        if kind:
            return kind
    return "unknown"


def _from_capabilities(caps: object) -> bool | None:
    if isinstance(caps, list):
        names = {str(c).lower() for c in caps}
        return bool(names & {"vision", "multimodal", "image"})
    if isinstance(caps, dict) and "vision" in caps:
        return bool(caps["vision"])
    return None


def vision_hint(entry: dict[str, Any], extra: dict[str, Any] | None = None) -> bool | None:
    """Whether a ``/v1/models`` entry (plus its llama-server ``models`` twin) reads images."""
    for source in (entry, extra or {}):
        found = _from_capabilities(source.get("capabilities"))
        if found is not None:
            return found
        arch = source.get("architecture")
        modalities = arch.get("input_modalities") if isinstance(arch, dict) else None
        if isinstance(modalities, list):
            return "image" in modalities
        kind = str(source.get("type", ""))
        if kind in ("vlm", "llm", "embeddings", "embedding"):
            return kind == "vlm"
    return None


def _billions(n_params: object) -> str:
    if not isinstance(n_params, int | float) or n_params <= 0:
        return ""
    return f"{n_params / 1e9:.1f}B"


def served_model(entry: dict[str, Any], extra: dict[str, Any] | None, kind: str) -> ServedModel:
    raw = entry.get("meta")
    meta: dict[str, Any] = raw if isinstance(raw, dict) else {}
    size = meta.get("size")
    return ServedModel(
        name=str(entry.get("id", "")),
        vision=vision_hint(entry, extra),
        size=int(size) if isinstance(size, int | float) else 0,
        parameter_size=_billions(meta.get("n_params")),
        family=kind,
    )


def twins(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """llama-server's Ollama-style ``models`` entries, by model name."""
    found: dict[str, dict[str, Any]] = {}
    for item in body.get("models") or []:
        if isinstance(item, dict):
            for key in ("model", "name"):
                if isinstance(item.get(key), str):
                    found[item[key]] = item
    return found


def props_vision(props: object) -> bool | None:
    """llama-server ``GET /props``: ``{"modalities": {"vision": true}}``."""
    modalities = props.get("modalities") if isinstance(props, dict) else None
    if isinstance(modalities, dict) and "vision" in modalities:
        return bool(modalities["vision"])
    return None


def lmstudio_vision(listing: object) -> dict[str, bool]:
    """LM Studio ``GET /api/v0/models``: which models have ``type: "vlm"`` (by id)."""
    data = listing.get("data") if isinstance(listing, dict) else None
    found: dict[str, bool] = {}
    for item in data if isinstance(data, list) else []:
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            hint = vision_hint({"type": item.get("type")})
            if hint is not None:
                found[item["id"]] = hint
    return found
