"""GPU memory detection from vendor tool output, and the memory → model table."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest

from deskhand.app.platform.hardware import (
    GB,
    RECOMMENDATIONS,
    TEXT_CONTEXT_GB,
    VISION_CONTEXT_GB,
    Accelerator,
    detect_accelerator,
    parse_nvidia_smi,
    parse_rocm_smi,
    recommend,
    recommend_planner,
)

MIB = 1024**2
# Captured shapes of `nvidia-smi --query-gpu=name,memory.total --format=csv,noheader,nounits`.
NVIDIA_ONE = "NVIDIA GeForce RTX 4090, 24564\n"
NVIDIA_TWO = "NVIDIA GeForce RTX 3060, 12288\nNVIDIA GeForce GTX 1650, 4096\n"
NVIDIA_NA = "NVIDIA GB10, [N/A]\n"
ROCM = json.dumps(
    {
        "card0": {"VRAM Total Memory (B)": "17163091968", "VRAM Total Used Memory (B)": "1073741824"},
        "card1": {"VRAM Total Memory (B)": "8573157376", "VRAM Total Used Memory (B)": "0"},
    }
)


class FakeTools:
    """Answers like the vendor tools a machine has; records what was asked."""

    def __init__(self, outputs: dict[str, str]) -> None:
        self.outputs = outputs
        self.asked: list[str] = []

    def __call__(self, argv: Sequence[str]) -> str | None:
        self.asked.append(argv[0])
        return self.outputs.get(argv[0])


def test_nvidia_smi_lines_become_bytes_per_gpu() -> None:
    assert parse_nvidia_smi(NVIDIA_ONE) == [("NVIDIA GeForce RTX 4090", 24564 * MIB)]
    assert [m for _, m in parse_nvidia_smi(NVIDIA_TWO)] == [12288 * MIB, 4096 * MIB]


def test_nvidia_smi_without_a_number_is_no_gpu() -> None:
    assert parse_nvidia_smi(NVIDIA_NA) == []
    assert parse_nvidia_smi("") == []


def test_rocm_smi_json_gives_total_vram_not_used() -> None:
    assert parse_rocm_smi(ROCM) == [("AMD GPU (card0)", 17163091968), ("AMD GPU (card1)", 8573157376)]
    assert parse_rocm_smi("not json") == []


def test_the_largest_nvidia_card_counts() -> None:
    found = detect_accelerator(FakeTools({"nvidia-smi": NVIDIA_TWO}))
    assert (found.kind, found.name, found.memory) == ("nvidia", "NVIDIA GeForce RTX 3060", 12288 * MIB)


def test_amd_is_asked_when_there_is_no_nvidia() -> None:
    tools = FakeTools({"rocm-smi": ROCM})
    found = detect_accelerator(tools, system="linux")
    assert (found.kind, found.memory) == ("amd", 17163091968)
    assert tools.asked == ["nvidia-smi", "rocm-smi"]


def test_apple_silicon_uses_part_of_unified_memory() -> None:
    found = detect_accelerator(FakeTools({"sysctl": "17179869184\n"}), system="darwin", machine="arm64")
    assert found.kind == "apple"
    assert found.memory == pytest.approx(16 * GB * 2 / 3, rel=1e-6)
    assert "shared with the system" in found.describe()


def test_intel_macs_and_machines_without_tools_run_on_the_cpu() -> None:
    assert (
        detect_accelerator(FakeTools({"sysctl": "17179869184"}), system="darwin", machine="x86_64").kind
        == "cpu"
    )
    cpu = detect_accelerator(FakeTools({}), system="linux")
    assert (cpu.kind, cpu.memory) == ("cpu", 0)
    assert "No GPU found" in cpu.describe()


@pytest.mark.parametrize(
    ("gigabytes", "model"),
    [
        (0, "qwen2.5vl:3b"),
        (4, "qwen2.5vl:3b"),
        (6, "qwen2.5vl:3b"),
        (8, "qwen2.5vl:7b"),
        (12, "qwen2.5vl:7b"),
        (16, "qwen2.5vl:7b"),
        (24, "qwen2.5vl:32b"),
        (48, "qwen2.5vl:32b"),
        (96, "qwen2.5vl:72b"),
    ],
)
def test_the_table_picks_by_gpu_memory(gigabytes: float, model: str) -> None:
    assert recommend(Accelerator("nvidia", "GPU", int(gigabytes * GB))).model == model


def test_a_24_gb_card_reported_by_nvidia_smi_gets_the_32b() -> None:
    # 24564 MiB is what a "24 GB" RTX 4090 reports: a hair under 24 GiB.
    found = detect_accelerator(FakeTools({"nvidia-smi": NVIDIA_ONE}))
    assert recommend(found).model == "qwen2.5vl:32b"
    assert recommend(Accelerator("nvidia", "GPU", 4096 * MIB)).model == "qwen2.5vl:3b"  # a 4 GB card


def test_every_recommended_download_fits_the_memory_it_is_recommended_for() -> None:
    thresholds = [r.min_gb for r in RECOMMENDATIONS]
    assert thresholds == sorted(thresholds)
    for row in RECOMMENDATIONS[1:]:
        assert row.download_gb < row.min_gb
        assert "vl" in row.model


@pytest.mark.parametrize(
    ("gigabytes", "planner"),
    [
        (0, None),  # CPU only: a second model would double each step's time
        (8, None),  # the 7B's own room
        (12, None),  # 7B + the smallest planner would be 12.5 GB: not clean
        (16, "qwen3:4b"),
        (20, "qwen3:8b"),
        (24, None),  # the 32B fills the card
    ],
)
def test_a_planner_is_suggested_only_where_the_pair_fits_cleanly(
    gigabytes: float, planner: str | None
) -> None:
    kind = "cpu" if gigabytes == 0 else "nvidia"
    gpu = Accelerator(kind, "card", int(gigabytes * GB))
    grounder = recommend(gpu)
    advice = recommend_planner(gpu, grounder)
    assert (advice.model if advice else None) == planner
    if advice is not None:
        needed = grounder.download_gb + VISION_CONTEXT_GB + advice.download_gb + TEXT_CONTEXT_GB
        assert needed <= gigabytes * 0.9
