"""The benchmark's desktop: a private Xvfb + openbox with the Qt test form, and the fake model.

The display is exported into this process's environment before mss, python-xlib or
pyautogui are imported, so the loop captures and types on it exactly as on a user's desktop.
Target points are found by OCR once, before anything is timed (the fake's own OCR costs
real CPU, so the benchmark scripts answer with explicit points instead).  Like a desktop
session, it runs an accessibility bus, so the risk policy's target lookups take the
accessibility tree's fast path (a few ms) where a real desktop would.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.a11y import NoAccessibilityBus, accessibility_bus
from tests.e2e.xsession import ROOT, XSession

TARGETS = ("Apply", "Cancel", "Name", "Row 3")


@dataclass
class Desktop:
    session: XSession
    form_log: Path
    targets: dict[str, tuple[float, float]]  # screen pixels
    resources: ExitStack = field(default_factory=ExitStack)

    def close(self) -> None:
        self.session.close()
        self.resources.close()


def start_desktop(width: int = 1920, height: int = 1080) -> Desktop:
    resources = ExitStack()
    try:
        bus = resources.enter_context(accessibility_bus())
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = bus.session
    except NoAccessibilityBus as exc:
        sys.stderr.write(f"bench: no accessibility bus ({exc}); target lookups will use OCR\n")
    session = XSession(width, height)
    session.start()
    os.environ["DISPLAY"] = session.env["DISPLAY"]
    os.environ["XAUTHORITY"] = session.env["XAUTHORITY"]
    log = session.start_form(place="center", buttons="Apply,Cancel", long_list=True)
    targets = _locate(width, height)
    return Desktop(session, log, targets, resources)


def _locate(width: int, height: int) -> dict[str, tuple[float, float]]:
    import mss
    from PIL import Image

    from tests.fakeollama.oracle import locate

    with mss.MSS() as sct:
        shot = sct.grab({"left": 0, "top": 0, "width": width, "height": height})
    image = Image.frombuffer("RGB", (shot.width, shot.height), shot.raw, "raw", "BGRX", 0, 1)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    found: dict[str, tuple[float, float]] = {}
    for name in TARGETS:
        box = locate(buffer.getvalue(), name)
        if box is None:
            raise RuntimeError(f"bench: could not find {name!r} on the test form by OCR")
        found[name] = box.centre
    return found


class FakeServer:
    """``python -m tests.fakeollama`` as its own process (as Ollama is), with one script."""

    def __init__(
        self, steps: list[dict[str, Any]], *, model: str, first_token_ms: float, per_chunk_ms: float
    ) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="deskhand-bench-"))
        script = self.dir / "script.json"
        script.write_text(json.dumps(steps), encoding="utf-8")
        argv = [sys.executable, "-m", "bench.fake_server", "--port", "0", "--script", str(script),
                "--model", model, "--first-token-ms", str(first_token_ms),
                "--per-chunk-ms", str(per_chunk_ms)]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if not line.startswith("FAKE_OLLAMA_URL="):
            self.close()
            raise RuntimeError(f"bench: the fake Ollama server did not start ({line!r})")
        self.url = line.partition("=")[2]

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self) -> FakeServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def settle_desktop(seconds: float = 0.3) -> None:
    """Let the form finish repainting between runs, so runs start from a still screen."""
    time.sleep(seconds)
