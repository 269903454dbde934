"""The repeat guard's notion of "the screen did not change", on real screenshots.

A focused text field's caret blinks, so two screenshots of an idle screen differ; the
guard must still call them alike, or it could never notice a model clicking a dead spot
next to a text field.  One typed character must count as a change.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from deskhand.core.geometry import Rect
from deskhand.core.repeat_guard import screens_alike
from deskhand.vision.capture import MssScreen
from deskhand.vision.dialects import dialect_for
from tests.desktop.conftest import wait_until, xdotool

pytestmark = pytest.mark.desktop

APP = Path(__file__).parent / "apps" / "risky_window.py"


def test_a_blinking_caret_is_no_change_but_a_typed_letter_is(tmp_path: Path) -> None:
    log = tmp_path / "ready.jsonl"
    log.touch()
    proc = subprocess.Popen([sys.executable, str(APP), str(log)], stderr=subprocess.DEVNULL)
    try:
        line = wait_until(lambda: log.read_text().strip(), 15, "the window")
        x, y = json.loads(line.splitlines()[0])["centres"]["name"]
        screen = MssScreen(Rect(0, 0, 1920, 1080), dialect_for("qwen2.5vl:7b", None).grid)
        unfocused = screen.observe().fingerprint
        xdotool("mousemove", str(x), str(y), "click", "1")
        wait_until(lambda: screen.observe().fingerprint != unfocused, 10, "the field to show its focus")
        shots = []
        for _ in range(14):  # ~1.5 s: the caret goes on and off at least once
            shots.append(screen.observe().fingerprint)
            time.sleep(0.11)  # stays: the samples must span the caret's blink period
        assert len(set(shots)) > 1, "the caret should blink (else this test proves nothing)"
        assert all(screens_alike(shots[0], shot) for shot in shots)
        xdotool("type", "a")
        wait_until(lambda: screen.observe().fingerprint not in shots, 10, "the letter to be drawn")
        typed = screen.observe().fingerprint
        assert not any(screens_alike(shot, typed) for shot in shots)  # whatever the caret's phase
    finally:
        proc.terminate()
        proc.wait(5)
