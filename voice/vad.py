"""Where speech starts and ends: WebRTC's VAD over 30 ms frames, with hysteresis.

A single voiced frame is not speech (a click, a cough) and a single quiet frame is not its
end (the gap before a plosive, a breath between words), so speech starts when most frames
of a short window are voiced and ends when nearly all of a longer window are not.  The
frames just before the start (``preroll``) are kept: the VAD notices a word a little after
it begins, and a recognizer given a clipped first consonant hears "no" for "stop".

WebRTC's VAD takes steady hiss for speech where it starts abruptly (a stream that opens
onto a noisy room), so a frame also has to be louder than the quietest frame of the last
two seconds by ``min_snr_db`` -- an energy gate that follows the room's noise floor -- and
nothing can start speech in the first ``warmup_ms``, while that floor is being learnt
(the preroll still keeps those frames).

``listen`` records one utterance (push-to-talk: it also ends on key release);
``utterances`` segments a stream for as long as it runs (listening for "stop").
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum

import webrtcvad

from deskhand.voice.audio import FRAME_MS, SAMPLE_RATE, AudioSource, level_dbfs

__all__ = ["EndReason", "Segmenter", "Utterance", "VadConfig", "listen", "utterances"]


class EndReason(StrEnum):
    SILENCE = "silence"  # the speaker stopped
    RELEASED = "released"  # the push-to-talk key or button was let go
    MAX_LENGTH = "max length"
    NO_SPEECH = "no speech"  # nothing was said before the timeout
    END_OF_AUDIO = "end of audio"  # the file (or device) ended
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class VadConfig:
    aggressiveness: int = 2  # WebRTC's 0..3: higher rejects more noise as non-speech
    start_ms: int = 150  # window in which ...
    start_ratio: float = 0.6  # ... this share of frames must be voiced to start
    end_silence_ms: int = 600  # window in which ...
    end_ratio: float = 0.9  # ... this share must be unvoiced to end
    preroll_ms: int = 300
    min_snr_db: float = 6.0
    warmup_ms: int = 180
    max_speech_s: float = 15.0
    no_speech_timeout_s: float | None = 8.0  # listen() only; None waits for ever


@dataclass(frozen=True, slots=True)
class Utterance:
    """Recorded audio and why recording ended; times are in ms of the stream."""

    pcm: bytes
    ended_by: EndReason
    speech_start_ms: float | None  # where the VAD placed the start of speech
    end_ms: float  # when recording ended (the VAD's decision, or the key release)

    @property
    def has_speech(self) -> bool:
        return self.speech_start_ms is not None

    @property
    def duration_s(self) -> float:
        return len(self.pcm) / 2 / SAMPLE_RATE


class Segmenter:
    """Feed frames; ``feed`` returns an ``Utterance`` when one has ended, else None."""

    def __init__(self, config: VadConfig = VadConfig()) -> None:
        self.config = config
        self.vad = webrtcvad.Vad(config.aggressiveness)
        self._start_n = max(1, config.start_ms // FRAME_MS)
        self._end_n = max(1, config.end_silence_ms // FRAME_MS)
        self._preroll: deque[bytes] = deque(maxlen=max(self._start_n, config.preroll_ms // FRAME_MS))
        self._recent: deque[bool] = deque(maxlen=self._start_n)
        self._trailing: deque[bool] = deque(maxlen=self._end_n)
        self._speech: list[bytes] = []
        self._levels: deque[float] = deque(maxlen=2000 // FRAME_MS)
        self.elapsed_ms = 0.0
        self.start_ms: float | None = None

    @property
    def in_speech(self) -> bool:
        return self.start_ms is not None

    def feed(self, frame: bytes) -> Utterance | None:
        self.elapsed_ms += FRAME_MS
        voiced = self._voiced(frame)
        if self.start_ms is None:
            self._preroll.append(frame)
            self._recent.append(voiced)
            if (
                len(self._recent) == self._start_n
                and sum(self._recent) >= self.config.start_ratio * self._start_n
            ):
                self.start_ms = self.elapsed_ms - len(self._preroll) * FRAME_MS
                self._speech = list(self._preroll)
                self._trailing.clear()
            return None
        self._speech.append(frame)
        self._trailing.append(voiced)
        if (
            len(self._trailing) == self._end_n
            and self._trailing.count(False) >= self.config.end_ratio * self._end_n
        ):
            return self._cut(EndReason.SILENCE)
        if len(self._speech) * FRAME_MS >= self.config.max_speech_s * 1000:
            return self._cut(EndReason.MAX_LENGTH)
        return None

    def _voiced(self, frame: bytes) -> bool:
        level = level_dbfs(frame)
        self._levels.append(level)
        if self.elapsed_ms <= self.config.warmup_ms:
            return False
        return level >= min(self._levels) + self.config.min_snr_db and bool(
            self.vad.is_speech(frame, SAMPLE_RATE)
        )

    def flush(self, reason: EndReason) -> Utterance:
        """End now (key released, stream over): whatever was heard, speech or not."""
        if self.start_ms is None:
            utterance = Utterance(b"".join(self._preroll), reason, None, self.elapsed_ms)
            self._preroll.clear()
            self._recent.clear()
            return utterance
        return self._cut(reason)

    def _cut(self, reason: EndReason) -> Utterance:
        utterance = Utterance(b"".join(self._speech), reason, self.start_ms, self.elapsed_ms)
        self._speech, self.start_ms = [], None
        self._preroll.clear()
        self._recent.clear()
        self._trailing.clear()
        return utterance


def listen(
    source: AudioSource,
    config: VadConfig = VadConfig(),
    *,
    on_level: Callable[[float], None] | None = None,
    released: Callable[[], bool] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Utterance:
    """Record one utterance: until silence after speech, key release, cancel or timeout.

    ``on_level`` gets each frame's level in dBFS (for the meter).  A release before the
    VAD heard speech still returns the audio: quiet speakers should not lose a command.
    """
    segmenter = Segmenter(config)
    # Everything (up to the length limit), in case the key is released before speech starts.
    recorded: deque[bytes] = deque(maxlen=round(config.max_speech_s * 1000 / FRAME_MS))
    for frame in source.frames():
        if on_level is not None:
            on_level(level_dbfs(frame))
        if cancelled is not None and cancelled():
            return Utterance(b"", EndReason.CANCELLED, None, segmenter.elapsed_ms)
        recorded.append(frame)
        done = segmenter.feed(frame)
        if done is not None:
            return done
        if released is not None and released():
            if segmenter.in_speech:
                return segmenter.flush(EndReason.RELEASED)
            return Utterance(b"".join(recorded), EndReason.RELEASED, None, segmenter.elapsed_ms)
        timeout = config.no_speech_timeout_s
        if not segmenter.in_speech and timeout is not None and segmenter.elapsed_ms >= timeout * 1000:
            return Utterance(b"", EndReason.NO_SPEECH, None, segmenter.elapsed_ms)
    return segmenter.flush(EndReason.END_OF_AUDIO)


def utterances(
    source: AudioSource, config: VadConfig = VadConfig(), *, on_level: Callable[[float], None] | None = None
) -> Iterator[Utterance]:
    """Every utterance in the stream, as each ends (close the source to stop)."""
    segmenter = Segmenter(config)
    for frame in source.frames():
        if on_level is not None:
            on_level(level_dbfs(frame))
        done = segmenter.feed(frame)
        if done is not None:
            yield done
    if segmenter.in_speech:
        yield segmenter.flush(EndReason.END_OF_AUDIO)
