"""Plain fakes of the loop's ports, for tests of the pure core (no display, no HTTP)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from deskhand.core.actions import Action, Decision
from deskhand.core.approval import Approved, UserAnswer
from deskhand.core.errors import ExecutionFailed
from deskhand.core.geometry import Grid, ModelSpace, Rect, ScreenGeometry, Size
from deskhand.core.loop import Parts
from deskhand.core.observation import Completion, Conversation, Observation, Turn
from deskhand.core.outcome import ExecResult, StepMemory, Unparseable
from deskhand.core.trace import StepRecord
from deskhand.core.verdict import Verdict

GEOMETRY = ScreenGeometry(image_size=Size(1316, 728), screen_rect=Rect(0, 0, 1920, 1080))
HALF_SIZE = ScreenGeometry(image_size=Size(800, 600), screen_rect=Rect(0, 0, 1600, 1200))


class FakeClock:
    """A clock that moves ``step`` seconds each time it is read, from ``start``."""

    def __init__(self, start: float = 0.0, step: float = 0.001) -> None:
        self.t = start
        self.step = step

    def now(self) -> float:
        self.t += self.step
        return self.t


def jpeg_observation(geometry: ScreenGeometry = HALF_SIZE) -> Observation:
    """The step log's first observation ("obs-1"): a JPEG header, 1 ms to capture and encode."""
    return Observation("obs-1", b"\xff\xd8jpeg", "image/jpeg", geometry, capture_ms=1.0, encode_ms=1.0)


def never() -> bool:
    """A ``should_stop`` that never asks to stop."""
    return False


def convo(*turns: Turn, schema: dict[str, object] | None = None) -> Conversation:
    """A conversation of ``turns``, with the response schema a dialect may ask for."""
    return Conversation(turns=turns, response_schema=schema)


class FakeScreen:
    """``fingerprints``: what each observation's fingerprint is (the last one repeats)."""

    def __init__(self, geometry: ScreenGeometry = GEOMETRY, fingerprints: Sequence[bytes] = (b"",)) -> None:
        self.geometry = geometry
        self.fingerprints = list(fingerprints)
        self.count = 0

    def observe(self) -> Observation:
        self.count += 1
        fingerprint = self.fingerprints[min(self.count, len(self.fingerprints)) - 1]
        return Observation(
            f"obs-{self.count}", b"jpeg", "image/jpeg", self.geometry, 1.0, 2.0, fingerprint=fingerprint
        )


class FakeModel:
    """Answers with the given texts in order; records each conversation it was sent."""

    name = "fake-model"

    def __init__(self, replies: Sequence[str]) -> None:
        self.replies = list(replies)
        self.conversations: list[Conversation] = []

    def complete(self, conversation: Conversation, *, should_stop: Callable[[], bool]) -> Completion:
        self.conversations.append(conversation)
        return Completion(self.replies.pop(0), model_ms=10.0, prompt_tokens=100, output_tokens=5)


class JsonLinesDialect:
    """Replies are Decision JSON; anything else is Unparseable. History goes in as text."""

    name = "test"
    grid = Grid(factor=28, min_pixels=3136, max_pixels=1003520)

    def model_space(self, image_size: Size) -> ModelSpace:
        return ModelSpace(extent=image_size)

    def conversation(
        self, task: str, history: Sequence[StepMemory], observation: Observation
    ) -> Conversation:
        turns = [Turn("system", "sys"), Turn("user", task)]
        turns += [Turn("user", f"feedback: {m.feedback}") for m in history]
        return Conversation(tuple([*turns, Turn("user", "now", observation.image)]))

    def repair(self, conversation: Conversation, raw: str, problem: str) -> Conversation:
        return Conversation((*conversation.turns, Turn("assistant", raw), Turn("user", f"fix: {problem}")))

    def parse(self, raw: str, observation: Observation) -> Decision | Unparseable:
        try:
            return Decision.model_validate_json(raw)
        except ValueError as exc:
            return Unparseable(raw, str(exc).splitlines()[0])


@dataclass
class FakeApprover:
    answer_with: UserAnswer = UserAnswer.DENY
    reply: str | None = None
    asked: list[tuple[Action, Verdict]] = field(default_factory=list)

    def confirm(self, action: Action, verdict: Verdict, observation: Observation) -> UserAnswer:
        self.asked.append((action, verdict))
        return self.answer_with

    def answer(self, question: str) -> str | None:
        return self.reply


@dataclass
class RecordingExecutor:
    executed: list[Approved[Action]] = field(default_factory=list)
    fail_with: str | None = None
    released: int = 0
    feedback: str = ""
    closed: bool = False

    def execute(self, approved: Approved[Action], *, should_stop: Callable[[], bool]) -> ExecResult:
        if not isinstance(approved, Approved):
            raise TypeError("executors accept only Approved actions")
        if self.fail_with:
            raise ExecutionFailed(self.fail_with)
        self.executed.append(approved)
        return ExecResult(self.feedback)

    def release_all(self) -> None:
        self.released += 1

    def close(self) -> None:
        self.closed = True


class NoSettle:
    def settle(self, action: Action, observation: Observation) -> None:
        return None


@dataclass
class RecordingSink:
    records: list[StepRecord] = field(default_factory=list)

    def record(self, step: StepRecord, observation: Observation) -> None:
        self.records.append(step)


def reply(*actions: dict[str, object], thought: str = "t") -> str:
    """A model answer in ``JsonLinesDialect``'s format."""
    return json.dumps({"thought": thought, "actions": list(actions)})


def make_parts(replies: list[str], **kw: object) -> tuple[Parts, dict[str, object]]:
    """Parts of plain fakes answering ``replies``; ``kw`` replaces any of them.  Also returns
    the pieces by name, so a test can look at what the executor, approver or sinks saw."""
    pieces: dict[str, object] = {
        "screen": FakeScreen(),
        "model": FakeModel(replies),
        "dialect": JsonLinesDialect(),
        "approver": FakeApprover(),
        "executor": RecordingExecutor(),
        "settler": NoSettle(),
        "clock": FakeClock(),
        "sinks": [RecordingSink()],
    }
    pieces.update(kw)
    return Parts(**pieces), pieces  # type: ignore[arg-type]
