"""The shared half of ``python -m tests.fakeollama`` and ``python -m tests.fakeopenai``.

    def main(argv=None) -> int:
        return run("fakeollama", lambda: _serve(_parse(argv)))

where ``_serve`` reads the script file (``read_script``), builds the fake with
``on_done=recorder(args.record)`` and hands it to ``serve``.  A ``Usage`` error anywhere
prints ``PROG: error: MESSAGE`` and exits with status 2.  Imported only by the ``__main__``
modules (it needs ``tests.fakeollama.script``, which imports this package's siblings).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import FrameType
from typing import Any

from tests.fakeollama.script import ScriptError

from .record import Recorded
from .server import FakeServer


class Usage(Exception):
    """The fake cannot start as asked (unreadable script, bad step)."""


def parser(prog: str, description: str | None) -> argparse.ArgumentParser:
    """The flags every fake takes: --port, --script, --model and --record."""
    p = argparse.ArgumentParser(prog=f"python -m tests.{prog}", description=description)
    p.add_argument("--port", type=int, default=0, help="0 picks a free port")
    p.add_argument("--script", type=Path, help="JSON file with the steps")
    p.add_argument("--model", action="append", default=[], help="NAME or NAME=novision (repeatable)")
    p.add_argument("--record", type=Path, help="append a JSON line per request here")
    return p


def read_script(path: Path) -> Any:
    """The JSON in the script file."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise Usage(f"cannot read the script {path}: {exc}") from exc


def recorder(path: Path | None) -> Callable[[Recorded], None]:
    """An ``on_done`` that appends each request's ``summary()`` to ``path`` as a JSON line."""
    lock = threading.Lock()

    def record(rec: Recorded) -> None:
        if path is None:
            return
        line = json.dumps(rec.summary(), ensure_ascii=False, default=str)
        with lock, path.open("a", encoding="utf-8") as out:
            out.write(line + "\n")

    return record


def serve(fake: FakeServer[Any], steps: Iterable[Mapping[str, Any]], url_variable: str) -> None:
    """Script ``fake``, start it, print ``URL_VARIABLE=url`` and serve until SIGTERM or SIGINT."""
    try:
        fake.script(steps)
    except ScriptError as exc:
        raise Usage(str(exc)) from exc
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    with fake:
        print(f"{url_variable}={fake.url}", flush=True)
        while not stop.wait(0.2):
            pass


def run(prog: str, body: Callable[[], None]) -> int:
    """Call ``body``; a ``Usage`` error is printed as ``PROG: error: ...`` (exit status 2)."""
    try:
        body()
    except Usage as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    return 0
