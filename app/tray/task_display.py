"""The running task on screen: the session's state and the worker's steps shown on the
run view and the stop bar.

Why apart from the controller: showing is all this does -- it owns no task, starts and
stops nothing, and asks nothing; the controller connects the worker's signals and the
session's change notice here.  So what the user sees follows from the ``SessionModel``
alone, and the controller keeps the decisions (start, stop, end, notify).

A ``QObject`` on purpose: the worker emits from its own thread, and PySide6 runs a plain
callable (a function, a lambda, a method of a plain object) in the emitting thread, but a
``QObject``'s method in the thread that object lives in -- here the GUI thread, the only
one that may touch the windows.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from deskhand.app.tray.session import HELD, AgentState, SessionModel
from deskhand.app.windows.run_view import RunView
from deskhand.app.windows.stop_bar import StopBar
from deskhand.core.actions import Decision
from deskhand.core.observation import Observation
from deskhand.core.trace import StepRecord

__all__ = ["TaskDisplay"]


class TaskDisplay(QObject):
    def __init__(self, session: SessionModel, run_view: RunView, stop_bar: StopBar) -> None:
        super().__init__()
        self.session = session
        self.run_view = run_view
        self.stop_bar = stop_bar

    def observed(self, observation: Observation) -> None:
        self.run_view.show_observation(self.session.step, observation)

    def decided(self, step: int, decision: Decision) -> None:
        self.session.decided(step, decision)
        self.run_view.show_decision(step, decision)

    def recorded(self, record: StepRecord, observation: Observation) -> None:
        self.session.recorded(record)
        self.run_view.show_record(record, observation)

    def render(self) -> None:
        """The session changed: its state on the run view, and on the stop bar while it runs."""
        s = self.session
        self.run_view.set_state(s.state, s.status_text())
        self.run_view.offer_follow_up(s.can_follow_up)
        if s.running:
            if s.held:
                text = f"Step {s.step}: paused by you. {HELD}"
            elif s.state is AgentState.PAUSED:
                text = f"Step {s.step}: {s.message}"  # "Paused: <why>. Retrying in …"
            else:
                text = f"Step {s.step}: {s.state.value}. {s.task}"
            self.stop_bar.set_status(s.state, text, stopping=s.stop.requested, held=s.held)
