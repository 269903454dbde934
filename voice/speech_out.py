"""Short spoken replies ("Stopping.", "Allowed.") through the platform's own voice.

Off unless the user turns it on.  ``say`` never blocks and never raises: feedback is a
nicety, and a missing synthesizer must not disturb a task.  A new reply interrupts the
one still speaking, so a quick "yes" then "stop" is not heard as a queue of old news.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
import threading
from typing import Protocol

__all__ = ["PlatformSpeaker", "SilentSpeaker", "Speaker", "speaker_command"]

log = logging.getLogger(__name__)


class Speaker(Protocol):
    def say(self, text: str) -> None: ...

    def close(self) -> None: ...


class SilentSpeaker:
    def say(self, text: str) -> None:
        return None

    def close(self) -> None:
        return None


def speaker_command(text: str, platform: str = sys.platform) -> list[str] | None:
    """The argv that speaks ``text`` here, or None if this system has no synthesizer we know."""
    if platform == "darwin":
        return ["say", text] if shutil.which("say") else None
    if platform == "win32":
        script = (
            "Add-Type -AssemblyName System.Speech; "
            "(New-Object System.Speech.Synthesis.SpeechSynthesizer).Speak($args[0])"
        )
        return ["powershell", "-NoProfile", "-Command", script, text] if shutil.which("powershell") else None
    for program in ("espeak-ng", "espeak", "spd-say"):
        path = shutil.which(program)
        if path:
            return [path, text] if program == "spd-say" else [path, "-s", "170", text]
    return None


class PlatformSpeaker:
    """Speaks through espeak-ng / espeak / spd-say, macOS ``say`` or Windows SAPI."""

    def __init__(self, platform: str = sys.platform) -> None:
        self.platform = platform
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        return speaker_command("x", self.platform) is not None

    def say(self, text: str) -> None:
        argv = speaker_command(text, self.platform)
        if argv is None:
            log.info("no speech synthesizer found; not saying %r", text)
            return
        with self._lock:
            self._stop_current()
            try:
                self._proc = subprocess.Popen(  # noqa: S603 - fixed program, text as one argument
                    argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
                )
            except OSError as exc:
                log.info("could not speak %r: %s", text, exc)

    def _stop_current(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(1)
            except subprocess.TimeoutExpired:
                proc.kill()

    def close(self) -> None:
        with self._lock:
            self._stop_current()
