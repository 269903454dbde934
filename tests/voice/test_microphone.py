"""The microphone path: PortAudio through sounddevice, with and without a device.

These machines have no sound card, which is the "no audio device" case as it really is.
For a device that delivers speech, ALSA's ``file`` plugin is made the default device and
fed a WAV's samples: PortAudio, sounddevice's callback thread and our re-blocking all run
for real (in a subprocess, since ALSA reads its configuration once per process).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from deskhand.voice.errors import AudioUnavailable
from deskhand.voice.microphone import SoundDeviceSource, microphone_status
from tests.voice.speech import Speech


def _portaudio() -> bool:
    try:
        import sounddevice  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def _has_input() -> bool:
    return microphone_status().available


def test_without_a_device_voice_says_why_and_nothing_raises() -> None:
    if _has_input():
        pytest.skip("this machine has a microphone")
    status = microphone_status()
    assert not status.available and status.device == ""
    assert status.reason.startswith("Tried to open the microphone, but")
    with pytest.raises(AudioUnavailable):
        next(SoundDeviceSource().frames())


CHILD = textwrap.dedent(
    """
    import json, sys
    from deskhand.voice.microphone import SoundDeviceSource, microphone_status
    from deskhand.voice.vad import VadConfig, listen
    from deskhand.voice.sphinx import PocketSphinxRecognizer
    status = microphone_status()
    source = SoundDeviceSource()
    utterance = listen(source, VadConfig(no_speech_timeout_s=5))
    text = PocketSphinxRecognizer("commands", cache_dir=sys.argv[1]).transcribe(utterance.pcm).text
    print(json.dumps({"device": status.device, "ended_by": utterance.ended_by.value, "text": text}))
    """
)


@pytest.mark.skipif(not _portaudio(), reason="PortAudio (libportaudio2) is not installed")
def test_a_real_portaudio_device_feeds_the_same_pipeline(speech: Speech, tmp_path: Path) -> None:
    spoken = speech.say("stop", lead_s=0.5, tail_s=1.5)
    raw = tmp_path / "mic.raw"
    subprocess.run(
        [
            "sox",
            "-V1",
            str(spoken.path),
            "-t",
            "raw",
            "-r",
            "16000",
            "-c",
            "1",
            "-b",
            "16",
            "-e",
            "signed",
            str(raw),
        ],
        check=True,
    )  # the file plugin replays raw samples at whatever rate the stream was opened with: 16 kHz
    home = tmp_path / "home"
    home.mkdir()
    (home / ".asoundrc").write_text(
        f'pcm.!default {{ type file slave.pcm "null" file "/dev/null" infile "{raw}" format "raw" }}\n'
    )
    env = {**os.environ, "HOME": str(home)}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path)], env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {"device": "default", "ended_by": "silence", "text": "stop"}


def test_sounddevice_is_optional_at_import() -> None:
    assert importlib.util.find_spec("deskhand.voice.microphone") is not None
