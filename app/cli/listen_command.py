"""``deskhand listen [--file WAV] [--grammar commands]``: speech in, text out.

The same pipeline the app uses -- source, VAD, recognizer -- so this is also the way to
check a microphone or a recognizer from a terminal.  Only the recognized text goes to
stdout (one line per utterance; with ``--grammar commands`` just the command word), so
scripts can read it; notes and the download's progress bar go to stderr.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from deskhand.app.store.config import load_settings
from deskhand.app.tray.voice_setup import command_recognizer, free_recognizer, whisper_store
from deskhand.core.errors import DeskhandError, Stopped
from deskhand.voice.audio import AudioSource, FileSource
from deskhand.voice.errors import AudioUnavailable, DownloadCancelled, ModelDownloadFailed
from deskhand.voice.listening import COMMAND_VAD, TalkFilter
from deskhand.voice.microphone import SoundDeviceSource, microphone_status
from deskhand.voice.recognizer import Recognizer, find_command
from deskhand.voice.vad import VadConfig, listen, utterances
from deskhand.voice.whisper import FasterWhisperRecognizer
from deskhand.voice.whisper_choice import WhisperChoice

EXIT_OK, EXIT_NOTHING = 0, 1
MIC_VAD = VadConfig(no_speech_timeout_s=10.0)


class _Bar:
    """A one-line download bar on stderr."""

    def __init__(self) -> None:
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.1 and done < total:
            return
        self.last = now
        filled = int(30 * done / total) if total else 30
        sys.stderr.write(f"\r[{'#' * filled}{'-' * (30 - filled)}] {done / 1e6:7.1f} / {total / 1e6:.1f} MB")
        sys.stderr.flush()


def _note(text: str) -> None:
    sys.stderr.write(f"deskhand: {text}\n")
    sys.stderr.flush()


def _download(choice: WhisperChoice) -> Recognizer:
    store = whisper_store()
    _note(
        f"downloading the Whisper model '{choice.size}' once, to {store.root} "
        "(Ctrl+C cancels; the next run resumes)."
    )
    try:
        folder = store.download(choice.size, progress=_Bar())
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        raise DownloadCancelled(
            f"Cancelled the download of the Whisper model '{choice.size}'. What arrived is kept; "
            "run the command again to resume."
        ) from None
    sys.stderr.write("\n")
    return FasterWhisperRecognizer(folder, device=choice.device, compute_type=choice.compute_type)


def _recognizer(commands: bool) -> Recognizer:
    if commands:
        return command_recognizer()
    speech = free_recognizer(load_settings())
    if speech.download is not None:
        try:
            return _download(speech.download)
        except ModelDownloadFailed as exc:
            _note(f"warning: {exc} Using pocketsphinx (English only) for now.")
            return speech.recognizer
    if speech.note:
        _note(speech.note)
    return speech.recognizer


def _source(path: str | None) -> AudioSource:
    if path:
        return FileSource(Path(path))
    status = microphone_status()
    if not status.available:
        raise AudioUnavailable(status.reason)
    return SoundDeviceSource()


def run_listen(args: argparse.Namespace) -> int:
    commands = args.grammar == "commands"
    source = _source(args.file)  # before any download: no microphone, no point fetching a model
    recognizer = _recognizer(commands)
    heard: list[str] = []
    try:
        if args.file:
            talk = TalkFilter()
            for utterance in utterances(source, COMMAND_VAD if commands else VadConfig()):
                if commands and talk.is_talk(utterance):
                    continue  # the app's listener ignores it too
                heard.append(recognizer.transcribe(utterance.pcm).text)
        else:
            _note("listening: speak, then pause (Ctrl+C stops).")
            utterance = listen(source, MIC_VAD)
            if utterance.has_speech:
                heard.append(recognizer.transcribe(utterance.pcm).text)
    except KeyboardInterrupt:
        raise Stopped("Stopped listening.") from None
    finally:
        source.close()
    lines = [t for t in heard if t]
    if commands:
        lines = [c.value for c in (find_command(t) for t in lines) if c is not None]
    if not lines:
        what = args.file or "the microphone"
        wanted = "command word (yes, no, allow, deny, stop, cancel)" if commands else "speech"
        raise _NothingHeard(f"Listened to {what}, but recognized no {wanted}.")
    sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_OK


class _NothingHeard(DeskhandError):
    """Nothing recognized: exit code 1 (the command ran but did not succeed)."""
