"""faster-whisper as a ``Recognizer``: multilingual free speech, from a downloaded model folder.

The model object is behind a two-method seam (``WhisperBackend``, what we use of
``faster_whisper.WhisperModel``) and built by an injectable ``load`` function, so tests can
run the real recognizer code with a fake model where no weights can be fetched.  Loading
is lazy (seconds for the larger sizes) and happens once; a GPU that fails to load falls
back to the CPU with a warning rather than leaving the user without voice.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from deskhand.voice.errors import RecognizerUnavailable
from deskhand.voice.recognizer import Transcript

__all__ = ["FasterWhisperRecognizer", "WhisperBackend", "load_faster_whisper"]

log = logging.getLogger(__name__)


class WhisperBackend(Protocol):
    """The part of ``faster_whisper.WhisperModel`` we call."""

    def transcribe(self, audio: Any, **options: Any) -> tuple[Iterable[Any], Any]: ...


LoadModel = Callable[[Path, str, str], WhisperBackend]


def load_faster_whisper(folder: Path, device: str, compute_type: str) -> WhisperBackend:
    try:
        from faster_whisper import WhisperModel
    except ImportError as exc:
        raise RecognizerUnavailable(
            "Tried to start the Whisper recognizer, but faster-whisper is not installed. Install it "
            'with `pip install faster-whisper`, or set recognizer = "pocketsphinx" in the settings.'
        ) from exc
    try:
        model: WhisperBackend = WhisperModel(str(folder), device=device, compute_type=compute_type)
        return model
    except (RuntimeError, ValueError, OSError) as exc:
        if device != "cpu":
            log.warning("Whisper could not load on %s (%s); using the CPU", device, exc)
            return load_faster_whisper(folder, "cpu", "int8")
        raise RecognizerUnavailable(
            f"Tried to load the Whisper model in {folder}, but it failed ({exc}). "
            "Delete that folder and Deskhand downloads the model again on next use."
        ) from exc


class FasterWhisperRecognizer:
    name = "faster-whisper"

    def __init__(
        self,
        folder: Path,
        *,
        device: str = "cpu",
        compute_type: str = "int8",
        language: str | None = None,
        load: LoadModel = load_faster_whisper,
    ) -> None:
        self.folder = folder
        self.device = device
        self.compute_type = compute_type
        self.language = language  # None: Whisper detects it
        self._load = load
        self._model: WhisperBackend | None = None
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        with self._lock:
            if self._model is None:
                self._model = self._load(self.folder, self.device, self.compute_type)

    def transcribe(self, pcm: bytes) -> Transcript:
        started = time.perf_counter()
        audio = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
        with self._lock:
            if self._model is None:
                self._model = self._load(self.folder, self.device, self.compute_type)
            # Greedy decoding and no conditioning on earlier text: commands are short and
            # independent, and this is the difference between 0.3 s and 1 s on a CPU.
            segments, info = self._model.transcribe(
                audio, language=self.language, beam_size=1, condition_on_previous_text=False
            )
            text = " ".join(str(s.text).strip() for s in segments).strip()
        language = getattr(info, "language", None)
        return Transcript(text, self.name, (time.perf_counter() - started) * 1000, language)
