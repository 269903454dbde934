"""A local stand-in for the model hub: the tree API and file downloads, with Range.

Knobs make it misbehave the ways real networks do: cut a transfer part-way, ignore
Range, serve bytes that do not match the listed digests, or trickle slowly (to cancel).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def git_blob_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


@dataclass
class HubState:
    files: dict[str, bytes]
    lfs: set[str] = field(default_factory=lambda: {"model.bin"})
    cut_after: dict[str, int] = field(default_factory=dict)  # path -> bytes sent before the cut (once)
    corrupt: set[str] = field(default_factory=set)
    ignore_range: bool = False
    trickle_s: float = 0.0  # pause per 64 KiB
    requests: list[tuple[str, str | None]] = field(default_factory=list)


def model_files(size_mb: float = 3.0) -> dict[str, bytes]:
    return {
        "config.json": json.dumps({"alignment_heads": [[1, 0]], "lang_ids": [50259]}).encode(),
        "model.bin": os.urandom(int(size_mb * 1024 * 1024)),
        "tokenizer.json": b'{"version": "1.0"}',
        "vocabulary.txt": b"hello\nworld\n",
        "README.md": b"# not downloaded\n",
        ".gitattributes": b"*.bin filter=lfs\n",
    }


class _Handler(BaseHTTPRequestHandler):
    state: HubState

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def do_GET(self) -> None:
        st = self.server.state  # type: ignore[attr-defined]
        st.requests.append((self.path, self.headers.get("Range")))
        if re.fullmatch(r"/api/models/Systran/faster-whisper-[\w.-]+/tree/main", self.path):
            self._listing(st)
            return
        m = re.fullmatch(r"/Systran/faster-whisper-[\w.-]+/resolve/main/(.+)", self.path)
        if not m or m.group(1) not in st.files:
            self.send_error(404)
            return
        self._file(st, m.group(1))

    def _listing(self, st: HubState) -> None:
        entries = []
        for path, data in st.files.items():
            entry: dict[str, Any] = {
                "type": "file",
                "path": path,
                "size": len(data),
                "oid": git_blob_sha1(data),
            }
            if path in st.lfs:
                entry["lfs"] = {
                    "oid": hashlib.sha256(data).hexdigest(),
                    "size": len(data),
                    "pointerSize": 134,
                }
            entries.append(entry)
        body = json.dumps(entries).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _file(self, st: HubState, path: str) -> None:
        data = st.files[path]
        if path in st.corrupt:
            data = bytes(b ^ 0xFF for b in data[:16]) + data[16:]
        start = 0
        ranged = self.headers.get("Range")
        if ranged and not st.ignore_range:
            start = int(re.fullmatch(r"bytes=(\d+)-", ranged).group(1))  # type: ignore[union-attr]
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        limit = st.cut_after.pop(path, None)
        sent = 0
        for i in range(0, len(body), 65536):
            block = body[i : i + 65536]
            if limit is not None and sent + len(block) > limit:
                self.wfile.write(block[: limit - sent])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)  # the cut: fewer bytes than Content-Length said
                return
            try:
                self.wfile.write(block)
            except (BrokenPipeError, ConnectionResetError):
                return
            sent += len(block)
            if st.trickle_s:
                time.sleep(st.trickle_s)


class LocalHub:
    def __init__(self, state: HubState) -> None:
        self.state = state
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.state = state  # type: ignore[attr-defined]
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LocalHub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
