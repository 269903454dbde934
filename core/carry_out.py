"""One action of a decision, carried out: judged, asked about, run if approved, settled.

The step (``deskhand.core.step``) gets the model's decision and repairs what it cannot
read; each action of it comes here and goes back as what happened to it (a
``StepOutcome``).  In order: the repeat guard refuses the same action on an unchanged
screen; the policy judges the action and what it lands on (``core.inspection.judge``); a
``confirm`` verdict asks the person (an "allow for the task" is remembered for the task);
only ``approve`` makes the ``Approved`` the executor takes.  An approved action is on each
journal's record before it runs and with its outcome after (``ActionJournal``); then the
screen is left to settle.  All of it is kept in the step's ``StepLog``.
"""

from __future__ import annotations

from contextlib import suppress

from deskhand.core.actions import Action, RunShell, TypeText
from deskhand.core.approval import Approved, UserAnswer, approve
from deskhand.core.element_info import ElementInfo
from deskhand.core.errors import DeskhandError, ExecutionFailed, Stopped
from deskhand.core.gui_rules import is_password_field
from deskhand.core.inspection import judge
from deskhand.core.observation import Observation
from deskhand.core.outcome import Declined, Executed, Failed, Repeated, StepOutcome
from deskhand.core.pointer import pointer_after
from deskhand.core.policy import assess
from deskhand.core.ports import Approver, ShouldStop
from deskhand.core.step_log import StepLog
from deskhand.core.task import TaskRun
from deskhand.core.verdict import Level, Verdict

__all__ = ["ask_person", "carry_out"]


def carry_out(action: Action, observation: Observation, run: TaskRun, log: StepLog) -> StepOutcome:
    """What happened to ``action``, decided on ``observation``.  Raises ``Stopped`` when the
    user stops meanwhile, and what a journal raised before the action ran (it is not run)."""
    parts = run.parts
    repeated = run.guard.check(action, observation)
    if repeated is not None:
        outcome: StepOutcome = Repeated(action, repeated)
        log.judged(action, assess(action, unlocked=parts.unlocked, tools=parts.tools), None)
        log.outcome(outcome)
        return outcome
    element, verdict = _judge(action, observation, run, log)
    if isinstance(action, TypeText) and element is not None and is_password_field(element):
        run.secrets.add(action.text)  # never recorded, never remembered
    if element is not None:  # named to the person asked (the record keeps ``targets``)
        verdict = verdict.model_copy(update={"found": element.describe()})
    answer = ask_person(
        action,
        verdict,
        observation,
        approver=parts.approver,
        should_stop=parts.should_stop,
        allowed=run.allowed,
        log=log,
    )
    approved = approve(action, verdict, observation.geometry, user=answer)
    log.judged(action, verdict, answer, element)
    if approved is None:
        outcome = Declined(action, verdict, blocked=verdict.level is Level.BLOCK)
        log.outcome(outcome)
        return outcome
    outcome = _execute(approved, element, observation, run, log)
    if isinstance(outcome, Executed):
        run.guard.executed(action, observation)
        run.pointer = pointer_after(action, observation.geometry, run.pointer)
        with log.timing("settle"):
            parts.settler.settle(action, observation)
    return outcome


def _judge(
    action: Action, observation: Observation, run: TaskRun, log: StepLog
) -> tuple[ElementInfo | None, Verdict]:
    """What the action lands on, and the policy's verdict on both (``core.inspection.judge``)."""
    return judge(
        action,
        observation,
        inspector=run.parts.inspector,
        unlocked=run.parts.unlocked,
        ask_every_action=run.parts.ask_every_action,
        tools=run.parts.tools,
        lines=run.lines,
        secrets=frozenset(run.secrets),
        timed_inspect=lambda: log.timing("inspect"),
    )


def ask_person(
    action: Action,
    verdict: Verdict,
    observation: Observation,
    *,
    approver: Approver,
    should_stop: ShouldStop,
    allowed: set[tuple[str, ...]],
    log: StepLog,
    scope: tuple[str, ...] = (),
) -> UserAnswer | None:
    """The person's answer to a ``confirm`` verdict (None for any other), unless they already
    allowed this action "for the task": ``allowed`` keeps those answers, ``scope`` narrows what
    they cover (the MCP desk: one client's calls).  Raises ``Stopped`` if the user stopped
    while the question was open."""
    if verdict.level is not Level.CONFIRM:
        return None
    key = (*scope, action.command if isinstance(action, RunShell) else action.kind, verdict.reason)
    if key in allowed:
        return UserAnswer.ALLOW_FOR_TASK
    with log.timing("confirm"):
        answer = approver.confirm(action, verdict, observation)
    if should_stop():
        raise Stopped()
    if answer is UserAnswer.ALLOW_FOR_TASK:
        allowed.add(key)
    return answer


def _execute(
    approved: Approved[Action],
    element: ElementInfo | None,
    observation: Observation,
    run: TaskRun,
    log: StepLog,
) -> StepOutcome:
    """Run an approved action between its two journal entries: on record before it runs
    (a crash leaves ``STARTED``), with its outcome, as the record keeps it, after."""
    parts, action = run.parts, approved.action
    try:
        for journal in parts.journals:
            journal.started(log.record(observation, started=True), observation)
    except DeskhandError:  # cannot record (a full disk): stop without acting
        log.not_run()
        _record_if_possible(observation, run, log)
        raise
    try:
        with log.timing("execute"):
            outcome: StepOutcome = Executed(
                action, parts.executor.execute(approved, should_stop=parts.should_stop)
            )
    except ExecutionFailed as exc:
        outcome = Failed(action, str(exc))
    except Stopped:
        run.lines.ran(action, element, completely=False)
        raise
    run.lines.ran(action, element, completely=isinstance(outcome, Executed))
    entry = log.outcome(outcome)
    for journal in parts.journals:
        journal.ended(log.record(observation), entry, observation)
    return outcome


def _record_if_possible(observation: Observation, run: TaskRun, log: StepLog) -> None:
    """Give each sink the step as it ends on an error; those that cannot write are skipped
    (the error that ends the task says why)."""
    record = log.record(observation)
    for sink in run.parts.sinks:
        with suppress(DeskhandError):
            sink.record(record, observation)
