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
import json
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from .script import ScriptError
from .server import DEFAULT_MODELS, FakeOllama
from .state import ModelSpec, RecordedRequest


def _parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m tests.fakeollama", description=__doc__)
    p.add_argument("--port", type=int, default=0, help="0 picks a free port")
    p.add_argument("--script", type=Path, help="JSON file with the steps")
    p.add_argument("--model", action="append", default=[], help="NAME or NAME=novision (repeatable)")
    p.add_argument("--dialect", help="answer in this dialect whatever the model name")
    p.add_argument("--first-token-ms", type=float)
    p.add_argument("--per-chunk-ms", type=float)
    p.add_argument("--record", type=Path, help="append a JSON line per request here")
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


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    config: dict[str, Any] = {}
    if args.script is not None:
        try:
            loaded = json.loads(args.script.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            print(f"fakeollama: error: cannot read the script {args.script}: {exc}", file=sys.stderr)
            return 2
        config = {"steps": loaded} if isinstance(loaded, list) else dict(loaded)
    latency = dict(config.get("latency") or {})
    record_lock = threading.Lock()

    def record(rec: RecordedRequest) -> None:
        if args.record is None:
            return
        line = json.dumps(rec.summary(), ensure_ascii=False, default=str)
        with record_lock, args.record.open("a", encoding="utf-8") as out:
            out.write(line + "\n")

    fake = FakeOllama(
        _models(args.model, config.get("models")),
        dialect=args.dialect or config.get("dialect"),
        port=args.port,
        first_token_ms=_pick(args.first_token_ms, latency.get("first_token_ms")),
        per_chunk_ms=_pick(args.per_chunk_ms, latency.get("per_chunk_ms")),
        on_done=record,
    )
    try:
        fake.script(config.get("steps") or [])
    except ScriptError as exc:
        print(f"fakeollama: error: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    with fake:
        print(f"FAKE_OLLAMA_URL={fake.url}", flush=True)
        while not stop.wait(0.2):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
