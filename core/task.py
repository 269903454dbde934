"""What one task is made of: its parts, its limits, how it ended, and the state its steps share.

Kept apart from the loop (``deskhand.core.loop``) and the step (``deskhand.core.step``) so
both read as their stages; ``deskhand.core.loop`` is where callers import these from.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from deskhand.core.actions import Decision
from deskhand.core.outcome import StepMemory
from deskhand.core.pointer import Pointer
from deskhand.core.ports import (
    Approver,
    Clock,
    Dialect,
    Executor,
    FaultWaiter,
    Inspector,
    Model,
    Screen,
    Settler,
    ShouldStop,
    StepSink,
)
from deskhand.core.repeat_guard import RepeatGuard
from deskhand.core.warm_up import WarmUp


class TaskStatus(StrEnum):
    FINISHED = "finished"
    GAVE_UP = "gave_up"
    FAILED = "failed"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class TaskResult:
    status: TaskStatus
    message: str
    steps: int


@dataclass(frozen=True, slots=True)
class Limits:
    max_steps: int = 30
    max_repairs: int = 1
    max_seconds: float = 1800.0


def _never() -> bool:
    return False


@dataclass(frozen=True)
class Parts:
    """The concrete parts one task runs with (see ``deskhand.app.wiring``)."""

    screen: Screen
    model: Model
    dialect: Dialect
    approver: Approver
    executor: Executor
    settler: Settler
    clock: Clock
    sinks: Sequence[StepSink] = ()
    should_stop: ShouldStop = field(default=_never)
    on_decision: Callable[[int, Decision], None] | None = None
    warm_up: Callable[[], None] | None = None
    ask_every_action: bool = False
    inspector: Inspector | None = None  # what a click lands on / typing goes into
    unlocked: frozenset[str] = frozenset()  # block rules the user lets ask instead (settings)
    faults: FaultWaiter | None = None  # None: a model-server fault ends the task


@dataclass
class TaskRun:
    """What the steps of one task share: its memory, the user's permissions, the guard."""

    task: str
    parts: Parts
    limits: Limits
    history: list[StepMemory] = field(default_factory=list)
    allowed: set[tuple[str, str]] = field(default_factory=set)
    guard: RepeatGuard = field(default_factory=RepeatGuard)
    warm_up: WarmUp | None = None
    pointer: Pointer | None = None  # where our last pointer action left it
