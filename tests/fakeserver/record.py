"""One request a fake server received, and (for chat) what it answered."""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field
from typing import Any

from PIL import Image


@dataclass
class Recorded:
    """The protocol-neutral part; subclasses say where the images are and how to digest a
    message for ``summary``."""

    method: str
    path: str
    body: dict[str, Any] | None
    arrived: float = field(default_factory=time.monotonic)  # time.monotonic(): for intervals between requests
    step: dict[str, Any] | None = None
    answer: str | None = None
    status: int = 200
    aborted: bool = False  # the client closed the connection before the answer ended

    def _get(self, key: str, default: Any = None) -> Any:
        return default if self.body is None else self.body.get(key, default)

    @property
    def model(self) -> str | None:
        value = self._get("model")
        return None if value is None else str(value)

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self._get("messages") or [])

    @property
    def images(self) -> list[bytes]:
        """Every image in the request, decoded, in message order."""
        raise NotImplementedError

    @property
    def image_sizes(self) -> list[tuple[int, int]]:
        sizes = []
        for data in self.images:
            with Image.open(io.BytesIO(data)) as img:
                sizes.append(img.size)
        return sizes

    def _digest(self, message: dict[str, Any]) -> dict[str, Any]:
        """A message for ``summary``: images counted, not copied."""
        raise NotImplementedError

    def summary(self) -> dict[str, Any]:
        """JSON-able digest without image data (for the CLI's ``--record`` file)."""
        body = dict(self.body or {})
        if "messages" in body:
            body["messages"] = [self._digest(m) for m in self.messages]
        return {
            "method": self.method,
            "path": self.path,
            "body": body,
            "image_sizes": self.image_sizes,
            "step": self.step,
            "answer": self.answer,
            "status": self.status,
            "aborted": self.aborted,
        }
