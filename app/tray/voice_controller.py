"""Voice in the tray app: push-to-talk into the command bar, spoken yes/no/stop.

It is wired to the app's existing doors (``voice_intents.VoiceIntents``) and adds none of
its own: a spoken task goes into the command bar (and runs from there, like a typed one),
"stop" calls ``stop`` (like the tray, the hotkey and the stop bar), and "yes"/"no" press
a button of the open ``ConfirmDialog`` -- "yes" means *Allow once*, never *Allow for this task*.  Blocked
actions never open a dialog, so no word can let one run.

Listening beyond push-to-talk is opt-in (settings ``listen_for_stop``,
``listen_for_confirmation``) and only while it can matter: during a task, or while a
confirmation is open.  Without a microphone every voice feature reports itself
unavailable and the rest of the app is untouched.  Worker threads talk to this object
only through its signals, so every handler below runs on the GUI thread.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QLabel

from deskhand.app.store.config import Settings
from deskhand.app.tray.voice_download import ModelDownload
from deskhand.app.tray.voice_hotkey import PushToTalkKey
from deskhand.app.tray.voice_intents import VoiceIntents
from deskhand.app.tray.voice_setup import FreeSpeech, command_recognizer, free_recognizer, whisper_store
from deskhand.app.windows.confirm_dialog import ConfirmDialog
from deskhand.core.approval import UserAnswer
from deskhand.core.errors import DeskhandError
from deskhand.voice.listening import CommandListener, Heard, PushToTalk, SourceFactory
from deskhand.voice.microphone import SoundDeviceSource, microphone_status
from deskhand.voice.recognizer import Command, Transcript
from deskhand.voice.speech_out import PlatformSpeaker, SilentSpeaker, Speaker
from deskhand.voice.sphinx import PocketSphinxRecognizer

__all__ = ["VoiceController"]

log = logging.getLogger(__name__)

HOLD_S = 0.35  # a press shorter than this is a tap: listen until the speaker pauses


class VoiceController(QObject):
    level = Signal(float)
    heard = Signal(object)  # Heard, from the push-to-talk thread
    command = Signal(object, object)  # Command, Transcript, from the listener thread
    problem = Signal(str)

    def __init__(self, app: VoiceIntents, *, source_factory: SourceFactory | None = None) -> None:
        super().__init__()
        self.app = app  # the app's doors, as voice may use them (``voice_intents``)
        self.source_factory: SourceFactory = source_factory or SoundDeviceSource
        if source_factory is None:
            status = microphone_status()
            self.available, self.unavailable_reason = status.available, status.reason
        else:
            self.available, self.unavailable_reason = True, ""
        self.key = PushToTalkKey()
        self.speaker: Speaker = SilentSpeaker()
        self._free: FreeSpeech | None = None
        self._commands: PocketSphinxRecognizer | None = None
        self._ptt: PushToTalk | None = None
        self._listener: CommandListener | None = None
        self._dialog: ConfirmDialog | None = None
        self.download: ModelDownload | None = None
        self._download_failed = False

        bar = app.command_bar
        bar.set_voice_available(self.available, self.unavailable_reason)
        bar.mic_pressed.connect(self.press)
        bar.mic_released.connect(self.release)
        bar.closed.connect(self._bar_closed)
        self.key.pressed.connect(self.press)
        self.key.released.connect(self.release)
        self.level.connect(bar.set_level)
        self.heard.connect(self._on_heard)
        self.command.connect(self._on_command)
        self.problem.connect(self._on_problem)
        app.dialogs.opened.connect(self._dialog_opened)
        app.session.subscribe(self.update_listening)

    # -- settings ---------------------------------------------------------------------------

    def settings(self) -> Settings:
        """Read each time (as the task worker does), so a saved change applies at once."""
        try:
            return self.app.settings()
        except DeskhandError as exc:
            log.warning("voice uses default settings: %s", exc)
            return Settings()

    def apply(self, settings: Settings) -> list[str]:
        """New settings: rebind the key, forget cached recognizers; returns hotkey problems."""
        self._free, self._download_failed = None, False
        self.speaker.close()
        self.speaker = PlatformSpeaker() if settings.spoken_feedback else SilentSpeaker()
        self.key.stop()
        problems = self.key.start(settings.hotkey_push_to_talk)
        self.update_listening()
        if not self.available:  # the key is bound only to say why voice is off: no complaints
            return []
        return problems

    # -- push-to-talk -----------------------------------------------------------------------

    def press(self) -> None:
        """Key or mic button down: start listening (or, in toggle mode, finish)."""
        if not self.available:
            self._say_unavailable()
            return
        if self._ptt is not None:
            self._ptt.release()  # pressed again while listening: done
            return
        if self.app.session.running:
            return  # the command bar is closed during a task; "stop" has its own listener
        if not self.app.command_bar.isVisible():
            self.app.open_command_bar()
        self._stop_listener()  # one user of the microphone at a time
        if self._free is None:
            self._free = free_recognizer(self.settings())
        self._ptt = PushToTalk(
            self.source_factory, self._free.recognizer, on_done=self.heard.emit, on_level=self.level.emit
        )
        self.app.command_bar.set_listening(True)
        self._ptt.start()

    def _say_unavailable(self) -> None:
        """The mic button or push-to-talk key without a microphone: say why where the user
        looks (the command bar, opened if need be), not only in a tooltip."""
        message = f"Voice input is unavailable. {self.unavailable_reason}"
        self.app.notify("Deskhand: voice", message, False)
        bar = self.app.command_bar
        if not self.app.session.running:
            if not bar.isVisible():
                self.app.open_command_bar()
            bar.set_message(message)

    def release(self, held: float) -> None:
        """Key or button up after ``held`` seconds (timed where the input arrives, see
        ``CommandBar.eventFilter`` and ``PushToTalkKey``): a hold ends the recording; a tap
        leaves it to the VAD."""
        if self._ptt is not None and held >= HOLD_S:
            self._ptt.release()

    def _bar_closed(self) -> None:
        if self._ptt is not None:
            self._ptt.cancel()

    def _on_heard(self, heard: Heard) -> None:
        self._ptt = None
        bar = self.app.command_bar
        bar.set_listening(False)
        self.update_listening()
        if heard.error:
            bar.set_message(heard.error)
        elif heard.text and bar.isVisible():
            note = self._free.note if self._free is not None else ""
            bar.show_transcript(heard.text, self.settings().voice_review_seconds, note)
        elif bar.isVisible():
            bar.set_message("Heard no speech. Hold the mic button or the hotkey and speak.")
        self._maybe_download()

    def _maybe_download(self) -> None:
        """First use of Whisper: fetch its model in the background (pocketsphinx meanwhile)."""
        free = self._free
        if free is None or free.download is None or self.download is not None or self._download_failed:
            return
        self.download = ModelDownload(whisper_store(), free.download.size)
        self.download.finished.connect(self._downloaded)
        self.download.start()

    def _downloaded(self, error: str) -> None:
        cancelled = self.download is not None and self.download.cancel_event.is_set()
        self.download = None
        self._free = None  # the next push-to-talk picks Whisper up
        if error:
            self._download_failed = True  # not again this session, unless the settings change
            self.app.notify("Deskhand: speech model", error, not cancelled)

    # -- listening for commands ---------------------------------------------------------------

    def update_listening(self) -> None:
        """Listen for command words exactly while the settings say it can matter."""
        settings = self.settings()
        want = (
            self.available
            and self._ptt is None
            and (
                (self.app.session.running and settings.listen_for_stop)
                or (self._dialog is not None and settings.listen_for_confirmation)
            )
        )
        if want and self._listener is None:
            if self._commands is None:
                self._commands = command_recognizer()
            self._listener = CommandListener(
                self.source_factory, self._commands, on_command=self.command.emit, on_error=self.problem.emit
            )
            self._listener.start()
        elif not want:
            self._stop_listener()

    def _stop_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.stop(wait_s=0.5)

    def _dialog_opened(self, dialog: QDialog) -> None:
        if not isinstance(dialog, ConfirmDialog):
            return
        self._dialog = dialog
        dialog.answered.connect(self._dialog_closed)
        if self.available and self.settings().listen_for_confirmation:
            hint = QLabel("Listening: say “yes” to allow once, “no” to deny.")
            hint.setObjectName("voice-hint")
            layout = dialog.layout()
            if layout is not None:
                layout.addWidget(hint)
        self.update_listening()

    def _dialog_closed(self, _answer: object) -> None:
        self._dialog = None
        self.update_listening()

    def _on_command(self, command: Command, transcript: Transcript) -> None:
        settings = self.settings()
        dialog = self._dialog
        log.info("voice command %s (%r, %.0f ms)", command, transcript.text, transcript.elapsed_ms)
        if command is Command.STOP and settings.listen_for_stop and self.app.session.running:
            self.speaker.say("Halting.")
            self.app.stop()
            return
        if dialog is None or not settings.listen_for_confirmation:
            return
        if command.approves:
            self.speaker.say("Okay, going ahead once.")
            dialog.choose(UserAnswer.ALLOW_ONCE)
        elif command.refuses or command is Command.STOP:
            self.speaker.say("Okay, not doing that.")
            dialog.choose(UserAnswer.DENY)

    def _on_problem(self, message: str) -> None:
        """The microphone failed while listening: say so once, and stop offering voice."""
        self._listener = None
        self.available, self.unavailable_reason = False, message
        self.app.command_bar.set_voice_available(False, message)
        self.app.notify("Deskhand: voice", message, True)

    def shutdown(self) -> None:
        self.key.stop()
        self._stop_listener()
        if self._ptt is not None:
            self._ptt.cancel()
        if self.download is not None:
            self.download.cancel()
        self.speaker.close()
