"""The two ways Deskhand listens, each on its own thread and free of Qt.

* ``PushToTalk``: one recording, from the key press until release or silence, then one
  transcription.  The app shows the level while it records and the text when it is done.
* ``CommandListener``: for as long as it runs (a task, an open confirmation), it cuts the
  stream into utterances and reports each command word heard.  Long utterances are not
  commands -- people talk near their computers -- and are dropped before recognition, so
  a sentence in the room cannot turn into a "yes".

Both take a source *factory*: each session opens the microphone afresh (and closes it
when done, so the system's recording indicator means what it says), and tests pass a
factory of ``FileSource``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace

from deskhand.core.errors import DeskhandError
from deskhand.voice.audio import AudioSource
from deskhand.voice.recognizer import Command, Recognizer, Transcript, find_command
from deskhand.voice.vad import EndReason, Utterance, VadConfig, listen, utterances

__all__ = ["COMMAND_VAD", "CommandListener", "Heard", "PushToTalk", "SourceFactory", "TalkFilter"]

log = logging.getLogger(__name__)

SourceFactory = Callable[[], AudioSource]
# Single words: a short silence ends them, and anything that runs into the length limit
# (preroll + about 1.7 s of speech + the closing silence) is talk, not a command.
COMMAND_VAD = VadConfig(end_silence_ms=450, max_speech_s=2.5, no_speech_timeout_s=None)
TALK_GAP_MS = 500  # speech resuming sooner than this after a cut is the same talk


@dataclass(frozen=True, slots=True)
class Heard:
    """What one push-to-talk session ended with; ``error`` set means it failed."""

    transcript: Transcript | None
    ended_by: EndReason
    error: str = ""

    @property
    def text(self) -> str:
        return self.transcript.text if self.transcript is not None else ""


class PushToTalk:
    """Record one utterance on a thread, transcribe it, hand the result to ``on_done``."""

    def __init__(
        self,
        source_factory: SourceFactory,
        recognizer: Recognizer,
        *,
        on_done: Callable[[Heard], None],
        on_level: Callable[[float], None] | None = None,
        config: VadConfig | None = None,
    ) -> None:
        self.source_factory = source_factory
        self.recognizer = recognizer
        self.on_done = on_done
        self.on_level = on_level
        self.config = config or VadConfig()
        self._released = threading.Event()
        self._cancelled = threading.Event()
        self._source: AudioSource | None = None
        self.thread = threading.Thread(target=self._run, name="deskhand-push-to-talk", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def release(self) -> None:
        """The key or button was let go: end the recording now and transcribe it."""
        self._released.set()

    def cancel(self) -> None:
        """Forget this recording (Escape, the bar closed); ``on_done`` reports CANCELLED."""
        self._cancelled.set()
        source = self._source
        if source is not None:
            source.close()

    def _warm_up(self) -> None:
        """Build the recognizer while the person talks: built lazily at the first
        transcription, it took 1.5 s more on a loaded machine, after the speech had ended.
        A failure here is left for ``transcribe`` to raise and report."""
        warm_up = getattr(self.recognizer, "warm_up", None)
        if warm_up is None:
            return
        try:
            warm_up()
        except Exception:  # the thread boundary: transcribe says what went wrong
            log.debug("recognizer warm-up failed", exc_info=True)

    def _run(self) -> None:
        threading.Thread(target=self._warm_up, name="deskhand-recognizer-warm-up", daemon=True).start()
        try:
            self._source = source = self.source_factory()
            try:
                utterance = listen(
                    source,
                    self.config,
                    on_level=self.on_level,
                    released=self._released.is_set,
                    cancelled=self._cancelled.is_set,
                )
            finally:
                source.close()
            heard = self._recognize(utterance)
        except DeskhandError as exc:
            heard = Heard(None, EndReason.CANCELLED, str(exc))
        except Exception as exc:  # the thread boundary: log the bug, tell the user
            log.exception("push-to-talk failed")
            heard = Heard(None, EndReason.CANCELLED, f"Voice input hit an internal error ({exc}).")
        self.on_done(heard)

    def _recognize(self, utterance: Utterance) -> Heard:
        if self._cancelled.is_set():
            return Heard(None, EndReason.CANCELLED)
        if not utterance.pcm or utterance.ended_by is EndReason.NO_SPEECH:
            return Heard(None, utterance.ended_by)
        return Heard(self.recognizer.transcribe(utterance.pcm), utterance.ended_by)


class TalkFilter:
    """Tells commands from talk in a stream of utterances (``COMMAND_VAD``'s).

    An utterance cut at the length limit is talk, and so is whatever follows it without a
    pause -- the rest of the same sentence, however short that rest is.
    """

    def __init__(self) -> None:
        self._cut_ms: float | None = None

    def is_talk(self, utterance: Utterance) -> bool:
        cut = self._cut_ms
        continues = cut is not None and (utterance.speech_start_ms or 0.0) - cut < TALK_GAP_MS
        self._cut_ms = utterance.end_ms if utterance.ended_by is EndReason.MAX_LENGTH else None
        return utterance.ended_by is EndReason.MAX_LENGTH or continues


class CommandListener:
    """Reports command words until ``stop``; errors (no microphone) go to ``on_error`` once."""

    def __init__(
        self,
        source_factory: SourceFactory,
        recognizer: Recognizer,
        *,
        on_command: Callable[[Command, Transcript], None],
        on_error: Callable[[str], None] | None = None,
        config: VadConfig = COMMAND_VAD,
    ) -> None:
        self.source_factory = source_factory
        self.recognizer = recognizer
        self.on_command = on_command
        self.on_error = on_error
        self.config = replace(config, no_speech_timeout_s=None)
        self._stopped = threading.Event()
        self._source: AudioSource | None = None
        self._lock = threading.Lock()
        self._talk = TalkFilter()
        self.thread = threading.Thread(target=self._run, name="deskhand-command-listener", daemon=True)

    @property
    def running(self) -> bool:
        return self.thread.is_alive() and not self._stopped.is_set()

    def start(self) -> None:
        self.thread.start()

    def stop(self, wait_s: float = 2.0) -> None:
        self._stopped.set()
        with self._lock:
            if self._source is not None:
                self._source.close()
        if self.thread.is_alive() and threading.current_thread() is not self.thread:
            self.thread.join(wait_s)

    def _run(self) -> None:
        try:
            source = self.source_factory()
            with self._lock:
                self._source = source
                if self._stopped.is_set():
                    source.close()
            try:
                for utterance in utterances(source, self.config):
                    if self._stopped.is_set():
                        break
                    self._consider(utterance)
            finally:
                source.close()
        except DeskhandError as exc:
            if self.on_error is not None and not self._stopped.is_set():
                self.on_error(str(exc))
        except Exception as exc:  # the thread boundary
            log.exception("the command listener failed")
            if self.on_error is not None:
                self.on_error(f"Listening for commands hit an internal error ({exc}).")

    def _consider(self, utterance: Utterance) -> None:
        if self._talk.is_talk(utterance):
            log.debug("ignored %.1f s of speech: talk, not a command", utterance.duration_s)
            return
        transcript = self.recognizer.transcribe(utterance.pcm)
        command = find_command(transcript.text)
        log.info("heard %r -> %s", transcript.text, command)
        if command is not None and not self._stopped.is_set():
            self.on_command(command, transcript)
