"""A slow app through `deskhand do`: after Enter in a "Save As" dialog that saves and closes
0.5 s later (as Mousepad's does), the next screenshot already shows it closed -- so the
model need not press Enter again (which submits twice elsewhere) and the repeat guard has
nothing to refuse."""

from __future__ import annotations

import io
import json
import sys

import pytest
from PIL import Image, ImageChops

from tests.e2e.xsession import XSession, deskhand, read_events, wait_for
from tests.fakeollama import FakeOllama

pytestmark = pytest.mark.desktop


def dialog_pixels(jpeg: bytes) -> int:
    """Pixels of the Save As dialog's magenta (tests/e2e/apps/slow_save.py) in a screenshot."""
    r, g, b = Image.open(io.BytesIO(jpeg)).convert("RGB").split()
    mask = ImageChops.multiply(
        ImageChops.multiply(r.point(lambda v: 255 * (v > 170)), b.point(lambda v: 255 * (v > 170))),
        g.point(lambda v: 255 * (v < 80)),
    )
    return mask.histogram()[255]


def test_enter_in_a_slow_save_dialog_is_waited_for_and_not_repeated(
    screen_1080: XSession, ollama: FakeOllama
) -> None:
    log = screen_1080.tmp / "slow-save.jsonl"
    folder = screen_1080.tmp / "saved"
    folder.mkdir()
    screen_1080.start_app([sys.executable, "-m", "tests.e2e.apps.slow_save", "--log", str(log),
                           "--folder", str(folder), "--delay-ms", "500"])  # fmt: skip
    wait_for(lambda: log.exists() and "ready" in log.read_text(), 20, "the slow Save As dialog")
    trace = screen_1080.tmp / "trace-slow-save"
    ollama.script([
        {"do": "type", "text": "notes.txt"},
        {"do": "hotkey", "keys": ["enter"]},
        {"do": "finish", "summary": "saved as notes.txt"},
    ])  # fmt: skip
    r = deskhand(screen_1080, "do", "save the notes as notes.txt", "--model", "qwen2.5vl:7b",
                 "--host", ollama.url, "--trace", str(trace))  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    steps = [json.loads(line) for line in (trace / "steps.jsonl").read_text().splitlines()]
    assert [s["outcome"] for s in steps[:2]] == ["executed", "executed"], steps
    assert dialog_pixels((trace / str(steps[1]["screenshot"])).read_bytes()) > 10_000  # open at Enter
    after_enter = (trace / str(steps[2]["screenshot"])).read_bytes()
    assert dialog_pixels(after_enter) == 0, (
        f"the step after Enter still saw the dialog: {steps[1]['timings_ms']}"
    )
    assert steps[1]["timings_ms"]["settle"] >= 400
    events = [e["event"] for e in read_events(log)]
    assert events.count("enter") == 1 and events.count("saved") == 1 and "editor_enter" not in events
    assert (folder / "notes.txt").read_text() == "Some notes worth keeping."
