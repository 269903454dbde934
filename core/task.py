"""What one task is made of: its parts, its limits, how it ended, and the state its steps share.

Kept apart from the loop (``deskhand.core.loop``) and the step (``deskhand.core.step``) so
both read as their stages; ``deskhand.core.loop`` is where callers import these from.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from deskhand.core.actions import Decision
from deskhand.core.memory import MemoryFact, prompt_with_memories
from deskhand.core.outcome import StepMemory
from deskhand.core.pause import PauseToken
from deskhand.core.planning import Planner
from deskhand.core.pointer import Pointer
from deskhand.core.ports import (
    ActionJournal,
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
from deskhand.core.refine import Refiner
from deskhand.core.repeat_guard import RepeatGuard
from deskhand.core.tools import ToolKey
from deskhand.core.typed_line import TypedLines
from deskhand.core.verdict import Verdict
from deskhand.core.warm_up import WarmUp

__all__ = ["Limits", "Parts", "TaskResult", "TaskRun", "TaskStatus"]


class TaskStatus(StrEnum):
    FINISHED = "finished"
    GAVE_UP = "gave_up"
    FAILED = "failed"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class TaskResult:
    """How a task ended; ``history`` is what its steps left for the model, so a follow-up
    ("now also save it") can go on from there (``run_task(..., history=...)``)."""

    status: TaskStatus
    message: str
    steps: int
    history: tuple[StepMemory, ...] = field(default=(), compare=False, repr=False)


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
    refiner: Refiner | None = None  # element list, snapping and zoom-in (None: points as given)
    unlocked: frozenset[str] = frozenset()  # block rules the user lets ask instead (settings)
    faults: FaultWaiter | None = None  # None: a model-server fault ends the task
    # The remembered facts relevant to a task (``deskhand.core.memory``); None: no memory.
    recall: Callable[[str], Sequence[MemoryFact]] | None = None
    tools: Mapping[ToolKey, Verdict] = field(default_factory=dict)  # MCP tools offered, judged
    journals: Sequence[ActionJournal] = ()  # told before and after each action executes
    pause: PauseToken = field(default_factory=PauseToken)  # the user's "Take over"
    planner: Planner | None = None  # says the next step in words; ``model`` grounds it
    # Where the check between one answer's actions looks again (``deskhand.core.between``);
    # None: ``screen``.  The tray's does not show its glance as a new step.
    look_again: Screen | None = None


@dataclass
class TaskRun:
    """What the steps of one task share: its memory, the user's permissions, the guard,
    and the line each window holds unsent (what Enter would make a terminal run)."""

    task: str
    parts: Parts
    limits: Limits
    history: list[StepMemory] = field(default_factory=list)
    allowed: set[tuple[str, ...]] = field(default_factory=set)
    guard: RepeatGuard = field(default_factory=RepeatGuard)
    lines: TypedLines = field(default_factory=TypedLines)
    warm_up: WarmUp | None = None
    memories: tuple[MemoryFact, ...] = ()
    # Text typed into password fields: kept out of the record and of memory.
    secrets: set[str] = field(default_factory=set)

    @property
    def prompt(self) -> str:
        """The task as the model reads it, with the facts it should remember."""
        return prompt_with_memories(self.task, self.memories)

    pointer: Pointer | None = None  # where our last pointer action left it
