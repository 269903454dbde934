"""Wire level of the fake: JSON bodies, chunked NDJSON streams, dropped connections."""

from __future__ import annotations

import json
import socket
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any

from .state import RecordedRequest

if TYPE_CHECKING:
    from .server import FakeOllama


class ClientGone(Exception):
    """The client closed the connection while we were still writing."""


class WireHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive; subclasses add Ollama's routes."""

    protocol_version = "HTTP/1.1"
    # Streamed chunks go out at once, as from Ollama's Go server (no 40 ms delayed-ACK stalls).
    disable_nagle_algorithm = True
    fake: FakeOllama  # set on the subclass the server builds

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def _send_json(self, status: int, obj: Any, rec: RecordedRequest | None = None) -> None:
        data = json.dumps(obj).encode()
        if rec is not None:
            rec.status = status
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _start_stream(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def _chunk(self, obj: Any) -> None:
        data = (json.dumps(obj) + "\n").encode()
        try:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()
        except OSError as exc:
            raise ClientGone from exc

    def _end_stream(self) -> None:
        try:
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except OSError as exc:
            raise ClientGone from exc

    def _drop(self) -> None:
        """Close the connection abruptly, mid-message."""
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _pause(self, ms: float) -> bool:
        """Sleep ``ms``; False when the server is shutting down."""
        return self.fake.sleep(ms)

    def _read_body(self) -> dict[str, Any] | None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw:
            return None
        parsed = json.loads(raw)
        return parsed if isinstance(parsed, dict) else {"_": parsed}
