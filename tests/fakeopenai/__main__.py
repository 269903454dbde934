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
import sys

from tests.fakeserver.cli import parser, read_script, recorder, run, serve

from .record import FLAVORS
from .server import DEFAULT_MODELS, FakeOpenAI


def _parse(argv: list[str] | None) -> argparse.Namespace:
    p = parser("fakeopenai", __doc__)
    p.add_argument("--flavor", choices=FLAVORS, default="vllm")
    p.add_argument("--api-key", help="require this bearer key")
    p.add_argument("--echo-bad-key", action="store_true", help="repeat a refused key in the error")
    p.add_argument("--schema-support", choices=["json_schema", "json_object", "none"], default="json_schema")
    return p.parse_args(argv)


def _serve(args: argparse.Namespace) -> None:
    steps = [] if args.script is None else read_script(args.script)
    models = {n: k != "novision" for n, _, k in (m.partition("=") for m in args.model)} or DEFAULT_MODELS
    fake = FakeOpenAI(
        models,
        flavor=args.flavor,
        api_key=args.api_key,
        echo_bad_key=args.echo_bad_key,
        schema_support=args.schema_support,
        port=args.port,
        on_done=recorder(args.record),
    )
    serve(fake, steps, "FAKE_OPENAI_URL")


def main(argv: list[str] | None = None) -> int:
    return run("fakeopenai", lambda: _serve(_parse(argv)))


if __name__ == "__main__":
    sys.exit(main())
