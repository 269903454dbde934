"""Which recognizers to use, from the settings and what is on this machine (no Qt).

Shared by ``deskhand listen`` and the tray app, so both make the same choice: Whisper for
free speech once its model is on disk (and faster-whisper is installed), pocketsphinx's
language model until then, and pocketsphinx's command grammar for yes/no/stop always.
The model lives in the platform cache dir, where deleting it is always safe.
"""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import platformdirs

from deskhand.app.store.config import APP_NAME, Settings
from deskhand.voice.recognizer import Recognizer
from deskhand.voice.sphinx import PocketSphinxRecognizer
from deskhand.voice.whisper import FasterWhisperRecognizer
from deskhand.voice.whisper_choice import Hardware, WhisperChoice, choose_whisper
from deskhand.voice.whisper_download import WhisperModelStore

__all__ = ["FreeSpeech", "command_recognizer", "free_recognizer", "whisper_choice", "whisper_store"]

log = logging.getLogger(__name__)


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP_NAME))


def whisper_store() -> WhisperModelStore:
    return WhisperModelStore(cache_dir() / "whisper")


@cache
def _hardware() -> Hardware:
    from deskhand.app.platform.hardware import detect_accelerator

    accelerator = detect_accelerator()
    cuda_gb = accelerator.gigabytes if accelerator.kind == "nvidia" else 0.0
    return Hardware.detect(cuda_gb)


def whisper_choice(settings: Settings) -> WhisperChoice:
    return choose_whisper(_hardware(), settings.whisper_model_size, settings.whisper_device)


def whisper_installed() -> bool:
    return importlib.util.find_spec("faster_whisper") is not None


def command_recognizer() -> PocketSphinxRecognizer:
    return PocketSphinxRecognizer("commands", cache_dir=str(cache_dir()))


@dataclass(frozen=True, slots=True)
class FreeSpeech:
    """The free-speech recognizer to use now, and what the user should know about it."""

    recognizer: Recognizer
    note: str  # "" when it is what the settings asked for
    download: WhisperChoice | None  # a Whisper model to fetch (first use), else None


def free_recognizer(settings: Settings, store: WhisperModelStore | None = None) -> FreeSpeech:
    fallback = PocketSphinxRecognizer("free", cache_dir=str(cache_dir()))
    if settings.recognizer == "pocketsphinx":
        return FreeSpeech(fallback, "", None)
    if not whisper_installed():
        return FreeSpeech(
            fallback,
            "faster-whisper is not installed (`pip install faster-whisper`), so speech is "
            "recognized by pocketsphinx (English only).",
            None,
        )
    store = store or whisper_store()
    choice = whisper_choice(settings)
    if not store.is_present(choice.size):
        return FreeSpeech(
            fallback,
            f"The Whisper model '{choice.size}' is not downloaded yet, so this was recognized by "
            "pocketsphinx (English only).",
            choice,
        )
    recognizer = FasterWhisperRecognizer(
        store.folder(choice.size), device=choice.device, compute_type=choice.compute_type
    )
    return FreeSpeech(recognizer, "", None)
