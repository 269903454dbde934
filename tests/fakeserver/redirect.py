"""Real HTTP servers for the redirect tests: one that answers every request with a redirect,
and one that only records what reaches it (a host the screenshot must never get to).

    with Recorder("127.0.0.2") as elsewhere, Redirector(elsewhere.url) as server:
        ... point the client at server.url; assert elsewhere.requests == []
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

__all__ = ["Recorder", "Redirector"]


class _Server:
    """A ``ThreadingHTTPServer`` on a daemon thread, as a context manager."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], address: str) -> None:
        self._httpd = ThreadingHTTPServer((address, 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


class Redirector(_Server):
    """Answers every request with ``status`` and ``Location: <target><path>``.

    With ``moved`` (a path prefix) it redirects to itself instead: a request under ``moved``
    gets ``{"version": "moved"}``, any other is redirected there -- a redirect within one server.
    """

    def __init__(
        self, target: str = "", *, status: int = 307, address: str = "127.0.0.1", moved: str = ""
    ) -> None:
        self.target, self.status, self.seen = target.rstrip("/"), status, list[str]()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _redirect(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                outer.seen.append(f"{self.command} {self.path}")
                if moved and self.path.startswith(moved):
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", "20")
                    self.end_headers()
                    self.wfile.write(b'{"version": "moved"}')
                    return
                self.send_response(outer.status)
                self.send_header("Location", (outer.target or outer.url + moved) + self.path)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = do_HEAD = _redirect

            def log_message(self, *args: Any) -> None:  # quiet
                pass

        super().__init__(Handler, address)


class Recorder(_Server):
    """Records every request (method, path, body size) and answers 200 with an empty JSON object."""

    def __init__(self, address: str = "127.0.0.1") -> None:
        self.requests: list[tuple[str, str, int]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _record(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                outer.requests.append((self.command, self.path, len(body)))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            do_GET = do_POST = do_HEAD = _record

            def log_message(self, *args: Any) -> None:  # quiet
                pass

        super().__init__(Handler, address)
