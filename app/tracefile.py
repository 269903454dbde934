"""``--trace DIR``: steps.jsonl plus the exact screenshot each step was decided on.

Each line is written and flushed (and fsynced) as its step ends, so a crash loses at most
the step in progress and never leaves a half-written line behind a complete one.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from deskhand.core.errors import UsageError
from deskhand.core.observation import Observation
from deskhand.core.trace import StepRecord


class TraceDirectory:
    """A ``StepSink`` that writes the DESIGN.md step record into a folder."""

    def __init__(self, path: Path) -> None:
        try:
            path.mkdir(parents=True, exist_ok=True)
            self._steps = (path / "steps.jsonl").open("a", encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"Tried to write the trace to {path}, but {exc.strerror}.") from exc
        self.path = path

    def record(self, step: StepRecord, observation: Observation) -> None:
        suffix = ".jpg" if observation.mime == "image/jpeg" else ".png"
        name = step.screenshot.rsplit(".", 1)[0] + suffix
        (self.path / name).write_bytes(observation.image)
        self._write_line(step.to_json_dict() | {"screenshot": name})

    def finish(self, summary: dict[str, Any]) -> None:
        (self.path / "task.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
        self._steps.close()

    def _write_line(self, data: dict[str, Any]) -> None:
        self._steps.write(json.dumps(data, ensure_ascii=False) + "\n")
        self._steps.flush()
        os.fsync(self._steps.fileno())
