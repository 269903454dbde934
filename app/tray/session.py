"""The app's view-model: what the agent is doing now, as plain Python (no Qt).

Widgets and the tray only render a ``SessionModel`` and forward intents to it, so every
rule about states -- when Stop is possible, what the tooltip says, which task Up brings
back -- is tested without a ``QApplication``.  It is changed only on the GUI thread (the
worker's signals arrive there); the things the worker thread reads -- the stop flag and the
take-over ``PauseToken`` -- are thread-safe.

States::

    idle ──start──▶ thinking ──decided──▶ acting ──recorded──▶ thinking …
                        ▲                    │ ▲
                        │              asking │ │ answered
                        │                    ▼ │
                        │                  waiting
                        │
    thinking ──server away──▶ paused ──decided──▶ acting   (the model answers again)
    any running ──take over──▶ paused (held) ──resume──▶ thinking   (a fresh screenshot)
    finished/stopped/gave up ──▶ idle     failed / error ──▶ error ──start──▶ thinking
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from deskhand.app.store.recent import RecentCommands
from deskhand.core.actions import Decision
from deskhand.core.errors import DeskhandError
from deskhand.core.loop import TaskResult, TaskStatus
from deskhand.core.outcome import StepMemory
from deskhand.core.pause import PauseToken
from deskhand.core.stop import StopToken
from deskhand.core.trace import StepRecord


class AgentState(StrEnum):
    IDLE = "idle"
    THINKING = "thinking"
    ACTING = "acting"
    WAITING = "waiting for you"
    PAUSED = "paused"
    ERROR = "error"


RUNNING_STATES = frozenset({AgentState.THINKING, AgentState.ACTING, AgentState.WAITING, AgentState.PAUSED})

Listener = Callable[[], None]


HELD = "You have the desktop; the task waits before its next action. Resume goes on."


class SessionError(DeskhandError, RuntimeError):
    """A front-end asked for something the current state does not allow (a bug in the caller)."""


class SessionModel:
    """State machine, current step, last record, recent commands and the stop flag."""

    def __init__(self, recent: RecentCommands) -> None:
        self.recent = recent
        self.state = AgentState.IDLE
        self.task = ""
        self.step = 0
        self.decision: Decision | None = None
        self.last_record: StepRecord | None = None
        self.result: TaskResult | None = None
        self.message = ""
        self.stop = StopToken()  # the running task's Stop; a new one per task
        self.pause = PauseToken()  # the running task's "Take over"; a new one per task
        self.held = False  # the user has taken over
        self.history: tuple[StepMemory, ...] = ()  # what the task goes on from (a follow-up)
        self._state_before_wait = AgentState.THINKING
        self._listeners: list[Listener] = []

    # -- observers ------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener()

    # -- queries --------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.state in RUNNING_STATES

    def status_text(self) -> str:
        """One line for the tooltip and the menu's first row."""
        if self.state is AgentState.IDLE:
            if self.result is None:
                return "Deskhand: idle"
            return f"Deskhand: idle. Last task {self.result.status.value}: {self.result.message}"
        if self.state is AgentState.ERROR:
            return f"Deskhand: error. {self.message}"
        stopping = " (stopping…)" if self.stop.requested else ""
        if self.held:
            return f"Deskhand: paused by you, step {self.step}{stopping}. {HELD}"
        if self.state is AgentState.PAUSED:
            return f"Deskhand: paused, step {self.step}{stopping}. {self.message}"
        return f"Deskhand: {self.state.value}, step {self.step}{stopping}: {self.task}"

    # -- transitions ----------------------------------------------------------------------

    @property
    def can_follow_up(self) -> bool:
        """A finished (or stopped, or given-up) task can be continued with its history."""
        return self.state is AgentState.IDLE and self.result is not None and bool(self.result.history)

    def start(self, task: str) -> str:
        """Begin a task; returns the cleaned text. Raises SessionError if one is running."""
        text = task.strip()
        if not text:
            raise SessionError("an empty task cannot be started")
        if self.running:
            raise SessionError(f"a task is already running: {self.task!r}")
        self.recent.add(text)
        self._begin(text, ())
        return text

    def follow_up(self, text: str) -> str:
        """Go on from the last task ("now also save it"): the model gets the earlier task,
        how it ended and its steps.  Returns the task text the model is given."""
        extra = text.strip()
        if not extra:
            raise SessionError("an empty follow-up cannot be started")
        if not self.can_follow_up or self.result is None:
            raise SessionError("there is no finished task to follow up on")
        self.recent.add(extra)
        task = f"{self.task}\n(Done so far: {self.result.message})\nFollow-up: {extra}"
        self._begin(task, self.result.history)
        return task

    def _begin(self, task: str, history: tuple[StepMemory, ...]) -> None:
        self.stop, self.pause, self.held, self.history = StopToken(), PauseToken(), False, history
        self.state, self.task, self.step = AgentState.THINKING, task, 1
        self.decision, self.last_record, self.result, self.message = None, None, None, ""
        self._changed()

    def take_over(self) -> bool:
        """The user wants the desktop: the task holds before its next action."""
        if not self.running or self.held or self.stop.requested:
            return False
        self.pause.request()
        self.held, self.state = True, AgentState.PAUSED
        self._changed()
        return True

    def resume(self) -> bool:
        """Hand the desktop back: the task goes on with a fresh screenshot."""
        if not self.held:
            return False
        self.held = False
        self.pause.resume()
        self.state = AgentState.THINKING
        self._changed()
        return True

    def decided(self, step: int, decision: Decision) -> None:
        if not self.running:
            return
        self.step, self.decision = step, decision
        self.state = AgentState.PAUSED if self.held else AgentState.ACTING
        self._changed()

    def recorded(self, record: StepRecord) -> None:
        """A step ended; unless the task is over, the next one starts by thinking."""
        if not self.running:
            return
        self.last_record = record
        self.step = record.step + 1
        self.state = AgentState.PAUSED if self.held else AgentState.THINKING
        self._changed()

    def paused(self, message: str) -> None:
        """The model server is away; the task waits for it (``message`` says why)."""
        if not self.running:
            return
        self.state, self.message = AgentState.PAUSED, message
        self._changed()

    def resumed(self) -> None:
        """The model server answers again."""
        if self.state is AgentState.PAUSED:
            self.message = ""
            self.state = AgentState.PAUSED if self.held else AgentState.THINKING
            self._changed()

    def waiting(self) -> None:
        """A confirmation or question dialog is open."""
        if not self.running or self.state is AgentState.WAITING:
            return
        self._state_before_wait, self.state = self.state, AgentState.WAITING
        self._changed()

    def answered(self) -> None:
        if self.state is AgentState.WAITING:
            self.state = self._state_before_wait
            self._changed()

    def finished(self, result: TaskResult) -> None:
        self.held = False
        self.result = result
        self.message = result.message
        self.state = AgentState.ERROR if result.status is TaskStatus.FAILED else AgentState.IDLE
        self._changed()

    def failed(self, message: str) -> None:
        """An error ended the task (model server down, capture failed, a bug)."""
        self.held = False
        self.result, self.message = None, message
        self.state = AgentState.ERROR
        self._changed()

    def request_stop(self) -> bool:
        """Ask the running task to stop before its next input event; False if none runs."""
        if not self.running:
            return False
        if self.stop.request():
            self._changed()
        return True

    def dismiss_error(self) -> None:
        if self.state is AgentState.ERROR:
            self.state = AgentState.IDLE
            self._changed()
