"""How much GPU memory this machine has, and which vision model that suggests.

Why a table and not a formula: the choice is a handful of published model sizes, and a
table is easy to read, test and update when the library changes.  Detection asks the vendor
tools the user already has (``nvidia-smi``, ``rocm-smi``, ``sysctl`` on macOS) with a short
timeout; anything missing or unreadable just means "no GPU found", never an error.

The sizes are the download sizes Ollama's library lists for ``qwen2.5vl`` (3b 3.2 GB, 7b 6.0 GB,
32b 21 GB, 72b 71 GB).  A model needs its size plus the KV cache and the vision encoder's
activations -- roughly 1.5-3 GB more at our ``num_ctx`` of 8192 -- hence the thresholds: the
7B's 6 GB does not fit a 6 GB card, and Ollama would split it between GPU and CPU, several
times slower, so below 8 GB the 3B is the better choice.
A planner (``do --planner``) is suggested beside the recommended vision model only where both
fit cleanly -- each model's download plus its context, within 90 % of the GPU's memory -- so
both stay loaded and neither spills to the CPU; the planner is a text model (Ollama's
``qwen3`` sizes: 4b 2.5 GB, 8b 5.2 GB) with a smaller context than a screenshot needs.
UI-TARS-1.5-7B is not in the table: Ollama's library has no official build of it, and its
authors warned that their GGUF quantisation lost accuracy; users can still pick one by name.
"""

from __future__ import annotations

import json
import logging
import platform
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

log = logging.getLogger(__name__)

__all__ = [
    "PLANNERS",
    "RECOMMENDATIONS",
    "Accelerator",
    "PlannerAdvice",
    "Recommendation",
    "detect_accelerator",
    "parse_nvidia_smi",
    "parse_rocm_smi",
    "recommend",
    "recommend_planner",
]

GB = 1024**3
Runner = Callable[[Sequence[str]], str | None]


@dataclass(frozen=True, slots=True)
class Accelerator:
    """The best GPU found; ``memory`` is what a model may use, in bytes (0 = CPU only)."""

    kind: str  # "nvidia" | "amd" | "apple" | "cpu"
    name: str
    memory: int

    @property
    def gigabytes(self) -> float:
        return self.memory / GB

    def describe(self) -> str:
        if self.kind == "cpu":
            return "No GPU found; models will run on the CPU (slow: tens of seconds per step)."
        shared = " (shared with the system)" if self.kind == "apple" else ""
        return f"{self.name}: {self.gigabytes:.1f} GB of GPU memory{shared}."


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One row of the table: from ``min_gb`` of GPU memory up, suggest ``model``."""

    min_gb: float
    model: str
    download_gb: float
    why: str
    alternatives: tuple[str, ...] = ()


RECOMMENDATIONS: tuple[Recommendation, ...] = (
    Recommendation(0, "qwen2.5vl:3b", 3.2, "the smallest Qwen2.5-VL; fits in 4-6 GB with its context"),
    Recommendation(8, "qwen2.5vl:7b", 6.0, "the 7B grounds clicks much better and fits in 8-12 GB"),
    Recommendation(12, "qwen2.5vl:7b", 6.0, "the 7B with room for a longer context and big screens",
                   alternatives=("qwen3-vl:8b",)),
    Recommendation(24, "qwen2.5vl:32b", 21.0, "the 32B is the most accurate that fits in 24 GB"),
    Recommendation(80, "qwen2.5vl:72b", 71.0, "the 72B needs about 80 GB"),
)  # fmt: skip


def recommend(accelerator: Accelerator) -> Recommendation:
    """The largest row whose threshold this machine's GPU memory reaches (CPU: the first).

    Cards are sold by nominal size and drivers report a little less (a "24 GB" RTX 4090
    shows 24564 MiB, just under 24 GiB), so a 3 % shortfall still counts as reaching it.
    """
    fitting = [r for r in RECOMMENDATIONS if accelerator.gigabytes >= r.min_gb * 0.97]
    return fitting[-1] if fitting else RECOMMENDATIONS[0]


@dataclass(frozen=True, slots=True)
class PlannerAdvice:
    """A planner model that fits beside the recommended vision model."""

    model: str
    download_gb: float


PLANNERS: tuple[PlannerAdvice, ...] = (PlannerAdvice("qwen3:8b", 5.2), PlannerAdvice("qwen3:4b", 2.5))
VISION_CONTEXT_GB = 2.5  # KV cache and the vision encoder's activations at num_ctx 8192
TEXT_CONTEXT_GB = 1.5  # a text model's KV cache for the planner's short prompt
CLEAN_FIT = 0.9  # what the two may use of the GPU's memory, so neither spills to the CPU


def recommend_planner(accelerator: Accelerator, grounder: Recommendation) -> PlannerAdvice | None:
    """The largest planner that fits cleanly beside ``grounder`` (None: none does)."""
    room = accelerator.gigabytes * CLEAN_FIT - grounder.download_gb - VISION_CONTEXT_GB
    if accelerator.kind == "cpu":
        return None  # two models on a CPU make each step twice as slow
    return next((p for p in PLANNERS if p.download_gb + TEXT_CONTEXT_GB <= room), None)


def _run(argv: Sequence[str]) -> str | None:
    """A vendor tool's stdout, or None if it is missing, fails or hangs."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=5, check=False)  # noqa: S603 - fixed argv
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.debug("%s: %s", argv[0], exc)
        return None
    if done.returncode != 0:
        log.debug("%s exited %s: %s", argv[0], done.returncode, done.stderr.strip()[:200])
        return None
    return done.stdout


def parse_nvidia_smi(out: str) -> list[tuple[str, int]]:
    """``name, memory.total`` CSV lines (MiB, no units) as (name, bytes), one per GPU."""
    gpus = []
    for line in out.splitlines():
        name, _, mib = line.rpartition(",")
        try:
            gpus.append((name.strip() or "NVIDIA GPU", int(float(mib.strip())) * 1024**2))
        except ValueError:  # "[N/A]" on boards without dedicated memory
            continue
    return gpus


def parse_rocm_smi(out: str) -> list[tuple[str, int]]:
    """``rocm-smi --showmeminfo vram --json`` as (card, bytes), one per GPU."""
    try:
        data = json.loads(out)
    except ValueError:
        return []
    gpus = []
    for card, fields in data.items() if isinstance(data, dict) else ():
        if not isinstance(fields, dict):
            continue
        totals = [v for k, v in fields.items() if "total memory" in k.lower() and "used" not in k.lower()]
        try:
            gpus.append((f"AMD GPU ({card})", int(str(totals[0]))))
        except (IndexError, ValueError):
            continue
    return gpus


def _apple_usable(memsize: int) -> int:
    """Metal lets the GPU use about 2/3 of unified memory (3/4 above 36 GB) by default."""
    return int(memsize * (0.75 if memsize > 36 * GB else 2 / 3))


def detect_accelerator(
    run: Runner = _run, system: str = sys.platform, machine: str | None = None
) -> Accelerator:
    """Ask NVIDIA, then AMD, then (Apple silicon) the unified memory; else CPU only.

    With several GPUs the largest one counts: a model split across cards is slower than one
    that fits on a single card, so the recommendation stays on the safe side.
    """
    out = run(["nvidia-smi", "--query-gpu=name,memory.total", "--format=csv,noheader,nounits"])
    gpus = parse_nvidia_smi(out) if out else []
    if gpus:
        name, memory = max(gpus, key=lambda g: g[1])
        return Accelerator("nvidia", name, memory)
    out = run(["rocm-smi", "--showmeminfo", "vram", "--json"])
    gpus = parse_rocm_smi(out) if out else []
    if gpus:
        name, memory = max(gpus, key=lambda g: g[1])
        return Accelerator("amd", name, memory)
    if system == "darwin" and (machine or platform.machine()) == "arm64":
        out = run(["sysctl", "-n", "hw.memsize"])
        try:
            memsize = int((out or "").strip())
        except ValueError:
            memsize = 0
        if memsize:
            return Accelerator("apple", "Apple silicon", _apple_usable(memsize))
    return Accelerator("cpu", "CPU", 0)
