"""HTTP side of the fake OpenAI server: routes, SSE streams, error bodies, dropped connections.

Shapes follow what the ``openai`` client reads from vLLM, llama-server and LM Studio:
``text/event-stream`` with one ``data: {chat.completion.chunk}`` event per piece, a last
chunk carrying ``finish_reason`` (and ``usage``), then ``data: [DONE]``; errors as
``{"error": {"message", "type", "code"}}`` with a 4xx/5xx status, or as an ``error`` event
inside the stream.  Script steps are those of the fake Ollama (``tests.fakeollama.script``);
``{"do": "cut", "mode": "no_finish"}`` ends the stream cleanly but without a finish_reason.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from tests.fakeollama.render import step_text, user_text
from tests.fakeollama.spaces import dialect_for
from tests.fakeserver import WireHandler

from .record import Request, flatten, model_entry

if TYPE_CHECKING:
    from .server import FakeOpenAI

_NO_VISION = {
    "llama.cpp": "image input is not supported - hint: you may need to provide the mmproj",
    "lmstudio": "Model does not support images. Please use a model that does.",
}


class Handler(WireHandler):
    fake: FakeOpenAI  # set on the subclass the server builds

    # ---- plumbing -----------------------------------------------------------------------

    def _error(self, status: int, message: str, kind: str, rec: Request) -> None:
        self._send_json(status, {"error": {"message": message, "type": kind, "code": status}}, rec)

    def _ok(self, body: Any, rec: Request) -> None:
        self._send_json(200, body, rec)

    def _authorized(self, rec: Request) -> bool:
        key = self.fake.api_key
        got = self.headers.get("Authorization") or ""
        if key is None or got == f"Bearer {key}":
            return True
        presented = got.removeprefix("Bearer ").strip()
        if self.fake.echo_bad_key and presented:
            message = f"Incorrect API key provided: {presented}. You can find your key in the settings."
        else:
            message = "Invalid or missing API key"
        self._error(401, message, "authentication_error", rec)
        return False

    def _not_found(self, rec: Request) -> None:
        self._send_json(404, {"detail": "Not Found"}, rec)  # FastAPI's shape

    def _event(self, obj: Any) -> None:
        self._raw_chunk(b"data: " + json.dumps(obj).encode() + b"\n\n")

    def _start_sse(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    # ---- routes -------------------------------------------------------------------------

    def _new_record(self, method: str, body: dict[str, Any] | None) -> Request:
        return Request(method, self.path, body, authorization=self.headers.get("Authorization"))

    def _read_body(self) -> dict[str, Any] | None:
        return super()._read_body() or {}

    def _bad_json(self, exc: json.JSONDecodeError) -> Any:
        return {"error": {"message": f"bad JSON: {exc}", "type": "BadRequestError", "code": 400}}

    def _get(self, rec: Request) -> None:
        path, fake = self.path.split("?")[0], self.fake
        if path == "/health":
            return self._ok({"status": "ok"}, rec)
        if not self._authorized(rec):
            return None
        models = fake.models
        if path == f"{fake.prefix}/models":
            data = [model_entry(name, vision, fake.flavor) for name, vision in models.items()]
            return self._ok({"object": "list", "data": data}, rec)
        if path == "/version" and fake.flavor == "vllm":
            return self._ok({"version": "0.9.2"}, rec)
        if path == "/props" and fake.flavor == "llama.cpp":
            first = next(iter(models.items()), ("", False))
            props = {"model_path": f"/models/{first[0]}.gguf", "build_info": "b5902-fake",
                     "modalities": {"vision": first[1], "audio": False}}  # fmt: skip
            return self._ok(props, rec)
        if path == "/api/v0/models" and fake.flavor == "lmstudio":
            data = [{"id": n, "object": "model", "type": "vlm" if v else "llm", "arch": "qwen2_vl",
                     "compatibility_type": "gguf", "state": "loaded"} for n, v in models.items()]  # fmt: skip
            return self._ok({"object": "list", "data": data}, rec)
        return self._not_found(rec)

    def _post(self, rec: Request, body: dict[str, Any]) -> None:
        if not self._authorized(rec):
            return
        if self.path.split("?")[0] == f"{self.fake.prefix}/chat/completions":
            self._chat(rec, body)
        else:
            self._not_found(rec)

    # ---- chat ---------------------------------------------------------------------------

    def _chat(self, rec: Request, body: dict[str, Any]) -> None:
        fake, name = self.fake, str(body.get("model") or "")
        if name not in fake.models:
            return self._error(404, f"The model `{name}` does not exist.", "NotFoundError", rec)
        msgs = [flatten(m) for m in body.get("messages") or [] if isinstance(m, dict)]
        if any(m["images"] for m in msgs) and not fake.models[name]:
            said = _NO_VISION.get(fake.flavor, f"{name} is not a multimodal model")
            return self._error(400, said, "BadRequestError", rec)
        kind = (body.get("response_format") or {}).get("type")
        refused = (kind == "json_schema" and fake.schema_support != "json_schema") or (
            kind == "json_object" and fake.schema_support == "none"
        )
        if refused:
            return self._error(400, f"response_format type {kind} is not supported", "BadRequestError", rec)
        if body.get("max_tokens") == 1:  # a capability probe: no script step
            return self._reply(rec, body, "OK", msgs)
        step = fake.script_state.take(user_text(msgs))
        if step is None:
            n = fake.script_state.consumed + 1
            return self._error(500, f"fake openai: the script has no step left for chat request #{n}",
                               "InternalServerError", rec)  # fmt: skip
        rec.step = step
        return self._answer(rec, body, step, msgs)

    def _answer(self, rec: Request, body: dict[str, Any], step: dict[str, Any], msgs: list[Any]) -> None:
        first_ms = float(step.get("first_token_ms", self.fake.latency[0]))
        played = self._unhang(step)
        if played is None:
            return self._drop()
        step, kind = played, played["do"]
        if kind == "error" and not (step.get("mid_stream") and body.get("stream")):
            if not self._pause(first_ms):
                return self._drop()
            status = int(step.get("status", 500))
            message = str(step.get("message", "fake openai: scripted server error"))
            return self._error(
                status, message, "InternalServerError" if status >= 500 else "BadRequestError", rec
            )
        dialect = self.fake.dialect or dialect_for(str(body.get("model")))
        request_index = self.fake.script_state.consumed - 1
        text = step_text(step, msgs, dialect=dialect, request_index=request_index)
        rec.answer = text
        if not self._pause(first_ms):
            return self._drop()
        return self._reply(rec, body, text, msgs, step)

    def _usage(self, msgs: list[Any], pieces: int) -> dict[str, int]:
        text_tokens = sum(len(str(m.get("content") or "")) for m in msgs) // 4
        prompt = text_tokens + 1200 * sum(len(m["images"]) for m in msgs) + 1
        return {"prompt_tokens": prompt, "completion_tokens": pieces, "total_tokens": prompt + pieces}

    def _reply(
        self,
        rec: Request,
        body: dict[str, Any],
        text: str,
        msgs: list[Any],
        step: dict[str, Any] | None = None,
    ) -> None:
        step = step or {"do": "raw"}
        size = self.fake.chunk_chars
        pieces = [text[i : i + size] for i in range(0, len(text), size)] or [""]
        chunk_ms = float(step.get("per_chunk_ms", self.fake.latency[1]))
        base = {
            "id": f"chatcmpl-fake-{id(rec):x}",
            "created": int(time.time()),
            "model": str(body.get("model")),
        }
        if not body.get("stream"):
            if not self._pause(chunk_ms * len(pieces)):
                return self._drop()
            choice = {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
            reply = {
                **base,
                "object": "chat.completion",
                "choices": [choice],
                "usage": self._usage(msgs, len(pieces)),
            }
            return self._ok(reply, rec)
        self._start_sse()
        for n, piece in enumerate(pieces):
            delta = {"role": "assistant", "content": piece} if n == 0 else {"content": piece}
            self._event({**base, "object": "chat.completion.chunk",
                         "choices": [{"index": 0, "delta": delta, "finish_reason": None}]})  # fmt: skip
            if not self._pause(chunk_ms):
                return self._drop()
        if step["do"] == "cut":
            if step.get("mode") != "no_finish":
                return self._drop()
            return self._raw_chunk(b"")  # a clean end of the body, without finish_reason or [DONE]
        if step["do"] == "error":
            message = str(step.get("message", "fake openai: error mid-stream"))
            self._event({"error": {"message": message, "type": "InternalServerError", "code": 500}})
            return self._raw_chunk(b"")
        last: dict[str, Any] = {**base, "object": "chat.completion.chunk",
                                "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}  # fmt: skip
        if self.fake.usage:
            last["usage"] = self._usage(msgs, len(pieces))
        self._event(last)
        self._raw_chunk(b"data: [DONE]\n\n")
        return self._raw_chunk(b"")
