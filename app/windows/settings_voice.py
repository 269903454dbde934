"""The Settings window's "Voice" group: recogniser, Whisper size and device, what is listened
for beyond push-to-talk, spoken replies, the push-to-talk hotkey and the review delay.

Why the listening options say the microphone stays open: they are opt-in because they keep
it open for a whole task (or while a confirmation waits); the label is where users decide.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QLabel

from deskhand.app.store.config import Settings
from deskhand.app.windows.settings_fields import SecondsSpin, SettingsGroup, choice, key_edit, key_text

__all__ = ["VoiceGroup"]

RECOGNIZERS = {
    "whisper": "Whisper (more accurate; the built-in one until its model is downloaded)",
    "pocketsphinx": "Built-in (English, small, works offline)",
}
WHISPER_SIZES = {"auto": "auto (fits your hardware)"}
WHISPER_DEVICES = {"auto": "auto (a CUDA GPU with 4 GB or more, else CPU)", "cpu": "CPU", "cuda": "CUDA GPU"}


class VoiceGroup(SettingsGroup):
    """Fields for ``recognizer``, ``whisper_model_size``, ``whisper_device``,
    ``listen_for_stop``, ``listen_for_confirmation``, ``spoken_feedback``,
    ``hotkey_push_to_talk`` and ``voice_review_seconds``."""

    def __init__(self, settings: Settings, errors: dict[str, QLabel]) -> None:
        super().__init__("Voice", errors)
        s = settings
        self.recognizer = choice("recognizer", RECOGNIZERS, s.recognizer)
        self.whisper_model_size = choice("whisper_model_size", WHISPER_SIZES, s.whisper_model_size)
        self.whisper_device = choice("whisper_device", WHISPER_DEVICES, s.whisper_device)
        self.listen_for_stop = QCheckBox('Listen for "stop" while a task runs (microphone stays open)')
        self.listen_for_stop.setChecked(s.listen_for_stop)
        self.listen_for_confirmation = QCheckBox(
            'Answer confirmations with "yes" / "no" (microphone open while one waits)'
        )
        self.listen_for_confirmation.setChecked(s.listen_for_confirmation)
        self.spoken_feedback = QCheckBox("Speak short replies aloud")
        self.spoken_feedback.setChecked(s.spoken_feedback)
        self.hotkey_push_to_talk = key_edit(s.hotkey_push_to_talk)
        self.voice_review_seconds = SecondsSpin("voice_review_seconds", s.voice_review_seconds, decimals=1)
        self.row("Speech recognizer", self.recognizer, "recognizer")
        self.row("Whisper model", self.whisper_model_size, "whisper_model_size")
        self.row("Whisper runs on", self.whisper_device, "whisper_device")
        self.row("", self.listen_for_stop, "listen_for_stop")
        self.row("", self.listen_for_confirmation, "listen_for_confirmation")
        self.row("", self.spoken_feedback, "spoken_feedback")
        self.row("Push-to-talk hotkey", self.hotkey_push_to_talk, "hotkey_push_to_talk")
        self.row(
            "Review a spoken task for",
            self.voice_review_seconds,
            "voice_review_seconds",
            "It waits this long in the command bar, to edit or cancel, before it runs.",
        )
        self.recognizer.currentIndexChanged.connect(self._follow_recognizer)
        self._follow_recognizer()

    def values(self) -> dict[str, Any]:
        return {
            "recognizer": self.recognizer.currentData(),
            "whisper_model_size": self.whisper_model_size.currentData(),
            "whisper_device": self.whisper_device.currentData(),
            "listen_for_stop": self.listen_for_stop.isChecked(),
            "listen_for_confirmation": self.listen_for_confirmation.isChecked(),
            "spoken_feedback": self.spoken_feedback.isChecked(),
            "hotkey_push_to_talk": key_text(self.hotkey_push_to_talk),
            "voice_review_seconds": self.voice_review_seconds.seconds(),
        }

    def _follow_recognizer(self) -> None:
        uses_whisper = self.recognizer.currentData() == "whisper"
        self.whisper_model_size.setEnabled(uses_whisper)
        self.whisper_device.setEnabled(uses_whisper)
