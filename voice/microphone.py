"""The default input device through sounddevice (PortAudio), as an ``AudioSource``.

Everything about the device is checked when asked, never at import: a machine with no
PortAudio library or no microphone must still import this module, show voice as
unavailable with the reason, and run every other feature.  PortAudio's callback thread
only copies bytes into a queue; re-blocking into 30 ms frames and resampling (for devices
that refuse 16 kHz) happen on the reading thread.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

from deskhand.voice.audio import FRAME_BYTES, SAMPLE_RATE, to_pcm16
from deskhand.voice.errors import AudioUnavailable

__all__ = ["MicrophoneStatus", "SoundDeviceSource", "microphone_status"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class MicrophoneStatus:
    available: bool
    device: str  # the input device's name, "" if none
    reason: str  # why not, as a sentence the app can show; "" if available


def _sounddevice() -> ModuleType:
    try:
        import sounddevice
    except ImportError as exc:
        raise AudioUnavailable(
            "Tried to open the microphone, but the sounddevice package is not installed. "
            "Install it with `pip install sounddevice`."
        ) from exc
    except OSError as exc:  # sounddevice raises this when libportaudio is missing
        raise AudioUnavailable(
            f"Tried to open the microphone, but the PortAudio library is missing ({exc}). "
            "Install it (Debian/Ubuntu: `sudo apt install libportaudio2`)."
        ) from exc
    module: ModuleType = sounddevice
    return module


def _input_device(sd: ModuleType, device: int | str | None) -> dict[str, Any]:
    try:
        info: dict[str, Any] = sd.query_devices(device, kind="input")
    except (sd.PortAudioError, ValueError) as exc:
        raise AudioUnavailable(
            f"Tried to open the microphone, but no input device was found ({exc}). "
            "Plug one in or check the system's sound settings; the rest of Deskhand works without it."
        ) from exc
    return info


def microphone_status(device: int | str | None = None) -> MicrophoneStatus:
    """Whether recording can work here, and if not, why (never raises)."""
    try:
        info = _input_device(_sounddevice(), device)
    except AudioUnavailable as exc:
        return MicrophoneStatus(False, "", str(exc))
    return MicrophoneStatus(True, str(info.get("name", "")), "")


class SoundDeviceSource:
    """Frames from a microphone; opened on the first ``frames`` call, closed by ``close``."""

    def __init__(self, device: int | str | None = None, *, stall_timeout_s: float = 2.0) -> None:
        self.device = device
        self.stall_timeout_s = stall_timeout_s
        self._queue: queue.Queue[bytes] = queue.Queue()
        self._closed = threading.Event()
        self._stream: Any = None

    def _open(self) -> int:
        sd = _sounddevice()
        info = _input_device(sd, self.device)
        rate = SAMPLE_RATE

        def callback(data: Any, frames: int, time_info: Any, status: Any) -> None:
            if status:
                log.debug("microphone: %s", status)
            self._queue.put(bytes(data))

        for rate in (SAMPLE_RATE, int(info.get("default_samplerate") or SAMPLE_RATE)):
            try:
                self._stream = sd.RawInputStream(
                    samplerate=rate,
                    channels=1,
                    dtype="int16",
                    blocksize=rate * 30 // 1000,
                    device=self.device,
                    callback=callback,
                )
                break
            except sd.PortAudioError as exc:
                log.info("the microphone refused %d Hz: %s", rate, exc)
        else:
            raise AudioUnavailable(
                f"Tried to record from {info.get('name', 'the microphone')}, but it accepts neither "
                f"{SAMPLE_RATE} Hz nor its own default rate. Choose another input device."
            )
        self._stream.start()
        return rate

    def frames(self) -> Iterator[bytes]:
        rate = self._open()
        pending = b""
        try:
            while not self._closed.is_set():
                try:
                    chunk = self._queue.get(timeout=self.stall_timeout_s)
                except queue.Empty:
                    if self._closed.is_set():
                        return
                    raise AudioUnavailable(
                        f"Tried to record, but the microphone sent nothing for {self.stall_timeout_s:.0f} s "
                        "(was it unplugged?)."
                    ) from None
                if rate != SAMPLE_RATE:
                    samples = np.frombuffer(chunk, dtype="<i2").astype(np.float64) / 32768.0
                    chunk = to_pcm16(samples, rate)
                pending += chunk
                while len(pending) >= FRAME_BYTES:
                    frame, pending = pending[:FRAME_BYTES], pending[FRAME_BYTES:]
                    yield frame
        finally:
            self._shut()

    def _shut(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.stop()
                stream.close()
            except Exception:  # closing a device that vanished; nothing left to do
                log.debug("closing the microphone stream failed", exc_info=True)

    def close(self) -> None:
        self._closed.set()
