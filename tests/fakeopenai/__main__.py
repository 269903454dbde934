"""Run the fake OpenAI-compatible server as a process, for end-to-end tests of the CLI.

    python -m tests.fakeopenai --port 0 --script steps.json [--model NAME] [--model NAME=novision]
        [--flavor vllm|llama.cpp|lmstudio|sglang|plain] [--api-key KEY] [--echo-bad-key]
        [--schema-support json_schema|json_object|none] [--record requests.jsonl]

The script file is a JSON list of steps (those of ``tests.fakeollama.script``).  Once
listening it prints ``FAKE_OPENAI_URL=http://127.0.0.1:PORT/v1`` and serves until SIGTERM or
SIGINT.  ``--record`` appends one JSON line per answered request (no images, no key).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from tests.fakeollama.script import ScriptError

from .record import FLAVORS, Request
from .server import DEFAULT_MODELS, FakeOpenAI


def _parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m tests.fakeopenai", description=__doc__)
    p.add_argument("--port", type=int, default=0, help="0 picks a free port")
    p.add_argument("--script", type=Path, help="JSON file with the steps")
    p.add_argument("--model", action="append", default=[], help="NAME or NAME=novision (repeatable)")
    p.add_argument("--flavor", choices=FLAVORS, default="vllm")
    p.add_argument("--api-key", help="require this bearer key")
    p.add_argument("--echo-bad-key", action="store_true", help="repeat a refused key in the error")
    p.add_argument("--schema-support", choices=["json_schema", "json_object", "none"], default="json_schema")
    p.add_argument("--record", type=Path, help="append a JSON line per request here")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    steps = []
    if args.script is not None:
        try:
            steps = json.loads(args.script.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            print(f"fakeopenai: error: cannot read the script {args.script}: {exc}", file=sys.stderr)
            return 2
    models = {n: k != "novision" for n, _, k in (m.partition("=") for m in args.model)} or DEFAULT_MODELS
    lock = threading.Lock()

    def record(rec: Request) -> None:
        if args.record is not None:
            line = json.dumps(rec.summary(), ensure_ascii=False, default=str)
            with lock, args.record.open("a", encoding="utf-8") as out:
                out.write(line + "\n")

    fake = FakeOpenAI(
        models,
        flavor=args.flavor,
        api_key=args.api_key,
        echo_bad_key=args.echo_bad_key,
        schema_support=args.schema_support,
        port=args.port,
        on_done=record,
    )
    try:
        fake.script(steps)
    except ScriptError as exc:
        print(f"fakeopenai: error: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    with fake:
        print(f"FAKE_OPENAI_URL={fake.url}", flush=True)
        while not stop.wait(0.2):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
