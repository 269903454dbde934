"""``deskhand do "TASK"``: one task in the terminal, confirmations asked there."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from types import FrameType

from deskhand.app.audit_log import AuditLog
from deskhand.app.config import load_settings
from deskhand.app.settings_store import audit_log_path
from deskhand.app.terminal import StepPrinter, TerminalApprover
from deskhand.app.tracefile import TraceDirectory
from deskhand.app.wiring import (
    TaskOptions,
    build_parts,
    release_input_after_crash,
    resolve_host,
    resolve_model,
)
from deskhand.core.faults import Pause, PauseAndRetry, PauseNotice
from deskhand.core.loop import TaskResult, TaskStatus, run_task
from deskhand.core.ports import StepSink

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
            notify=PauseTeller(), should_stop=stop, sleep=time.sleep, patience=settings.model_wait_seconds
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
    parts = replace(parts, sinks=(audit, *parts.sinks))
    sys.stdout.write(f"deskhand: {model} ({parts.dialect.name}) on {host}, task: {args.task}\n")
    result: TaskResult | None = None
    try:
        result = run_task(args.task, parts, limits)
    except KeyboardInterrupt:
        result = TaskResult(TaskStatus.STOPPED, "Stopped by the user.", 0)
    finally:
        summary = _summary(args.task, model, parts.dialect.name, result)
        audit.finish(str(summary["status"]), str(summary["message"]))
        audit_log.close()
        parts.executor.close()
        if trace is not None:
            trace.finish(summary)
    sys.stdout.write(f"{result.status.value}: {' '.join(result.message.split())}\n")
    return EXIT_CODES[result.status]


class PauseTeller:
    """Says a pause once in full; while the same fault repeats, only a short retry line.

    A server that stays away for 20 s means six retries: six copies of a 300-character
    line bury the one thing the user needs (why), so a retry with the same reason says
    only when the next try is.  A different reason, a resume or giving up is said in full.
    """

    def __init__(self) -> None:
        self.reason: str | None = None

    def __call__(self, notice: PauseNotice) -> None:
        if notice.event is Pause.PAUSED and notice.reason and notice.reason == self.reason:
            line = f"still paused; retrying in {notice.retry_in:g} s (attempt {notice.attempt})"
        else:
            line = notice.text
        self.reason = notice.reason if notice.event is Pause.PAUSED else None
        sys.stderr.write(f"deskhand: {line}\n")
        sys.stderr.flush()


def _summary(task: str, model: str, dialect: str, result: TaskResult | None) -> dict[str, object]:
    return {
        "task": task,
        "model": model,
        "dialect": dialect,
        "status": result.status.value if result else "error",
        "message": result.message if result else "the task ended with an error (see stderr)",
        "steps": result.steps if result else None,
    }
