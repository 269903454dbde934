"""The plain-text views of recorded tasks that ``deskhand history`` and the History window share.

A step read in the terminal and in the window should say the same thing in the same words,
and plain functions are testable without a display.  Nothing here prints or parses
arguments: the windows import this, never the CLI command.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from deskhand.app.store.audit_log import TaskSummary
from deskhand.core.landing import pointer_path
from deskhand.core.trace import STAGES, RecordedAction, StepRecord, UnreadableAction, describe_recorded

__all__ = ["StepView", "format_duration", "format_time", "plural", "step_view", "task_duration", "task_label"]


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


def _marks(action: RecordedAction) -> list[tuple[float, float]]:
    """Image-pixel points a pointer action aimed at (drag: both ends); none if unreadable."""
    if isinstance(action, UnreadableAction):
        return []
    return [(p.x, p.y) for p in pointer_path(action)]


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
    answers = [a.name.lower().replace("_", " ") for a in record.user_answers if a is not None]
    stages = [f"{s} {record.timings_ms.get(s, 0):.0f}" for s in STAGES if record.timings_ms.get(s)]
    timings = " · ".join([*stages, f"total {record.timings_ms.get('total', 0):.0f} ms"])
    return StepView(
        number=record.step,
        thought=record.thought,
        raw_output=record.raw_output,
        actions=[describe_recorded(a) for a in record.actions],
        verdicts=[f"{v.level.value}: {v.reason}" for v in record.verdicts],
        answers=answers,
        outcome=record.outcome_text,
        timings=timings,
        marks=[p for a in record.actions for p in _marks(a)],
        image_size=record.image_size,
    )


def task_label(task: TaskSummary) -> str:
    """The task's words, marked when a schedule (not the user) started it."""
    return f"[scheduled] {task.task}" if task.origin == "scheduled" else task.task
