"""What the fake OpenAI-compatible server received, and the models it serves."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from tests.fakeserver import Recorded

FLAVORS = ("vllm", "llama.cpp", "lmstudio", "sglang", "plain")
OWNERS = {"vllm": "vllm", "llama.cpp": "llamacpp", "lmstudio": "organization_owner", "sglang": "sglang",
          "plain": "someone"}  # fmt: skip


def data_url_bytes(url: str) -> bytes | None:
    """The bytes of a ``data:image/...;base64,`` URL (None for anything else)."""
    head, sep, payload = url.partition(",")
    if not sep or not head.startswith("data:image/") or not head.endswith(";base64"):
        return None
    return base64.b64decode(payload)


def flatten(message: dict[str, Any]) -> dict[str, Any]:
    """An OpenAI message in the fake Ollama's shape (text ``content`` + base64 ``images``),
    so the shared oracle (``tests.fakeollama.render``) can answer it."""
    content = message.get("content")
    if isinstance(content, str) or content is None:
        return {"role": message.get("role"), "content": content or "", "images": []}
    texts: list[str] = []
    images: list[str] = []
    for part in content if isinstance(content, list) else []:
        if not isinstance(part, dict):
            continue
        if part.get("type") == "text":
            texts.append(str(part.get("text") or ""))
        elif part.get("type") == "image_url":
            image = part.get("image_url") or {}
            url = image.get("url", "") if isinstance(image, dict) else str(image)
            data = data_url_bytes(url)
            if data is not None:
                images.append(base64.b64encode(data).decode("ascii"))
    return {"role": message.get("role"), "content": "\n".join(texts), "images": images}


@dataclass
class Request(Recorded):
    """One HTTP request the fake received, and (for chat) what it answered."""

    authorization: str | None = None

    @property
    def stream(self) -> bool:
        return bool(self._get("stream", False))

    @property
    def images(self) -> list[bytes]:
        return [base64.b64decode(i) for m in self.messages for i in flatten(m)["images"]]

    def _digest(self, message: dict[str, Any]) -> dict[str, Any]:
        flat = flatten(message)
        return {"role": message.get("role"), "content": flat["content"], "images": len(flat["images"])}

    def summary(self) -> dict[str, Any]:
        """JSON-able digest without image data or credentials (for ``--record``)."""
        return {**super().summary(), "authorized": self.authorization is not None}


def model_entry(name: str, vision: bool, flavor: str) -> dict[str, Any]:
    """A ``/v1/models`` entry as the given server writes it."""
    entry: dict[str, Any] = {
        "id": name,
        "object": "model",
        "created": 1_750_000_000,
        "owned_by": OWNERS[flavor],
    }
    if flavor == "vllm":
        entry.update(root=name, parent=None, max_model_len=32768, permission=[])
    if flavor == "llama.cpp":
        entry["meta"] = {"n_params": 7_615_616_512, "size": 4_683_073_504, "n_ctx_train": 128000}
    return entry
