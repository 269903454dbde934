"""``--trace DIR``: steps.jsonl plus the exact screenshot each step was decided on.

Each line is written and flushed (and fsynced) as its step ends, so a crash loses at most
the step in progress and never leaves a half-written line behind a complete one.  The
folder (when Deskhand creates it) is 0700 and every file 0600, as for the audit log:
screenshots of a user's desktop are private.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO, Any

from deskhand.core.errors import UsageError
from deskhand.core.observation import Observation
from deskhand.core.trace import StepRecord

_PRIVATE_FILE = 0o600
_PRIVATE_DIR = 0o700


def _open_private(path: Path, mode: str) -> IO[Any]:
    """Open ``path`` for writing ("w"/"a"/"wb"), created 0600 and kept 0600 if it existed."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if "a" in mode else os.O_TRUNC)
    fd = os.open(path, flags, _PRIVATE_FILE)
    try:
        os.fchmod(fd, _PRIVATE_FILE)
        return os.fdopen(fd, mode, encoding=None if "b" in mode else "utf-8")
    except BaseException:
        os.close(fd)
        raise


class TraceDirectory:
    """A ``StepSink`` that writes the DESIGN.md step record into a folder."""

    def __init__(self, path: Path) -> None:
        old_umask = os.umask(0o077)  # folders made here (and their parents) are 0700
        try:
            created = not path.exists()
            path.mkdir(parents=True, exist_ok=True, mode=_PRIVATE_DIR)
            if created:
                os.chmod(path, _PRIVATE_DIR)
            self._steps = _open_private(path / "steps.jsonl", "a")
        except OSError as exc:
            raise UsageError(f"Tried to write the trace to {path}, but {exc.strerror}.") from exc
        finally:
            os.umask(old_umask)
        self.path = path

    def record(self, step: StepRecord, observation: Observation) -> None:
        suffix = ".jpg" if observation.mime == "image/jpeg" else ".png"
        name = step.screenshot.rsplit(".", 1)[0] + suffix
        with _open_private(self.path / name, "wb") as image:
            image.write(observation.image)
        self._write_line(step.to_json_dict() | {"screenshot": name})

    def finish(self, summary: dict[str, Any]) -> None:
        with _open_private(self.path / "task.json", "w") as file:
            file.write(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
        self._steps.close()

    def _write_line(self, data: dict[str, Any]) -> None:
        self._steps.write(json.dumps(data, ensure_ascii=False) + "\n")
        self._steps.flush()
        os.fsync(self._steps.fileno())
