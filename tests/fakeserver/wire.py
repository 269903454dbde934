"""The HTTP plumbing of the fakes: JSON bodies, chunked transfer, dropped connections, and the
frame every request goes through (recorded, routed, marked aborted if the client left,
reported done)."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any

from .record import Recorded

if TYPE_CHECKING:
    from .server import FakeServer


class ClientGone(Exception):
    """The client closed the connection while we were still writing."""


class WireHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive.  A subclass supplies ``_new_record``, ``_get``, ``_post``
    and ``_bad_json`` (the protocol's routes and shapes)."""

    protocol_version = "HTTP/1.1"
    # Streamed chunks go out at once, as from Ollama's Go server (no 40 ms delayed-ACK stalls).
    disable_nagle_algorithm = True
    fake: FakeServer[Any]  # set on the subclass the server builds

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    # ---- what a subclass supplies -------------------------------------------------------

    def _new_record(self, method: str, body: dict[str, Any] | None) -> Recorded:
        raise NotImplementedError

    def _get(self, rec: Any) -> None:
        raise NotImplementedError

    def _post(self, rec: Any, body: dict[str, Any]) -> None:
        raise NotImplementedError

    def _bad_json(self, exc: json.JSONDecodeError) -> Any:
        """The 400 body for a request body that is not JSON."""
        raise NotImplementedError

    # ---- the frame of a request ----------------------------------------------------------

    def do_GET(self) -> None:
        rec = self.fake._record(self._new_record("GET", None))
        self._serve(rec, lambda: self._get(rec))

    def do_POST(self) -> None:
        try:
            body = self._read_body()
        except json.JSONDecodeError as exc:
            self._send_json(400, self._bad_json(exc))
            return
        rec = self.fake._record(self._new_record("POST", body))
        self._serve(rec, lambda: self._post(rec, body or {}))

    def _serve(self, rec: Recorded, route: Callable[[], None]) -> None:
        try:
            route()
        except ClientGone:
            rec.aborted = True
            self.close_connection = True
        finally:
            self.fake._done(rec)

    def _unhang(self, step: dict[str, Any]) -> dict[str, Any] | None:
        """Play a ``hang`` step: wait its seconds, then give its ``then`` step (None: drop the
        connection, also when the server stops meanwhile).  Any other step is given back."""
        if step["do"] != "hang":
            return step
        if not self._pause(float(step["seconds"]) * 1000) or not step.get("then"):
            return None
        return dict(step["then"])

    # ---- the wire -----------------------------------------------------------------------

    def _send_json(self, status: int, obj: Any, rec: Recorded | None = None) -> None:
        data = json.dumps(obj).encode()
        if rec is not None:
            rec.status = status
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _raw_chunk(self, data: bytes) -> None:
        """One chunk of a chunked body, sent at once; an empty one ends the body."""
        try:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()
        except OSError as exc:
            raise ClientGone from exc

    def _end_stream(self) -> None:
        self._raw_chunk(b"")

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
