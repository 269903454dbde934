"""Voice settings are validated like the others; spoken feedback is off unless asked for."""

from __future__ import annotations

import shutil

import pytest
from pydantic import ValidationError

from deskhand.app.store.config import Settings
from deskhand.voice.speech_out import PlatformSpeaker, SilentSpeaker, speaker_command


def test_defaults_keep_the_microphone_closed_outside_push_to_talk() -> None:
    s = Settings()
    assert (s.listen_for_stop, s.listen_for_confirmation, s.spoken_feedback) == (False, False, False)
    assert (s.recognizer, s.whisper_model_size, s.hotkey_push_to_talk) == ("whisper", "auto", "Ctrl+Alt+V")


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ({"hotkey_push_to_talk": "ctrl+alt+space"}, "already the command bar hotkey"),
        ({"hotkey_push_to_talk": "ctrl+alt+end"}, "already the stop hotkey"),
        ({"recognizer": "vosk"}, "whisper"),
        ({"whisper_model_size": "huge"}, "large-v3"),
        ({"voice_review_seconds": 0}, "greater than or equal"),
    ],
)
def test_bad_voice_settings_are_refused(values: dict[str, object], words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        Settings.model_validate(values)


def test_speaker_commands_per_platform() -> None:
    argv = speaker_command("Halting.", "linux")
    if shutil.which("espeak-ng"):
        assert argv is not None and argv[0].endswith("espeak-ng") and argv[-1] == "Halting."
    if not shutil.which("say"):
        assert speaker_command("x", "darwin") is None
    if not shutil.which("powershell"):
        assert speaker_command("x", "win32") is None


def test_speaking_never_raises_even_without_a_sound_device() -> None:
    speaker = PlatformSpeaker()
    speaker.say("Okay, going ahead once.")
    speaker.say("Halting.")  # interrupts the first
    speaker.close()
    SilentSpeaker().say("nothing")
