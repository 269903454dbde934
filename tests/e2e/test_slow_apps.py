"""A slow app through `deskhand do`: after Enter in a "Save As" dialog that saves and closes
0.5 s later (as Mousepad's does), the next screenshot already shows it closed -- so the
model need not press Enter again (which submits twice elsewhere) and the repeat guard has
nothing to refuse."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys

import pytest
from PIL import Image, ImageChops

from tests.e2e.xsession import XSession, do_traced, read_events, steps_of, wait_for
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
    do_traced(
        screen_1080, trace, "save the notes as notes.txt", "--model", "qwen2.5vl:7b", "--host", ollama.url
    )
    steps = steps_of(trace)
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


def changed_fraction(a: bytes, b: bytes) -> float:
    """How much of the screen differs between two screenshots (0..1, on a coarse grid)."""
    small = [Image.open(io.BytesIO(j)).convert("L").resize((96, 54), Image.Resampling.BOX) for j in (a, b)]
    cells = ImageChops.difference(*small).point(lambda v: 255 * (v > 12)).histogram()[255]
    return cells / (96 * 54)


@pytest.mark.slow  # a real GTK app on a shared CI box: its dialog may take longer than settle_cap
@pytest.mark.skipif(shutil.which("mousepad") is None, reason="needs mousepad")
def test_mousepad_save_as_is_waited_for(screen_1080: XSession, ollama: FakeOllama) -> None:
    """The real thing: Mousepad closes its Save As dialog ~0.6 s after Enter, here too."""
    folder = screen_1080.tmp / "documents"
    folder.mkdir()
    screen_1080.close_apps()
    app = subprocess.Popen(["mousepad"], cwd=folder, env=screen_1080.env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)  # fmt: skip
    screen_1080.apps.append(app)
    wait_for(lambda: "Mousepad" in active_window(screen_1080), 20, "mousepad")
    trace = screen_1080.tmp / "trace-mousepad"
    ollama.script([
        {"do": "type", "text": "Dear diary"},
        {"do": "hotkey", "keys": ["ctrl", "shift", "s"]},
        {"do": "type", "text": "diary.txt"},
        {"do": "hotkey", "keys": ["enter"]},
        {"do": "finish", "summary": "saved as diary.txt"},
    ])  # fmt: skip
    do_traced(screen_1080, trace, "write a diary entry and save it as diary.txt", "--model", "qwen2.5vl:7b",
              "--host", ollama.url)  # fmt: skip
    steps = steps_of(trace)
    assert all(s["outcome"] == "executed" for s in steps[:4]), steps
    shots = [(trace / str(s["screenshot"])).read_bytes() for s in steps]
    settles = [s["timings_ms"]["settle"] for s in steps]
    assert changed_fraction(shots[3], shots[4]) > 0.1, f"the step after Enter still saw the dialog: {settles}"
    assert steps[3]["timings_ms"]["settle"] >= 300
    wait_for(lambda: (folder / "diary.txt").exists(), 5, "the saved file")
    assert (folder / "diary.txt").read_text().strip() == "Dear diary"


def active_window(session: XSession) -> str:
    return session.run(["xdotool", "getactivewindow", "getwindowname"]).stdout.decode(errors="replace")
