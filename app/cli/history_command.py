"""``deskhand history [--limit N] [TASK_ID]``: recorded tasks in the terminal.

The words come from ``history_views``, which the History window shares.
"""

from __future__ import annotations

import argparse
import sys

from deskhand.app.cli.terminal import one_line, printable
from deskhand.app.store.audit_log import AuditLog, StoredStep, TaskSummary
from deskhand.app.store.config import load_settings
from deskhand.app.store.history_views import (
    format_duration,
    format_time,
    step_view,
    task_duration,
    task_label,
)
from deskhand.app.store.settings_store import audit_log_path
from deskhand.core.errors import UsageError

__all__ = ["run_history"]

DEFAULT_LIMIT = 20


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
