"""The seams the loop talks through; concrete parts are wired in ``deskhand.app.wiring``.

Each port is a small Protocol so tests can pass plain fakes (``tests/fakes.py``) and the
app can swap a terminal approver for a dialog without the loop knowing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from deskhand.core.actions import Action, Decision
from deskhand.core.approval import Approved, UserAnswer
from deskhand.core.element_info import ElementInfo
from deskhand.core.elements import SeenElement
from deskhand.core.errors import DeskhandError
from deskhand.core.geometry import Frame, Grid, ModelSpace, Rect, ScreenPoint, Size
from deskhand.core.observation import Completion, Conversation, Observation
from deskhand.core.outcome import ExecResult, OutcomeEntry, StepMemory, Unparseable
from deskhand.core.trace import StepRecord
from deskhand.core.verdict import Verdict

__all__ = [
    "ActionJournal",
    "Approver",
    "Clock",
    "Dialect",
    "ElementSource",
    "Executor",
    "FaultWaiter",
    "Inspector",
    "MemoryWriter",
    "Model",
    "Screen",
    "Settler",
    "ShouldStop",
    "StepSink",
    "ToolRunner",
    "Zoomer",
]

ShouldStop = Callable[[], bool]


class Screen(Protocol):
    """Takes a screenshot, already resized to the dialect's grid and encoded."""

    def observe(self) -> Observation: ...


class Model(Protocol):
    """Answers a conversation; raises ModelUnavailable / ModelError / Stopped."""

    name: str

    def complete(self, conversation: Conversation, *, should_stop: ShouldStop) -> Completion: ...


class Dialect(Protocol):
    """One model family's prompt, coordinate convention and output grammar (immutable)."""

    @property
    def name(self) -> str: ...

    @property
    def grid(self) -> Grid: ...

    @property
    def frame(self) -> Frame: ...

    def model_space(self, image_size: Size) -> ModelSpace: ...

    def conversation(
        self, task: str, history: Sequence[StepMemory], observation: Observation
    ) -> Conversation: ...

    def repair(self, conversation: Conversation, raw: str, problem: str) -> Conversation: ...

    def parse(self, raw: str, observation: Observation) -> Decision | Unparseable: ...


class Approver(Protocol):
    """Asks the user about confirm-level actions and answers the model's questions."""

    def confirm(self, action: Action, verdict: Verdict, observation: Observation) -> UserAnswer: ...

    def answer(self, question: str) -> str | None: ...


class Executor(Protocol):
    """Carries out approved actions; raises ExecutionFailed when it cannot."""

    def execute(self, approved: Approved[Action], *, should_stop: ShouldStop) -> ExecResult: ...

    def release_all(self) -> None: ...

    def close(self) -> None: ...


class ToolRunner(Protocol):
    """Calls MCP servers' tools for approved ``CallTool`` actions; raises ExecutionFailed when a
    server fails, hangs or answers nonsense, so the model is told and the task goes on."""

    def execute(self, approved: Approved[Action], *, should_stop: ShouldStop) -> ExecResult: ...

    def close(self) -> None: ...


class Settler(Protocol):
    """Waits after an action until the screen has stopped changing (with a cap)."""

    def settle(self, action: Action, observation: Observation) -> None: ...


class Clock(Protocol):
    def now(self) -> float: ...


class StepSink(Protocol):
    """Receives each finished step (trace files, terminal, audit database, UI)."""

    def record(self, step: StepRecord, observation: Observation) -> None: ...


class ActionJournal(Protocol):
    """Told of each approved action right before it is executed and right after it ended.

    So a crash between the two (``kill -9``, power loss) leaves the action on record as
    ``STARTED`` ("started, not finished"), and one after it with its outcome, while the step
    as a whole goes to the ``StepSink``s only when it ends.  ``step`` is the step's record
    so far: its last action is the one concerned; in ``started`` its outcome ends with
    ``STARTED``, in ``ended`` with ``outcome``, that action's own outcome (its kind, and its
    words, which a journal writes where it keeps a string).  Raising (say, the disk is
    full) stops the task before the action runs: nothing is done unrecorded.
    """

    def started(self, step: StepRecord, observation: Observation) -> None: ...

    def ended(self, step: StepRecord, outcome: OutcomeEntry, observation: Observation) -> None: ...


class Inspector(Protocol):
    """Tells what is at a screen point (and what has keyboard focus) on one observation.

    The policy judges clicks and typing by it (``deskhand.core.element_info``).  ``prepare`` is a
    hint given as the model is asked about an observation: slow work (OCR of the whole
    screenshot) may start in the background then, so it is done by the time the model
    answers.  Lookups must be quick and return ``None`` rather than guess.
    """

    def prepare(self, observation: Observation) -> None: ...

    def inspect(self, point: ScreenPoint, observation: Observation) -> ElementInfo | None: ...

    def focused(self, observation: Observation) -> ElementInfo | None: ...


class ElementSource(Protocol):
    """The active window's interactive elements for one observation, from a source that can
    be trusted to describe what is on top (the accessibility tree of the active window);
    ``None`` when it cannot (no tree, an empty one, another window in front)."""

    def elements(self, observation: Observation) -> Sequence[SeenElement] | None: ...


class Zoomer(Protocol):
    """Cuts ``region`` (desktop rectangle) out of the full-resolution grab ``observation``
    was made from and makes it a screenshot of its own on ``grid`` (None if that grab is
    gone); its geometry maps its pixels to the desktop like any observation's."""

    def zoom(self, observation: Observation, region: Rect, grid: Grid) -> Observation | None: ...


class MemoryWriter(Protocol):
    """Keeps a fact the user approved (a ``Remember`` action); returns its id."""

    def remember(self, text: str) -> int: ...


class FaultWaiter(Protocol):
    """Decides what happens when the model server fails mid-task with a transient error.

    ``wait_to_retry`` tells the user the task is paused and why, waits, and returns True to
    run the step again, or False to give up (the loop then raises ``error``); it raises
    ``Stopped`` if the user stops meanwhile.  ``resumed`` is called once the server
    answers again.  Nothing of the task is lost while it waits.
    """

    def wait_to_retry(self, error: DeskhandError, attempt: int) -> bool: ...

    def resumed(self) -> None: ...
