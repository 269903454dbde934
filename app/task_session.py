"""One task, assembled one way for every front-end that runs one.

``deskhand do``, the tray's worker and the MCP server's ``run_task`` tool all build a
task here: the parts from ``wiring.build_parts``, the audit log's
record of the task in front of the caller's own sinks, the desktop's turn, and closing
the parts afterwards.  What differs between front-ends -- who is asked to confirm, how
Stop is asked for (each makes a ``StopToken``), how steps are shown, whether the app's own windows are kept out of
the picture -- comes in as arguments, so a task cannot run with fewer safety parts from
one front-end than from another.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace

from deskhand.app.platform.task_lock import desktop_lock
from deskhand.app.skills.skill_journal import Beside, TargetJournal
from deskhand.app.store.audit_log import AuditLog, TaskLog
from deskhand.app.store.config import Settings
from deskhand.app.store.settings_store import audit_log_path
from deskhand.app.store.tracefile import TraceDirectory
from deskhand.app.wiring import TaskOptions, build_parts, release_input_after_crash
from deskhand.core.actions import Decision
from deskhand.core.errors import SetupError
from deskhand.core.loop import Parts, TaskResult, run_task
from deskhand.core.outcome import StepMemory
from deskhand.core.ports import ActionJournal, Approver, FaultWaiter, StepSink
from deskhand.core.stop import StopToken
from deskhand.vision.lookup import ScreenLookup

log = logging.getLogger(__name__)

ERROR_MESSAGE = "the task ended with an error (see stderr)"


def open_audit_log(settings: Settings) -> AuditLog:
    """The audit log, after letting go of input a crashed task held and pruning old tasks."""
    audit_log = AuditLog(audit_log_path(settings))
    if audit_log.interrupted:
        release_input_after_crash(audit_log.interrupted)
    if settings.retention_days > 0:
        audit_log.prune(settings.retention_days)
    return audit_log


@contextmanager
def desktop_turn(purpose: str) -> Iterator[None]:
    """Hold the desktop while ``purpose`` (a task, or one MCP client's action) uses it.

    The per-desktop lock (``deskhand.app.platform.task_lock``): another Deskhand process driving
    this desktop -- a ``deskhand do``, the tray app's task, an MCP server's action -- makes
    this raise ``DesktopBusy`` at once, so two never type into the same window.
    """
    log.debug("desktop turn: %s", purpose)
    with desktop_lock(purpose):
        yield


class TaskSession:
    """Builds one task's parts and its audit record; ``run`` it once, then ``close`` it.

    ``origin`` marks a task the user did not start by hand ("scheduled") in the audit log.
    ``adapt`` lets a front-end wrap the built parts (the tray keeps its own windows out
    of screenshots and out of the pointer's way) before the task starts; the wrappers hold
    nothing of their own, so ``close`` closes the parts it built.  ``history`` is what a
    follow-up goes on from.
    """

    def __init__(
        self,
        task: str,
        options: TaskOptions,
        settings: Settings,
        *,
        approver: Approver,
        audit_log: AuditLog,
        stop: StopToken,
        sinks: Sequence[StepSink] = (),
        on_decision: Callable[[int, Decision], None] | None = None,
        faults: FaultWaiter | None = None,
        adapt: Callable[[Parts], Parts] | None = None,
        origin: str = "",
        journals: Sequence[ActionJournal] = (),
        locked: bool = False,
        history: tuple[StepMemory, ...] = (),
    ) -> None:
        self.task = task
        self.options = options
        self.locked = locked  # the caller holds the desktop already (``desktop_turn``)
        self.history = history
        parts, self.limits, _ = build_parts(
            options,
            settings,
            approver=approver,
            sinks=sinks,
            should_stop=stop,
            on_decision=on_decision,
            faults=faults,
        )
        self._built = parts
        if adapt is not None:
            parts = adapt(parts)
        self.audit: TaskLog = audit_log.begin_task(
            task, model=options.model, dialect=parts.dialect.name, host=options.host, origin=origin
        )
        # What each click acted on, for `deskhand skills save` (``app/skills/skill_journal.py``).
        self.lookup = ScreenLookup(frames=getattr(parts.screen, "frame", None))
        # Each action is on record (audit log first) before it runs: never act unrecorded.  The
        # description runs beside those writes, and is done before the action starts too.
        described = Beside((self.audit, *journals), TargetJournal(audit_log, self.audit.task_id, self.lookup))
        self.parts: Parts = replace(parts, sinks=(self.audit, *parts.sinks), journals=(described,))

    @property
    def dialect(self) -> str:
        return self.parts.dialect.name

    def run(self) -> TaskResult:
        if self.locked:
            return run_task(self.task, self.parts, self.limits, history=self.history)
        with desktop_turn(f"task: {self.task}"):
            return run_task(self.task, self.parts, self.limits, history=self.history)

    def close(
        self, result: TaskResult | None, error: str = ERROR_MESSAGE, *, trace: TraceDirectory | None = None
    ) -> SetupError | None:
        """Record how the task ended (``None``: an error, said by ``error``) in the audit log
        and the trace, and close the parts.  Returns the first failure to record (a full
        disk) rather than raising it, so it never hides the error that ended the task."""
        summary = {
            "task": self.task,
            "model": self.options.model,
            "dialect": self.dialect,
            "status": result.status.value if result else "error",
            "message": result.message if result else error,
            "steps": result.steps if result else None,
        }
        failure: SetupError | None = None
        try:
            try:
                self.audit.finish(str(summary["status"]), str(summary["message"]))
            except SetupError as exc:
                failure = exc
            if trace is not None:
                try:
                    trace.finish(summary)
                except SetupError as exc:
                    failure = failure or exc
            if failure is not None:
                log.info("could not record the end of the task: %s", failure)
            return failure
        finally:
            built = self._built
            for part in {
                id(p): p for p in (built.executor, built.screen, built.settler, self.lookup)
            }.values():
                _close(part)


def _close(part: object) -> None:
    close = getattr(part, "close", None)
    if callable(close):
        try:
            close()
        except Exception:  # closing is best effort; a failure must not hide the task's result
            log.exception("closing %r failed", part)
