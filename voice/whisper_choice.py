"""Which Whisper model size, on which device, for this machine.

Why a small table: the choice is among five published sizes, and what matters is how long
the user waits after letting go of the key.  On a CPU, int8 ``base`` transcribes a
few-second command in well under a second on four cores; ``small`` needs about eight to
feel as quick.  On an NVIDIA GPU the vision model (Ollama) is already using most of the
memory, so Whisper takes a modest share: ``small`` from 8 GB, ``large-v3`` only from
16 GB, both as int8 weights with float16 compute to stay small.  AMD and Apple GPUs run
Whisper on the CPU (CTranslate2 supports CUDA only).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

__all__ = ["MODEL_SIZES", "Hardware", "WhisperChoice", "choose_whisper", "cuda_device_count"]

Size = Literal["tiny", "base", "small", "medium", "large-v3"]
Device = Literal["cpu", "cuda"]

# Approximate download sizes (MB) of Systran's CTranslate2 conversions, for messages only;
# the real sizes come from the hub's file listing at download time.
MODEL_SIZES: dict[str, int] = {"tiny": 75, "base": 145, "small": 484, "medium": 1530, "large-v3": 3090}


@dataclass(frozen=True, slots=True)
class Hardware:
    cpu_cores: int
    memory_gb: float
    cuda_memory_gb: float = 0.0  # 0: no usable NVIDIA GPU

    @classmethod
    def detect(cls, cuda_memory_gb: float = 0.0) -> Hardware:
        cores = os.cpu_count() or 1
        try:
            memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
        except (ValueError, OSError, AttributeError):  # not on Windows
            memory = 8.0
        return cls(cores, memory, cuda_memory_gb if cuda_device_count() else 0.0)


@dataclass(frozen=True, slots=True)
class WhisperChoice:
    size: str
    device: Device
    compute_type: str
    why: str


def cuda_device_count() -> int:
    """CUDA devices CTranslate2 can use (0 when it or the driver is missing)."""
    try:
        import ctranslate2
    except ImportError:
        return 0
    try:
        return int(ctranslate2.get_cuda_device_count())
    except Exception:  # a broken driver install must mean "no GPU", not a crash
        return 0


def choose_whisper(hardware: Hardware, size: str = "auto", device: str = "auto") -> WhisperChoice:
    """The size and device to use; explicit settings win, "auto" follows the table above."""
    use_cuda = device == "cuda" or (device == "auto" and hardware.cuda_memory_gb >= 4)
    if use_cuda:
        compute, where = "int8_float16", f"an NVIDIA GPU with {hardware.cuda_memory_gb:.0f} GB"
        if size == "auto":
            size = (
                "large-v3"
                if hardware.cuda_memory_gb >= 16
                else "small"
                if hardware.cuda_memory_gb >= 8
                else "base"
            )
        return WhisperChoice(size, "cuda", compute, f"{size} on {where} (shared with the vision model)")
    where = f"{hardware.cpu_cores} CPU cores"
    if size == "auto":
        if hardware.cpu_cores >= 8 and hardware.memory_gb >= 8:
            size = "small"
        elif hardware.cpu_cores >= 4:
            size = "base"
        else:
            size = "tiny"
    return WhisperChoice(size, "cpu", "int8", f"{size} on {where} (int8)")
