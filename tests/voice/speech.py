"""Real speech for the voice tests: espeak-ng speaks, sox makes it 16 kHz mono and pads it.

Files are made at test time (nothing recorded is checked in) and cached per session, so a
phrase spoken twice costs one synthesis.  ``noise`` mixes in white noise at the given
amplitude (0..1 of full scale) over the whole file, padding included, as a room would.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

VOICES = ("en-us", "en-gb", "en-gb-scotland", "en-us+f3")
SPEEDS = (140, 185)


def have_tools() -> bool:
    return bool(shutil.which("espeak-ng") and shutil.which("sox"))


needs_tools = pytest.mark.skipif(not have_tools(), reason="needs espeak-ng and sox (make system-deps)")


@dataclass(frozen=True)
class Spoken:
    path: Path
    speech_start_s: float  # where the voice starts in the file (measured, not nominal)
    speech_end_s: float  # where it ends


def _voiced_span(path: Path) -> tuple[float, float]:
    """First and last sample above 2 % of full scale: espeak-ng pads its own output a little."""
    with wave.open(str(path)) as w:
        rate = w.getframerate()
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > 0.02 * 32768)
    if loud.size == 0:
        return 0.0, 0.0
    return float(loud[0]) / rate, float(loud[-1]) / rate


def _duration(path: Path) -> float:
    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate()


class Speech:
    """Makes (and caches) WAV files of spoken text under ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def say(
        self,
        text: str,
        *,
        voice: str = "en-us",
        speed: int = 160,
        lead_s: float = 0.5,
        tail_s: float = 1.0,
        noise: float = 0.0,
    ) -> Spoken:
        slug = re.sub(r"[^a-z0-9]+", "_", f"{text}-{voice}-{speed}-{lead_s}-{tail_s}-{noise}".lower())
        raw, out = self.folder / f"{slug}.raw.wav", self.folder / f"{slug}.wav"
        if not raw.exists():
            subprocess.run(
                ["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(raw), text], check=True, timeout=30
            )
        start, end = _voiced_span(raw)
        if not out.exists():
            pad = [str(raw), "-r", "16000", "-c", "1", "-b", "16"]
            if noise:
                padded = self.folder / f"{slug}.pad.wav"
                subprocess.run(
                    ["sox", "-V1", *pad, str(padded), "pad", str(lead_s), str(tail_s)], check=True, timeout=30
                )
                hiss = (
                    f"|sox -V1 -n -r 16000 -c 1 -b 16 -p synth {_duration(padded):.3f} whitenoise vol {noise}"
                )
                subprocess.run(
                    ["sox", "-V1", "-m", "-v", "1", str(padded), "-v", "1", hiss, str(out)],
                    check=True,
                    timeout=30,
                )
            else:
                subprocess.run(
                    ["sox", "-V1", *pad, str(out), "pad", str(lead_s), str(tail_s)], check=True, timeout=30
                )
        return Spoken(out, lead_s + start, lead_s + end)

    def silence(self, seconds: float) -> Path:
        out = self.folder / f"silence-{seconds}.wav"
        if not out.exists():
            subprocess.run(
                [
                    "sox",
                    "-V1",
                    "-n",
                    "-r",
                    "16000",
                    "-c",
                    "1",
                    "-b",
                    "16",
                    str(out),
                    "trim",
                    "0",
                    str(seconds),
                ],
                check=True,
                timeout=30,
            )
        return out
