"""Sources and the VAD on real espeak-ng speech: formats, pacing, where speech ends."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

import pytest

from deskhand.voice.audio import FRAME_BYTES, FRAME_MS, SAMPLE_RATE, FileSource, level_dbfs, read_wav
from deskhand.voice.errors import AudioFileError
from deskhand.voice.vad import EndReason, VadConfig, listen, utterances
from tests.voice.speech import Speech


def test_any_pcm_wav_becomes_16k_mono(speech: Speech, tmp_path: Path) -> None:
    spoken = speech.say("stop")
    stereo = tmp_path / "stereo.wav"
    subprocess.run(
        ["sox", "-V1", str(spoken.path), "-r", "44100", "-c", "2", "-b", "24", str(stereo)], check=True
    )
    a, b = read_wav(spoken.path), read_wav(stereo)
    assert abs(len(a) - len(b)) <= 4  # same duration at 16 kHz
    assert abs(level_dbfs(a) - level_dbfs(b)) < 1.0  # same loudness


@pytest.mark.parametrize(
    ("content", "words"),
    [(None, "no such file"), (b"not a wav", "RIFF/WAVE header")],
)
def test_unreadable_files_say_what_to_do(tmp_path: Path, content: bytes | None, words: str) -> None:
    path = tmp_path / "x.wav"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(AudioFileError, match=words):
        FileSource(path)


def test_file_source_frames_and_trailing_silence(speech: Speech) -> None:
    spoken = speech.say("yes", lead_s=0.2, tail_s=0.2)
    frames = list(FileSource(spoken.path, trailing_silence_s=0.3).frames())
    assert all(len(f) == FRAME_BYTES for f in frames)
    assert len(frames) == -(-len(read_wav(spoken.path)) // FRAME_BYTES) + round(300 / FRAME_MS)
    assert frames[-1] == bytes(FRAME_BYTES)


def test_realtime_file_source_paces_like_a_microphone_and_closes_at_once(speech: Speech) -> None:
    source = FileSource(speech.silence(2.0), realtime=True, trailing_silence_s=None)
    started = time.monotonic()
    frames = source.frames()
    for _ in range(20):  # 600 ms of audio
        next(frames)
    assert 0.5 <= time.monotonic() - started < 1.0
    threading.Timer(0.1, source.close).start()
    rest = list(frames)  # endless silence, until close
    assert time.monotonic() - started < 1.5 and len(rest) < 30


def test_level_meter_values() -> None:
    assert level_dbfs(bytes(FRAME_BYTES)) == -96.0
    full = (b"\xff\x7f" + b"\x01\x80") * (FRAME_BYTES // 4)
    assert level_dbfs(full) > -0.1


@pytest.mark.parametrize("voice", ["en-us", "en-gb-scotland"])
@pytest.mark.parametrize("noise", [0.0, 0.01])
def test_speech_then_silence_ends_within_bounds(speech: Speech, voice: str, noise: float) -> None:
    spoken = speech.say("open the terminal please", voice=voice, lead_s=0.7, tail_s=2.0, noise=noise)
    config = VadConfig(end_silence_ms=600)
    utterance = listen(FileSource(spoken.path), config)
    assert utterance.ended_by is EndReason.SILENCE
    assert utterance.speech_start_ms is not None
    assert spoken.speech_start_s - 0.45 <= utterance.speech_start_ms / 1000 <= spoken.speech_start_s + 0.2
    delay = utterance.end_ms / 1000 - spoken.speech_end_s
    assert 0.3 <= delay <= 0.9, delay  # the 600 ms closing window, give or take frames
    # all the speech is in the utterance: it covers the voiced span
    covered_to = utterance.speech_start_ms / 1000 + utterance.duration_s
    assert covered_to >= spoken.speech_end_s


def test_release_ends_at_once_and_keeps_the_speech(speech: Speech) -> None:
    spoken = speech.say("click the apply button", lead_s=0.3, tail_s=2.0)
    source = FileSource(spoken.path)
    frames_seen = []
    utterance = listen(
        source, VadConfig(), on_level=frames_seen.append, released=lambda: len(frames_seen) * FRAME_MS >= 1500
    )
    assert utterance.ended_by is EndReason.RELEASED
    assert utterance.end_ms == pytest.approx(1500, abs=FRAME_MS)
    assert utterance.has_speech and max(frames_seen) > -30


def test_nothing_said_times_out(speech: Speech) -> None:
    utterance = listen(FileSource(speech.silence(3.0)), VadConfig(no_speech_timeout_s=1.0))
    assert utterance.ended_by is EndReason.NO_SPEECH and not utterance.has_speech
    assert utterance.end_ms == pytest.approx(1000, abs=FRAME_MS)


def test_two_words_are_two_utterances_and_long_talk_hits_the_limit(speech: Speech, tmp_path: Path) -> None:
    yes, stop = speech.say("yes", tail_s=1.0), speech.say("stop", tail_s=1.0)
    both = tmp_path / "both.wav"
    subprocess.run(["sox", "-V1", str(yes.path), str(stop.path), str(both)], check=True)
    assert [u.ended_by for u in utterances(FileSource(both))] == [EndReason.SILENCE, EndReason.SILENCE]
    talk = speech.say("this is a long sentence that goes on and on without a pause", tail_s=1.0)
    cut = list(utterances(FileSource(talk.path), VadConfig(max_speech_s=1.5)))
    assert cut[0].ended_by is EndReason.MAX_LENGTH
    assert cut[0].duration_s == pytest.approx(1.5, abs=0.05)
    assert SAMPLE_RATE == 16_000
