"""Ollama's wire: chunked NDJSON streams, on the fakes' shared plumbing (``tests.fakeserver``)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from tests.fakeserver.wire import ClientGone
from tests.fakeserver.wire import WireHandler as BaseWireHandler

if TYPE_CHECKING:
    from .server import FakeOllama

__all__ = ["ClientGone", "WireHandler"]


class WireHandler(BaseWireHandler):
    """HTTP/1.1 with keep-alive and NDJSON streams; ``handler.Handler`` adds Ollama's routes."""

    fake: FakeOllama  # set on the subclass the server builds

    def _start_stream(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def _chunk(self, obj: Any) -> None:
        self._raw_chunk((json.dumps(obj) + "\n").encode())
