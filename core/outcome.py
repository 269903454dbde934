"""What happened to each action, as values the loop records and tells the model."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from pydantic import BaseModel, ConfigDict

from deskhand.core.actions import Action
from deskhand.core.verdict import Verdict

__all__ = [
    "NOT_RUN",
    "STARTED",
    "Declined",
    "ExecResult",
    "Executed",
    "Failed",
    "OutcomeEntry",
    "OutcomeKind",
    "Repeated",
    "StepMemory",
    "StepOutcome",
    "Unparseable",
]

# The outcome an action has on record between "about to execute" and "ended" (see
# ``deskhand.core.ports.ActionJournal``); a crash in between leaves it there.
STARTED = "started, not finished"
# The outcome of an approved action that was not run because it could not be put on
# record first (say, the disk is full): the task stops there.
NOT_RUN = "not run: it could not be recorded first"


class OutcomeKind(Enum):
    """What one part of a step's outcome says happened; the words say it to a person."""

    EXECUTED = "executed"
    DENIED = "denied"  # by the user
    BLOCKED = "blocked"  # by the policy
    FAILED = "failed"
    REPEATED = "repeated"  # not done again (``RepeatGuard``)
    DROPPED = "dropped"  # an action of the answer not run (``deskhand.core.between``)
    ANSWERED = "answered"  # the user answered the model's question
    TAKEN_OVER = "taken_over"  # the user took over the desktop
    CONCLUDED = "concluded"  # how the step ended otherwise: finished, stopped, unparseable ...
    STARTED = "started"  # the last action is executing (``STARTED``)
    NOT_RUN = "not_run"  # approved, but it could not be put on record first (``NOT_RUN``)
    NO_ACTION = "no_action"
    INTERRUPTED = "interrupted"  # a crash cut the step short (read back by the audit log)
    RECORDED = "recorded"  # read back from a stored record: its words as written


# How each action's outcome opens its words (``summary``): the opening alone, or the
# opening, ": " and what it says more.  ``OutcomeEntry.read`` knows the kind by it again.
_OPENINGS = {
    OutcomeKind.EXECUTED: "executed",
    OutcomeKind.BLOCKED: "blocked by policy",
    OutcomeKind.DENIED: "denied by the user",
    OutcomeKind.FAILED: "failed",
    OutcomeKind.REPEATED: "not repeated",
}
_KIND_OPENED_BY = {words: kind for kind, words in _OPENINGS.items()}


@dataclass(frozen=True, slots=True)
class ExecResult:
    """An executed action; ``feedback`` (e.g. shell output) goes back to the model, and so
    do ``images`` (PNG/JPEG bytes an MCP tool returned), as pictures in the next turn."""

    feedback: str = ""
    images: tuple[bytes, ...] = ()


@dataclass(frozen=True, slots=True)
class Unparseable:
    """Model output we could not turn into actions; never guessed at."""

    raw: str
    problem: str


@dataclass(frozen=True, slots=True)
class Executed:
    action: Action
    result: ExecResult

    def summary(self) -> str:
        return _OPENINGS[OutcomeKind.EXECUTED] + (f": {self.result.feedback}" if self.result.feedback else "")


@dataclass(frozen=True, slots=True)
class Declined:
    """Denied by the user, or blocked by the policy (``blocked`` true)."""

    action: Action
    verdict: Verdict
    blocked: bool

    def summary(self) -> str:
        who = _OPENINGS[OutcomeKind.BLOCKED if self.blocked else OutcomeKind.DENIED]
        return f"{who}: {self.verdict.reason}"


@dataclass(frozen=True, slots=True)
class Failed:
    action: Action
    reason: str

    def summary(self) -> str:
        return f"{_OPENINGS[OutcomeKind.FAILED]}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Repeated:
    """Not done: the same action already changed nothing on this screen (``RepeatGuard``)."""

    action: Action
    reason: str

    def summary(self) -> str:
        return f"{_OPENINGS[OutcomeKind.REPEATED]}: {self.reason}"


StepOutcome = Executed | Declined | Failed | Repeated


class OutcomeEntry(BaseModel):
    """One part of a step's outcome.  The record keeps a tuple of these; the writer joins
    their words with "; " into the contract's ``outcome`` string (``StepRecord``)."""

    model_config = ConfigDict(frozen=True)

    kind: OutcomeKind
    words: str

    @classmethod
    def of(cls, outcome: StepOutcome) -> OutcomeEntry:
        """The entry for what happened to one action."""
        match outcome:
            case Executed():
                kind = OutcomeKind.EXECUTED
            case Declined(blocked=True):
                kind = OutcomeKind.BLOCKED
            case Declined():
                kind = OutcomeKind.DENIED
            case Failed():
                kind = OutcomeKind.FAILED
            case Repeated():
                kind = OutcomeKind.REPEATED
        return cls(kind=kind, words=outcome.summary())

    @classmethod
    def read(cls, words: str) -> OutcomeEntry:
        """One action's outcome read back from its stored words (a ``summary``, as the
        skills' journal keeps it): its kind is the one its words open with (``_OPENINGS``);
        any other words stay ``RECORDED``, as they were written."""
        kind = _KIND_OPENED_BY.get(words.partition(": ")[0], OutcomeKind.RECORDED)
        return cls(kind=kind, words=words)


@dataclass(frozen=True, slots=True)
class StepMemory:
    """What a dialect may replay of an earlier step: its picture, answer and feedback."""

    observation_id: str
    image: bytes
    raw_output: str
    feedback: str
    tool_images: tuple[bytes, ...] = ()  # pictures a tool returned in this step (``ExecResult``)
    plan: str = ""  # the planner's words for this step (``deskhand.core.planning``), if any
