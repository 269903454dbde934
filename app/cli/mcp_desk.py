"""What an MCP client may do to this desktop -- each call through the loop's own gate.

The MCP server (``deskhand.app.cli.mcp_server``) only translates the protocol; everything
that decides whether something happens is here, and is the loop's machinery reused, not
copied: screenshots come from the same ``Screen`` on the same model-friendly grid, points
are pixels of a screenshot mapped through its ``ScreenGeometry``, each action is judged by
``core.inspection.judge`` (policy plus what the inspector finds under a click), confirm
asks the person at the desktop through the ``Approver``, ``core.approval.approve`` is the
only way to an ``Approved`` action, and the executors accept nothing else.  Nothing a
client sends -- no argument, no text -- reaches the policy except the action itself, so a
client cannot lower a level.  Every call ends in the audit log as one step of a task
named after the client.  Results are values (``CallResult``); the server turns a refused
or failed one into ``isError``.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from deskhand.app.store.audit_log import AuditLog, TaskLog
from deskhand.app.task_session import TaskSession, desktop_turn
from deskhand.core.actions import Action, describe
from deskhand.core.approval import approve
from deskhand.core.carry_out import ask_person
from deskhand.core.errors import DeskhandError, ExecutionFailed, Stopped
from deskhand.core.inspection import judge
from deskhand.core.loop import TaskResult, TaskStatus
from deskhand.core.observation import Observation
from deskhand.core.outcome import Declined, Executed, Failed, StepOutcome
from deskhand.core.ports import (
    Approver,
    Clock,
    Executor,
    Inspector,
    Screen,
    Settler,
    ShouldStop,
    StepSink,
)
from deskhand.core.step_log import StepLog, landing_point
from deskhand.core.trace import StepRecord, describe_recorded
from deskhand.core.typed_line import TypedLines
from deskhand.core.verdict import Level, Verdict

log = logging.getLogger(__name__)

STOPPED_TEXT = (
    "The person at the desktop pressed Stop: Deskhand ended this call and refuses further ones "
    "until `deskhand mcp` is started again."
)


@dataclass(frozen=True, slots=True)
class CallResult:
    """What a tool call came to: ``ok`` false becomes ``isError`` with ``text`` as the reason."""

    ok: bool
    text: str
    observation: Observation | None = None  # a screenshot to send back
    verdict: Verdict | None = None


class Screenshots:
    """The screenshots handed to clients, by id: x/y map through the one they were read on."""

    def __init__(self, keep: int = 16) -> None:
        self.keep = keep
        self._shots: OrderedDict[str, Observation] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, observation: Observation) -> None:
        with self._lock:
            self._shots[observation.id] = observation
            while len(self._shots) > self.keep:
                self._shots.popitem(last=False)

    def get(self, screenshot_id: str | None) -> Observation | str:
        """The named (else the latest) screenshot, or why there is none."""
        with self._lock:
            if screenshot_id is None:
                if not self._shots:
                    return "No screenshot yet: call `screenshot` first; x/y are pixels of its image."
                return next(reversed(self._shots.values()))
            found = self._shots.get(screenshot_id)
        if found is None:
            return (
                f"Unknown screenshot_id {screenshot_id!r} (only the last {self.keep} are kept); "
                "take a new screenshot."
            )
        return found


def summary_json(observation: Observation) -> str:
    """The text a screenshot travels with (DESIGN.md: screenshot_id, width, height)."""
    width, height = observation.geometry.image_size
    return json.dumps({"screenshot_id": observation.id, "width": width, "height": height})


class ClientAudit:
    """One audit-log task per client; each call is one step of it."""

    def __init__(self, audit_log: AuditLog, transport: str) -> None:
        self.audit_log = audit_log
        self.transport = transport
        self._tasks: dict[str, tuple[TaskLog, int]] = {}
        self._lock = threading.Lock()

    def next_step(self, client: str) -> tuple[TaskLog, int]:
        with self._lock:
            task, last = self._tasks.get(client) or (self._begin(client), 0)
            self._tasks[client] = (task, last + 1)
            return task, last + 1

    def _begin(self, client: str) -> TaskLog:
        return self.audit_log.begin_task(
            f"MCP calls from {client}", model=client, dialect="mcp", host=f"mcp ({self.transport})"
        )

    def finish(self, message: str = "the client disconnected") -> None:
        with self._lock:
            tasks, self._tasks = list(self._tasks.values()), {}
        for task, _ in tasks:
            task.finish("finished", message)


@dataclass(frozen=True)
class DeskParts:
    """What the calls need, wired by ``deskhand.app.cli.mcp_command``."""

    screen_for: Callable[[int | None], Screen]  # monitor number as --monitor takes it, None = focused
    executor: Executor
    settler_for: Callable[[Observation], Settler]
    approver: Approver
    inspector: Inspector | None
    clock: Clock
    should_stop: ShouldStop
    open_task: Callable[[str, int | None, Sequence[StepSink]], TaskSession]
    unlocked: frozenset[str] = frozenset()
    ask_every_action: bool = False


class DesktopCalls:
    """The tools' logic, called from worker threads; one action on the desktop at a time."""

    def __init__(self, parts: DeskParts, audit: ClientAudit) -> None:
        self.parts = parts
        self.audit = audit
        self.shots = Screenshots()
        self.turn = threading.Lock()  # one desktop, one action (or task) at a time
        self._allowed: set[tuple[str, ...]] = set()  # (client, action key, reason)
        # What each window holds unsent, across calls: typing split over calls is judged
        # by the line it sends, as in the loop.
        self.lines = TypedLines()

    def screenshot(self, monitor: int | None = None) -> CallResult:
        if self.parts.should_stop():
            return CallResult(False, STOPPED_TEXT)
        with self.turn:
            observation = self.parts.screen_for(monitor).observe()
        self.shots.add(observation)
        return CallResult(True, summary_json(observation), observation=observation)

    def bound(self, screenshot_id: str | None) -> Observation | str:
        """The screenshot a pointer action's x/y belong to."""
        return self.shots.get(screenshot_id)

    def fresh(self) -> Observation:
        """A screenshot for actions without a point (typing, keys, commands): the inspector
        reads the focused element from it, and the audit log shows what the desktop was."""
        return self.parts.screen_for(None).observe()

    def act(self, client: str, action: Action, observation: Observation | None = None) -> CallResult:
        """Judge, ask the person if needed, run if approved, record: the loop's step for one action."""
        with self.turn, desktop_turn(f"MCP client {client}: {describe(action)}"):
            if self.parts.should_stop():
                return CallResult(False, STOPPED_TEXT)
            observation = observation or self.fresh()
            task, number = self.audit.next_step(client)
            step = StepLog(number, client, "mcp", self.parts.clock)
            step.observed(observation)
            try:
                outcome = self._gate(client, action, observation, step, task)
            except Stopped:
                step.concluded("stopped by the user")
                outcome = None
            if outcome is not None:
                step.outcome(outcome)
            task.record(step.record(observation), observation)
        return _result(action, outcome, observation)

    def _gate(
        self, client: str, action: Action, observation: Observation, step: StepLog, task: TaskLog
    ) -> StepOutcome:
        p = self.parts
        element, verdict = judge(
            action,
            observation,
            inspector=p.inspector,
            unlocked=p.unlocked,
            ask_every_action=p.ask_every_action,
            lines=self.lines,
            timed_inspect=lambda: step.timing("inspect"),
        )
        answer = ask_person(
            action,
            verdict,
            observation,
            approver=self.parts.approver,
            should_stop=self.parts.should_stop,
            allowed=self._allowed,
            log=step,
            scope=(client,),
        )
        approved = approve(action, verdict, observation.geometry, user=answer)
        step.judged(action, verdict, answer, element)
        if approved is None:
            return Declined(action, verdict, blocked=verdict.level is Level.BLOCK)
        # On record before it runs, as in the loop: a crash leaves "started, not finished".
        task.started(step.record(observation, started=True), observation)
        try:
            with step.timing("execute"):
                outcome: StepOutcome = Executed(
                    action, p.executor.execute(approved, should_stop=p.should_stop)
                )
        except ExecutionFailed as exc:
            self.lines.ran(action, element, completely=False)
            return Failed(action, str(exc))
        self.lines.ran(action, element)
        with step.timing("settle"):
            p.settler_for(observation).settle(action, observation)
        return outcome

    def run_task(self, task: str, max_steps: int | None) -> CallResult:
        """The whole loop, built as ``deskhand do`` builds it; the person at the desktop confirms."""
        steps = StepLines()
        with self.turn:
            if self.parts.should_stop():
                return CallResult(False, STOPPED_TEXT)
            try:
                session = self.parts.open_task(task, max_steps, [steps])
            except DeskhandError as exc:
                return CallResult(False, f"Could not start the task: {exc}")
            result: TaskResult | None = None
            error = ""
            try:
                result = session.run()
            except DeskhandError as exc:
                error = str(exc)
            finally:
                session.close(result, error or "the task ended with an error")
        if result is None:
            return CallResult(False, json.dumps({"status": "error", "message": error, "steps": steps.lines}))
        text = {"status": result.status.value, "message": result.message, "steps": steps.lines}
        return CallResult(result.status is TaskStatus.FINISHED, json.dumps(text, ensure_ascii=False))


class StepLines:
    """A ``StepSink`` that keeps one line per step for the caller of ``run_task``."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def record(self, step: StepRecord, observation: Observation) -> None:
        done = "; ".join(describe_recorded(a) for a in step.actions) or "no action"
        self.lines.append(f"{step.step}. {done} -> {step.outcome_text}")


def _result(action: Action, outcome: StepOutcome | None, observation: Observation) -> CallResult:
    match outcome:
        case None:
            return CallResult(False, STOPPED_TEXT)
        case Executed(result=result):
            where = landing_point(action, observation.geometry)
            text = f"Done: {describe(action)}" + (f" (screen point {where[0]}, {where[1]})" if where else "")
            if result.feedback:
                text = f"{text}\n{result.feedback}"
            return CallResult(True, text)
        case Declined(verdict=verdict, blocked=blocked):
            who = (
                "Blocked by Deskhand's policy (this never runs)"
                if blocked
                else "Denied by the person at the desktop (or nobody answered in time)"
            )
            return CallResult(False, f"{who}: {verdict.reason}", verdict=verdict)
        case Failed(reason=reason):
            return CallResult(False, f"Failed: {reason}")
        case _:
            return CallResult(False, f"Not done: {outcome.summary()}")
