"""Step records for the UI tests: one base record, each test names only the fields it is about."""

from __future__ import annotations

from deskhand.core.trace import StepRecord


def step_record(step: int = 1, **fields: object) -> StepRecord:
    """A step of a qwen2.5-vl task at 1316x728 on a 1920x1080 screen, with ``fields`` replaced."""
    base: dict[str, object] = {
        "step": step,
        "observation_id": f"o{step}",
        "screenshot": f"step-{step:03d}.jpg",
        "image_size": (1316, 728),
        "screen_rect": (0, 0, 1920, 1080),
        "model": "m",
        "dialect": "qwen2.5-vl",
        "raw_output": "",
        "outcome": "executed",
        "timings_ms": {},
    }
    return StepRecord(**{**base, **fields})
