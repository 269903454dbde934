"""``deskhand history [--limit N] [TASK_ID]``, and the plain-text views the History window shares.

Why the window's text lives here: a step read in the terminal and in the window should say
the same thing in the same words, and plain functions are testable without a display.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter, ValidationError

from deskhand.app.audit_log import AuditLog, StoredStep, TaskSummary
from deskhand.app.config import load_settings
from deskhand.app.settings_store import audit_log_path
from deskhand.app.terminal import one_line, printable
from deskhand.core.actions import Action, describe
from deskhand.core.errors import UsageError
from deskhand.core.trace import STAGES, StepRecord

__all__ = [
    "StepView",
    "format_duration",
    "format_time",
    "run_history",
    "step_view",
    "task_duration",
    "task_label",
]

DEFAULT_LIMIT = 20
_ACTION = TypeAdapter(Action)


def format_time(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(epoch))


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes} min {secs:02d} s"


def plural(count: int, noun: str, nouns: str = "") -> str:
    """ "1 vision model", "2 vision models": the count with the noun in the right number."""
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def task_duration(task: TaskSummary) -> float | None:
    return None if task.finished_at is None else max(0.0, task.finished_at - task.started_at)


def _describe(action: dict[str, Any]) -> str:
    """The recorded action in the words the loop used; raw JSON if it no longer validates."""
    try:
        return describe(_ACTION.validate_python(action))
    except ValidationError:
        return json.dumps(action, ensure_ascii=False)


def _marks(action: dict[str, Any]) -> list[tuple[float, float]]:
    """Image-pixel points a pointer action aimed at (drag: both ends)."""
    points = []
    for key in ("at", "start", "end"):
        value = action.get(key)
        if isinstance(value, dict) and {"x", "y"} <= value.keys():
            points.append((float(value["x"]), float(value["y"])))
    return points


@dataclass(frozen=True, slots=True)
class StepView:
    """One recorded step as text lines, plus where to mark its targets on the screenshot."""

    number: int
    thought: str
    raw_output: str
    actions: list[str]
    verdicts: list[str]
    answers: list[str]
    outcome: str
    timings: str
    marks: list[tuple[float, float]]
    image_size: tuple[int, int]


def step_view(record: StepRecord) -> StepView:
    answers = [a.replace("_", " ") for a in record.user_answers if a is not None]
    stages = [f"{s} {record.timings_ms.get(s, 0):.0f}" for s in STAGES if record.timings_ms.get(s)]
    timings = " · ".join([*stages, f"total {record.timings_ms.get('total', 0):.0f} ms"])
    return StepView(
        number=record.step,
        thought=record.thought,
        raw_output=record.raw_output,
        actions=[_describe(a) for a in record.actions],
        verdicts=[f"{v.get('level', '?')}: {v.get('reason', '')}" for v in record.verdicts],
        answers=answers,
        outcome=record.outcome,
        timings=timings,
        marks=[p for a in record.actions for p in _marks(a)],
        image_size=record.image_size,
    )


def task_label(task: TaskSummary) -> str:
    """The task's words, marked when a schedule (not the user) started it."""
    return f"[scheduled] {task.task}" if task.origin == "scheduled" else task.task


def _task_table(tasks: list[TaskSummary]) -> str:
    width = max(2, *(len(str(t.id)) for t in tasks))
    lines = [f"{'ID':>{width}}  {'STARTED':<19}  {'STATUS':<11}  {'STEPS':>5}  {'TIME':>9}  TASK"]
    for t in tasks:
        lines.append(
            f"{t.id:>{width}}  {format_time(t.started_at):<19}  {t.status:<11}  {t.steps:>5}  "
            f"{format_duration(task_duration(t)):>9}  {one_line(task_label(t), None)}"
        )
    return "\n".join(lines) + "\n"


def _field(label: str, value: str) -> list[str]:
    """``  label     value``, a value of several lines (a summary, shell output) continuing
    under its first line, so the labels stay a column; each line made printable."""
    lines = value.splitlines() or [""]
    while len(lines) > 1 and not lines[-1].strip():
        lines.pop()
    first, *rest = (printable(line) for line in lines)
    return [f"  {label:<9} {first}".rstrip(), *(f"{'':12}{line}".rstrip() for line in rest)]


def _task_detail(task: TaskSummary, steps: list[StoredStep]) -> str:
    status = task.status + (f": {task.message}" if task.message else "")
    out = [
        f"Task {task.id}: {one_line(task_label(task), None)}",
        *_field("model", f"{task.model} ({task.dialect}) on {task.host}"),
        *_field("started", f"{format_time(task.started_at)}, took {format_duration(task_duration(task))}"),
        *_field("status", status),
    ]
    for stored in steps:
        view = step_view(stored.record)
        cut_short = "" if stored.finished else ", not finished"
        out.append(f"step {view.number}  ({format_time(stored.recorded_at)}{cut_short})")
        if view.thought:
            out += _field("thought", view.thought)
        out += _field("actions", "; ".join(view.actions) or "-")
        out += _field("verdicts", "; ".join(view.verdicts) or "-")
        if view.answers:
            out += _field("answers", "; ".join(view.answers))
        out += _field("outcome", view.outcome)
        out += _field("timings", view.timings)
    if not steps:
        out.append("(no steps were recorded)")
    return "\n".join(out) + "\n"


def run_history(args: argparse.Namespace) -> int:
    """List tasks newest first, or (with TASK_ID) one task's steps; exit code 0."""
    path = audit_log_path(load_settings())
    task_id: int | None = getattr(args, "task_id", None)
    limit: int = getattr(args, "limit", None) or DEFAULT_LIMIT
    if not path.exists():  # don't create an empty database just to say it is empty
        if task_id is not None:
            raise UsageError(f"There is no task {task_id}: no history has been recorded yet at {path}.")
        sys.stdout.write(f"No tasks recorded yet (history is kept in {path}).\n")
        return 0
    log = AuditLog(path)
    try:
        if task_id is None:
            tasks = log.tasks(limit)
            sys.stdout.write(_task_table(tasks) if tasks else f"No tasks recorded yet (history: {path}).\n")
            return 0
        task = log.task(task_id)
        if task is None:
            raise UsageError(
                f"There is no task {task_id} in the history at {path}. List the tasks with `deskhand history`."
            )
        sys.stdout.write(_task_detail(task, log.steps(task_id)))
        return 0
    finally:
        log.close()
