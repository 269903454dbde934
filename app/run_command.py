"""``deskhand do "TASK"``: one task in the terminal, confirmations asked there."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from types import FrameType

from deskhand.app.audit_log import AuditLog, TaskLog
from deskhand.app.config import load_settings
from deskhand.app.settings_store import audit_log_path
from deskhand.app.task_lock import desktop_lock
from deskhand.app.terminal import StepPrinter, TerminalApprover
from deskhand.app.tracefile import TraceDirectory
from deskhand.app.wiring import (
    TaskOptions,
    build_parts,
    release_input_after_crash,
    resolve_host,
    resolve_model,
)
from deskhand.core.errors import DeskhandError, SetupError
from deskhand.core.faults import PauseAndRetry, PauseNotice
from deskhand.core.loop import TaskResult, TaskStatus, run_task
from deskhand.core.ports import ActionJournal, StepSink

log = logging.getLogger(__name__)

EXIT_CODES = {
    TaskStatus.FINISHED: 0,
    TaskStatus.GAVE_UP: 1,
    TaskStatus.FAILED: 1,
    TaskStatus.STOPPED: 3,
}


class StopOnSignal:
    """First Ctrl+C (or SIGTERM) asks the loop to stop before its next input event;
    a second Ctrl+C interrupts at once."""

    def __init__(self) -> None:
        self.event = threading.Event()

    def install(self) -> None:
        signal.signal(signal.SIGINT, self._handle)
        signal.signal(signal.SIGTERM, self._handle)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.event.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        self.event.set()
        sys.stderr.write("\ndeskhand: stopping before the next action…\n")

    def __call__(self) -> bool:
        return self.event.is_set()


def run_do(args: argparse.Namespace) -> int:
    """One task on this desktop; refused at once (exit 2) while another task runs on it."""
    with desktop_lock("deskhand do"):
        return _run_do(args)


def _run_do(args: argparse.Namespace) -> int:
    settings = load_settings()
    host = resolve_host(args.host, settings, args.backend)
    model = resolve_model(args.model, settings, host, args.backend)
    options = TaskOptions(
        host=host,
        model=model,
        dialect=args.dialect or settings.dialect,
        monitor=args.monitor,
        max_steps=args.max_steps or settings.max_steps,
        backend=args.backend,
        allow_remote=args.allow_remote,
        allow_insecure=args.allow_insecure_remote,
    )
    printer = StepPrinter()
    trace = TraceDirectory(Path(args.trace)) if args.trace else None
    audit_log = AuditLog(audit_log_path(settings))
    if audit_log.interrupted:
        release_input_after_crash(audit_log.interrupted)
    if settings.retention_days > 0:
        audit_log.prune(settings.retention_days)
    sinks: list[StepSink] = [printer] + ([trace] if trace else [])
    stop = StopOnSignal()
    stop.install()
    faults = None
    if settings.model_wait_seconds > 0:
        faults = PauseAndRetry(
            notify=_tell, should_stop=stop, sleep=time.sleep, patience=settings.model_wait_seconds
        )
    parts, limits, _ = build_parts(
        options,
        settings,
        approver=TerminalApprover(assume_yes=args.yes),
        sinks=sinks,
        should_stop=stop,
        on_decision=printer.decided,
        faults=faults,
    )
    audit = audit_log.begin_task(args.task, model=model, dialect=parts.dialect.name, host=host)
    # Each action is on record (audit log, and trace if any) before it runs: never act unrecorded.
    journals: tuple[ActionJournal, ...] = (audit, trace) if trace else (audit,)
    parts = replace(parts, sinks=(audit, *parts.sinks), journals=journals)
    sys.stdout.write(f"deskhand: {model} ({parts.dialect.name}) on {host}, task: {args.task}\n")
    result: TaskResult | None = None
    error = "the task ended with an error (see stderr)"
    try:
        result = run_task(args.task, parts, limits)
    except KeyboardInterrupt:
        result = TaskResult(TaskStatus.STOPPED, "Stopped by the user.", 0)
    except DeskhandError as exc:
        error = str(exc)  # on record too, not only on stderr
        raise
    finally:
        summary = _summary(args.task, model, parts.dialect.name, result, error)
        unrecorded = _finish_records(audit, trace, summary)
        audit_log.close()
        parts.executor.close()
    sys.stdout.write(f"{result.status.value}: {' '.join(result.message.split())}\n")
    if unrecorded is not None:
        raise unrecorded
    return EXIT_CODES[result.status]


def _finish_records(
    audit: TaskLog, trace: TraceDirectory | None, summary: dict[str, object]
) -> SetupError | None:
    """Record how the task ended in the audit log and the trace; returns the first failure
    (a full disk) rather than raising it, so it never hides the error that ended the task."""
    failure: SetupError | None = None
    try:
        audit.finish(str(summary["status"]), str(summary["message"]))
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


def _tell(notice: PauseNotice) -> None:
    sys.stderr.write(f"deskhand: {notice.text}\n")
    sys.stderr.flush()


def _summary(task: str, model: str, dialect: str, result: TaskResult | None, error: str) -> dict[str, object]:
    return {
        "task": task,
        "model": model,
        "dialect": dialect,
        "status": result.status.value if result else "error",
        "message": result.message if result else error,
        "steps": result.steps if result else None,
    }
