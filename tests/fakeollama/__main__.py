"""Run the fake Ollama as a process, for end-to-end tests of the CLI.

    python -m tests.fakeollama --port 0 --script steps.json [--model qwen2.5vl:7b]
        [--model llama3.2:3b=novision] [--dialect json] [--first-token-ms 0]
        [--per-chunk-ms 0] [--record requests.jsonl]

The script file is a JSON list of steps, or an object
``{"steps": [...], "models": {"name": true}, "dialect": "...",
"latency": {"first_token_ms": 0, "per_chunk_ms": 0}}``; flags win over the file.
Once listening it prints ``FAKE_OLLAMA_URL=http://127.0.0.1:PORT`` and serves until
SIGTERM or SIGINT.  ``--record`` appends one JSON line per answered request (no image data).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from tests.fakeserver.cli import parser, read_script, recorder, run, serve

from .server import DEFAULT_MODELS, FakeOllama
from .state import ModelSpec


def _parse(argv: list[str] | None) -> argparse.Namespace:
    p = parser("fakeollama", __doc__)
    p.add_argument("--dialect", help="answer in this dialect whatever the model name")
    p.add_argument("--first-token-ms", type=float)
    p.add_argument("--per-chunk-ms", type=float)
    return p.parse_args(argv)


def _models(flags: list[str], from_file: Any) -> dict[str, bool | ModelSpec]:
    if flags:
        out: dict[str, bool | ModelSpec] = {}
        for flag in flags:
            name, _, kind = flag.partition("=")
            out[name] = kind != "novision"
        return out
    if isinstance(from_file, dict):
        return {str(k): bool(v) for k, v in from_file.items()}
    return dict(DEFAULT_MODELS)


def _pick(flag: float | None, from_file: Any) -> float:
    if flag is not None:
        return flag
    return float(from_file or 0)


def _serve(args: argparse.Namespace) -> None:
    config: dict[str, Any] = {}
    if args.script is not None:
        loaded = read_script(args.script)
        config = {"steps": loaded} if isinstance(loaded, list) else dict(loaded)
    latency = dict(config.get("latency") or {})
    fake = FakeOllama(
        _models(args.model, config.get("models")),
        dialect=args.dialect or config.get("dialect"),
        port=args.port,
        first_token_ms=_pick(args.first_token_ms, latency.get("first_token_ms")),
        per_chunk_ms=_pick(args.per_chunk_ms, latency.get("per_chunk_ms")),
        on_done=recorder(args.record),
    )
    serve(fake, config.get("steps") or [], "FAKE_OLLAMA_URL")


def main(argv: list[str] | None = None) -> int:
    return run("fakeollama", lambda: _serve(_parse(argv)))


if __name__ == "__main__":
    sys.exit(main())
