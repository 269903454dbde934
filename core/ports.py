"""The seams the loop talks through; concrete parts are wired in ``deskhand.app.wiring``.

Each port is a small Protocol so tests can pass plain fakes (``tests/fakes.py``) and the
app can swap a terminal approver for a dialog without the loop knowing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from deskhand.core.actions import Action, Decision
from deskhand.core.geometry import Grid, ModelSpace, Size
from deskhand.core.observation import Completion, Conversation, Observation
from deskhand.core.outcome import ExecResult, StepMemory, Unparseable
from deskhand.core.policy import Approved, UserAnswer
from deskhand.core.trace import StepRecord
from deskhand.core.verdict import Verdict

ShouldStop = Callable[[], bool]


class Screen(Protocol):
    """Takes a screenshot, already resized to the dialect's grid and encoded."""

    def observe(self) -> Observation: ...


class Model(Protocol):
    """Answers a conversation; raises ModelUnavailable / ModelError / Stopped."""

    name: str

    def complete(self, conversation: Conversation, *, should_stop: ShouldStop) -> Completion: ...


class Dialect(Protocol):
    """One model family's prompt, coordinate convention and output grammar."""

    name: str
    grid: Grid

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


class Settler(Protocol):
    """Waits after an action until the screen has stopped changing (with a cap)."""

    def settle(self, action: Action, observation: Observation) -> None: ...


class Clock(Protocol):
    def now(self) -> float: ...


class StepSink(Protocol):
    """Receives each finished step (trace files, terminal, audit database, UI)."""

    def record(self, step: StepRecord, observation: Observation) -> None: ...
