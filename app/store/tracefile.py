"""``--trace DIR``: steps.jsonl plus the exact screenshot each step was decided on.

Each line is written and flushed (and fsynced) as its step ends, so a crash loses at most
the step in progress and never leaves a half-written line behind a complete one.  What the
step in progress was doing is in ``actions.jsonl``: a ``started`` line (step, action,
verdict, user answer) before each approved action runs and an ``ended`` line with its
outcome after -- the trace is an ``ActionJournal`` like the audit log -- so after a crash a
``started`` line with no ``ended`` is the action that was cut short.  A write that fails (a
full disk) raises ``SetupError``: the task stops before its next action.  The folder (when
Deskhand creates it) is 0700 and every file 0600, as for the audit log: screenshots of a
user's desktop are private.
"""

from __future__ import annotations

import json
import os
from contextlib import suppress
from pathlib import Path
from typing import IO, Any

from deskhand.core.errors import SetupError, UsageError
from deskhand.core.observation import Observation
from deskhand.core.outcome import OutcomeEntry
from deskhand.core.trace import StepRecord, action_json

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
            self._actions = _open_private(path / "actions.jsonl", "a")
        except OSError as exc:
            raise UsageError(f"Tried to write the trace to {path}, but {exc.strerror}.") from exc
        finally:
            os.umask(old_umask)
        self.path = path

    def started(self, step: StepRecord, observation: Observation) -> None:
        written = step.to_json_dict()
        line = {"step": step.step, "event": "started", "action": written["actions"][-1],
                "verdict": written["verdicts"][-1], "user_answer": written["user_answers"][-1]}  # fmt: skip
        self._write_line(self._actions, line, f"record step {step.step}'s action before running it")

    def ended(self, step: StepRecord, outcome: OutcomeEntry, observation: Observation) -> None:
        line = {
            "step": step.step,
            "event": "ended",
            "action": action_json(step.actions[-1]),
            "outcome": outcome.words,
        }
        self._write_line(self._actions, line, f"record the outcome of step {step.step}'s action")

    def record(self, step: StepRecord, observation: Observation) -> None:
        suffix = ".jpg" if observation.mime == "image/jpeg" else ".png"
        name = step.screenshot.rsplit(".", 1)[0] + suffix
        try:
            with _open_private(self.path / name, "wb") as image:
                image.write(observation.image)
        except OSError as exc:
            raise self._failed(f"write step {step.step}'s screenshot", exc) from exc
        self._write_line(self._steps, step.to_json_dict() | {"screenshot": name}, f"record step {step.step}")

    def finish(self, summary: dict[str, Any]) -> None:
        try:
            with _open_private(self.path / "task.json", "w") as file:
                file.write(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
        except OSError as exc:
            raise self._failed("write task.json", exc) from exc
        finally:
            for file in (self._steps, self._actions):
                with suppress(OSError):  # buffered text that cannot be written now: reported above
                    file.close()

    def _write_line(self, file: IO[Any], data: dict[str, Any], what: str) -> None:
        try:
            file.write(json.dumps(data, ensure_ascii=False) + "\n")
            file.flush()
            os.fsync(file.fileno())
        except OSError as exc:
            raise self._failed(what, exc) from exc

    def _failed(self, what: str, exc: OSError) -> SetupError:
        return SetupError(
            f"Tried to {what} in the trace folder {self.path}, but {exc.strerror or exc}. Nothing more was "
            "done. Free some space there (or choose another --trace folder), then run the task again."
        )
