"""HTTP side of the fake: Ollama's routes, NDJSON streaming, errors and dropped connections.

Shapes follow Ollama's API as ``ollama-python`` uses it: chunked ``application/x-ndjson``
streams, a final ``done: true`` chunk with durations in nanoseconds, ``{"error": ...}``
bodies with 4xx/5xx statuses, and ``{"error": ...}`` lines inside a stream.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from .render import step_text, user_text
from .spaces import dialect_for
from .state import RecordedRequest, canonical, digest_of, show_body, tags_entry
from .wire import WireHandler

VERSION = "0.12.6"


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _pieces(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


class Handler(WireHandler):
    """Ollama's routes."""

    # ---- routes -----------------------------------------------------------------------

    def do_HEAD(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _new_record(self, method: str, body: dict[str, Any] | None) -> RecordedRequest:
        return RecordedRequest(method, self.path, body)

    def _bad_json(self, exc: json.JSONDecodeError) -> Any:
        return {"error": f"invalid character in JSON body: {exc}"}

    def _get(self, rec: RecordedRequest) -> None:
        if self.path == "/":
            data = b"Ollama is running"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        elif self.path == "/api/version":
            self._send_json(200, {"version": VERSION}, rec)
        elif self.path == "/api/tags":
            models = [tags_entry(n, s) for n, s in self.fake.models.items()]
            self._send_json(200, {"models": models}, rec)
        elif self.path == "/api/ps":
            self._send_json(200, {"models": self._loaded()}, rec)
        else:
            self._not_found(rec)

    def _post(self, rec: RecordedRequest, body: dict[str, Any]) -> None:
        if self.path == "/api/show":
            self._show(rec, body)
        elif self.path == "/api/chat":
            self._chat(rec, body)
        elif self.path == "/api/pull":
            self._pull(rec, body)
        else:
            self._not_found(rec)

    def _not_found(self, rec: RecordedRequest) -> None:
        rec.status = 404
        data = b"404 page not found"
        self.send_response(404)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _loaded(self) -> list[dict[str, Any]]:
        out = []
        for name in list(self.fake.models.loaded):
            spec = self.fake.models.get(name)
            if spec is not None:
                entry = {**tags_entry(name, spec), "size_vram": spec.size, "expires_at": _now()}
                out.append({**entry, "context_length": 8192})
        return out

    def _show(self, rec: RecordedRequest, body: dict[str, Any]) -> None:
        name = str(body.get("model") or body.get("name") or "")
        spec = self.fake.models.get(name)
        if spec is None:
            self._send_json(404, {"error": f"model '{name}' not found"}, rec)
            return
        self._send_json(200, show_body(name, spec), rec)

    def _pull(self, rec: RecordedRequest, body: dict[str, Any]) -> None:
        name = str(body.get("model") or body.get("name") or "")
        spec = self.fake.models.in_library(name)
        missing = "pull model manifest: file does not exist"
        if not body.get("stream", True):
            if spec is None:
                self._send_json(500, {"error": missing}, rec)
                return
            self.fake.models.install(name, spec)
            self._send_json(200, {"status": "success"}, rec)
            return
        self._start_stream()
        self._chunk({"status": "pulling manifest"})
        if spec is None:
            self._chunk({"error": missing})
            self._end_stream()
            return
        delay = self.fake.latency[1]
        layers = [spec.size - 20_000, 11_000, 9_000]
        for i, total in enumerate(layers):
            digest = "sha256:" + digest_of(f"{name}/{i}")
            for frac in (0.0, 0.25, 0.5, 0.75, 1.0):
                line: dict[str, Any] = {"status": f"pulling {digest[7:19]}", "digest": digest}
                line["total"] = total
                if frac:
                    line["completed"] = int(total * frac)
                self._chunk(line)
                if not self._pause(delay):
                    return self._drop()
        for status in ("verifying sha256 digest", "writing manifest", "success"):
            self._chunk({"status": status})
        self.fake.models.install(name, spec)
        self._end_stream()

    # ---- chat -------------------------------------------------------------------------

    def _chat(self, rec: RecordedRequest, body: dict[str, Any]) -> None:
        name = str(body.get("model") or "")
        spec = self.fake.models.get(name)
        if spec is None:
            error = f'model "{name}" not found, try pulling it first'
            self._send_json(404, {"error": error}, rec)
            return
        messages = [m for m in body.get("messages") or [] if isinstance(m, dict)]
        if any(m.get("images") for m in messages) and not spec.vision:
            self._send_json(400, {"error": f'model "{name}" does not support image input'}, rec)
            return
        if body.get("keep_alive") not in (0, "0", "0s"):
            self.fake.models.loaded[name] = time.time()
        if not messages:  # Ollama's way to load a model: an empty chat
            message = {"role": "assistant", "content": ""}
            load = {"model": name, "created_at": _now(), "message": message}
            self._send_json(200, {**load, "done_reason": "load", "done": True}, rec)
            return
        script = self.fake.model_scripts.get(canonical(name), self.fake.script_state)
        step = script.take(user_text(messages))
        if step is None:
            n = script.consumed + 1
            error = f"fake ollama: the script has no step left for chat request #{n}"
            self._send_json(500, {"error": error}, rec)
            return
        rec.step = step
        self._answer(rec, body, step, messages, script.consumed - 1)

    def _answer(
        self, rec: RecordedRequest, body: dict[str, Any], step: dict[str, Any], msgs: list[Any], index: int
    ) -> None:
        first_ms = float(step.get("first_token_ms", self.fake.latency[0]))
        chunk_ms = float(step.get("per_chunk_ms", self.fake.latency[1]))
        played = self._unhang(step)
        if played is None:
            return self._drop()
        step, kind = played, played["do"]
        stream = bool(body.get("stream", True))
        if kind == "error" and not (step.get("mid_stream") and stream):
            if not self._pause(first_ms):
                return self._drop()
            status = int(step.get("status", 500))
            message = str(step.get("message", "fake ollama: scripted server error"))
            return self._send_json(status, {"error": message}, rec)
        dialect = self.fake.dialect or dialect_for(str(body.get("model")))
        text = step_text(step, msgs, dialect=dialect, request_index=index)
        rec.answer = text
        started = time.perf_counter()
        if not self._pause(first_ms):
            return self._drop()
        prompt_ns = int((time.perf_counter() - started) * 1e9)
        pieces = _pieces(text, self.fake.chunk_chars)
        base = {"model": str(body.get("model")), "created_at": _now()}
        if not stream:
            if not self._pause(chunk_ms * len(pieces)):
                return self._drop()
            if kind == "cut":
                return self._cut_plain(text)
            final = self._final(base, prompt_ns, started, len(pieces), msgs)
            reply = {"role": "assistant", "content": text}
            return self._send_json(200, {**final, "message": reply}, rec)
        self._start_stream()
        for piece in pieces:
            self._chunk({**base, "message": {"role": "assistant", "content": piece}, "done": False})
            if not self._pause(chunk_ms):
                return self._drop()
        if kind == "cut":
            return self._cut_stream(base, step)
        if kind == "error":
            self._chunk({"error": str(step.get("message", "fake ollama: error mid-stream"))})
            return self._end_stream()
        final = self._final(base, prompt_ns, started, len(pieces), msgs)
        self._chunk({**final, "message": {"role": "assistant", "content": ""}})
        self._end_stream()

    def _cut_stream(self, base: dict[str, Any], step: dict[str, Any]) -> None:
        """Drop the connection, or (``"mode": "partial_line"``) end the body cleanly after
        half a JSON line -- a proxy or a crash can do either."""
        if step.get("mode") != "partial_line":
            return self._drop()
        line = json.dumps({**base, "message": {"role": "assistant", "content": "tail"}}).encode()
        self._raw_chunk(line[: len(line) // 2])
        self._end_stream()

    def _cut_plain(self, text: str) -> None:
        data = json.dumps({"message": {"role": "assistant", "content": text}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data) * 2))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2])
        self._drop()

    def _final(
        self, base: dict[str, Any], prompt_ns: int, started: float, n: int, msgs: list[Any]
    ) -> dict[str, Any]:
        total_ns = int((time.perf_counter() - started) * 1e9)
        load_ns = 1_500_000
        text_tokens = sum(len(str(m.get("content") or "")) for m in msgs) // 4
        image_tokens = sum(len(m.get("images") or []) for m in msgs) * 1200
        return {
            **base,
            "done": True,
            "done_reason": "stop",
            "total_duration": total_ns + load_ns,
            "load_duration": load_ns,
            "prompt_eval_count": text_tokens + image_tokens + 1,
            "prompt_eval_duration": max(prompt_ns, 1000),
            "eval_count": n,
            "eval_duration": max(total_ns - prompt_ns, 1000),
        }
