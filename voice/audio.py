"""Audio as the recognizers want it: 16 kHz mono 16-bit PCM, cut into 30 ms frames.

Every source -- the microphone, a WAV file -- yields the same frames through the same
``AudioSource`` protocol, so the VAD and the recognizers cannot tell a test file from a
person speaking, and ``deskhand listen --file`` runs exactly the pipeline the app runs.
30 ms is one of the three frame lengths WebRTC's VAD accepts, and short enough that a
level meter fed once per frame looks live.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

import numpy as np

from deskhand.voice.errors import AudioFileError

__all__ = [
    "FRAME_BYTES",
    "FRAME_MS",
    "FRAME_SAMPLES",
    "SAMPLE_RATE",
    "AudioSource",
    "FileSource",
    "level_dbfs",
    "read_wav",
    "to_pcm16",
]

SAMPLE_RATE = 16_000
FRAME_MS = 30
FRAME_SAMPLES = SAMPLE_RATE * FRAME_MS // 1000
FRAME_BYTES = FRAME_SAMPLES * 2
SILENCE_FLOOR_DBFS = -96.0


class AudioSource(Protocol):
    """A stream of 30 ms frames (``FRAME_BYTES`` each) of 16 kHz mono int16 audio.

    ``frames`` ends when the audio does (a file) or when ``close`` is called, from any
    thread; it raises ``AudioUnavailable`` if the device stops delivering.
    """

    def frames(self) -> Iterator[bytes]: ...

    def close(self) -> None: ...


def level_dbfs(frame: bytes) -> float:
    """RMS level of one frame in dB below full scale (0 = loudest, -96 = digital silence)."""
    samples = np.frombuffer(frame, dtype=np.int16).astype(np.float64)
    if samples.size == 0:
        return SILENCE_FLOOR_DBFS
    rms = math.sqrt(float(np.mean(samples * samples)))
    if rms < 1.0:
        return SILENCE_FLOOR_DBFS
    return max(SILENCE_FLOOR_DBFS, 20.0 * math.log10(rms / 32768.0))


def _lowpass(samples: np.ndarray, cutoff: float) -> np.ndarray:
    """Windowed-sinc low-pass (cutoff as a fraction of the input rate), so downsampling
    does not fold hiss above 8 kHz back into the band the recognizers listen to."""
    taps = 63
    n = np.arange(taps) - (taps - 1) / 2
    kernel = 2 * cutoff * np.sinc(2 * cutoff * n) * np.hamming(taps)
    kernel /= kernel.sum()
    return np.convolve(samples, kernel, mode="same")


def to_pcm16(samples: np.ndarray, rate: int) -> bytes:
    """Mono float samples in [-1, 1] at ``rate`` -> 16 kHz int16 bytes."""
    data = np.asarray(samples, dtype=np.float64)
    if rate != SAMPLE_RATE and data.size:
        if rate > SAMPLE_RATE:
            data = _lowpass(data, 0.45 * SAMPLE_RATE / rate)
        count = max(1, round(data.size * SAMPLE_RATE / rate))
        positions = np.arange(count) * (rate / SAMPLE_RATE)
        data = np.interp(positions, np.arange(data.size), data)
    return bytes((np.clip(data, -1.0, 1.0) * 32767.0).astype("<i2").tobytes())


_PCM, _FLOAT, _EXTENSIBLE = 1, 3, 0xFFFE


def _decode(raw: bytes, width: int, channels: int, fmt: int = _PCM) -> np.ndarray:
    """Sample bytes of any layout WAV files use -> float samples in [-1, 1], channels averaged."""
    if fmt == _FLOAT and width in (4, 8):
        data = np.frombuffer(raw[: len(raw) - len(raw) % width], dtype="<f4" if width == 4 else "<f8")
        data = data.astype(np.float64)
    elif fmt != _PCM:
        raise ValueError(f"samples in encoding {fmt} (only PCM and float are read)")
    elif width == 1:
        data = (np.frombuffer(raw, dtype=np.uint8).astype(np.float64) - 128.0) / 128.0
    elif width == 2:
        data = np.frombuffer(raw[: len(raw) - len(raw) % 2], dtype="<i2").astype(np.float64) / 32768.0
    elif width == 3:
        b = np.frombuffer(raw[: len(raw) - len(raw) % 3], dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        value = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        data = np.where(value >= 1 << 23, value - (1 << 24), value).astype(np.float64) / float(1 << 23)
    elif width == 4:
        data = np.frombuffer(raw[: len(raw) - len(raw) % 4], dtype="<i4").astype(np.float64) / float(1 << 31)
    else:
        raise ValueError(f"{8 * width}-bit samples")
    if channels > 1:
        data = data[: data.size - data.size % channels].reshape(-1, channels).mean(axis=1)
    return data


def _parse_riff(blob: bytes) -> tuple[int, int, int, int, bytes]:
    """(format, channels, rate, bytes per sample, sample bytes) of a RIFF/WAVE file.

    Our own reader rather than the ``wave`` module, which (before Python 3.12) refuses
    WAVE_FORMAT_EXTENSIBLE -- what sox and many recorders write for 24-bit or multichannel.
    """
    if len(blob) < 12 or blob[:4] != b"RIFF" or blob[8:12] != b"WAVE":
        raise ValueError("it does not start with a RIFF/WAVE header")
    pos, fmt_chunk, data = 12, b"", None
    while pos + 8 <= len(blob):
        name, size = blob[pos : pos + 4], int.from_bytes(blob[pos + 4 : pos + 8], "little")
        body = blob[pos + 8 : pos + 8 + size]
        if name == b"fmt ":
            fmt_chunk = body
        elif name == b"data":
            data = body
        pos += 8 + size + (size & 1)
    if len(fmt_chunk) < 16 or data is None:
        raise ValueError("it has no fmt or data chunk")
    fmt, channels = int.from_bytes(fmt_chunk[0:2], "little"), int.from_bytes(fmt_chunk[2:4], "little")
    rate, bits = int.from_bytes(fmt_chunk[4:8], "little"), int.from_bytes(fmt_chunk[14:16], "little")
    if fmt == _EXTENSIBLE and len(fmt_chunk) >= 26:
        fmt = int.from_bytes(fmt_chunk[24:26], "little")  # the sub-format GUID starts with it
    if channels < 1 or rate < 1000 or bits % 8:
        raise ValueError(f"its header is implausible ({channels} channels, {rate} Hz, {bits} bits)")
    return fmt, channels, rate, bits // 8, data


def read_wav(path: Path | str) -> bytes:
    """A WAV file as 16 kHz mono int16 bytes (converted if needed); AudioFileError if not."""
    path = Path(path)
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        raise AudioFileError(f"Tried to read {path}, but there is no such file.") from None
    except IsADirectoryError:
        raise AudioFileError(f"Tried to read {path}, but it is a folder, not a WAV file.") from None
    except OSError as exc:
        raise AudioFileError(f"Tried to read {path}, but {exc.strerror or exc}.") from None
    try:
        fmt, channels, rate, width, raw = _parse_riff(blob)
        samples = _decode(raw, width, channels, fmt)
    except ValueError as exc:
        raise AudioFileError(
            f"Tried to read {path} as a WAV file, but {exc}. "
            "Convert it with `sox IN -r 16000 -c 1 -b 16 OUT.wav`."
        ) from None
    return to_pcm16(samples, rate)


class FileSource:
    """A WAV file played as if a microphone heard it.

    ``realtime`` paces the frames at the speed of speech (the app's tests use it in place
    of the microphone, so timing behaves as in real use); without it frames come as fast
    as they are read (``deskhand listen --file``, accuracy tests).  After the file ends,
    ``trailing_silence_s`` seconds of silence follow -- ``None`` means silence until
    ``close``, like a microphone nobody speaks into.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        realtime: bool = False,
        trailing_silence_s: float | None = 0.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = Path(path)
        self.pcm = read_wav(self.path)
        self.realtime = realtime
        self.trailing_silence_s = trailing_silence_s
        self.clock = clock
        self._closed = threading.Event()

    def frames(self) -> Iterator[bytes]:
        start = self.clock()
        count = 0
        silence = bytes(FRAME_BYTES)
        tail_frames = (
            None if self.trailing_silence_s is None else round(self.trailing_silence_s * 1000 / FRAME_MS)
        )
        total = math.ceil(len(self.pcm) / FRAME_BYTES)
        while not self._closed.is_set():
            if count < total:
                frame = self.pcm[count * FRAME_BYTES : (count + 1) * FRAME_BYTES].ljust(FRAME_BYTES, b"\0")
            elif tail_frames is None or count < total + tail_frames:
                frame = silence
            else:
                return
            if self.realtime:
                due = start + count * FRAME_MS / 1000
                # wait() rather than sleep(): close() from another thread ends it at once
                if self._closed.wait(max(0.0, due - self.clock())):
                    return
            count += 1
            yield frame

    def close(self) -> None:
        self._closed.set()
