"""``deskhand do "TASK"``: one task in the terminal, confirmations asked there."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from pathlib import Path
from types import FrameType

from deskhand.app.config import load_settings
from deskhand.app.task_session import ERROR_MESSAGE, TaskSession, open_audit_log
from deskhand.app.terminal import StepPrinter, TerminalApprover, one_line
from deskhand.app.tracefile import TraceDirectory
from deskhand.app.wiring import TaskOptions, resolve_host, resolve_model
from deskhand.core.faults import PauseAndRetry, PauseNotice
from deskhand.core.loop import TaskResult, TaskStatus
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
    audit_log = open_audit_log(settings)
    sinks: list[StepSink] = [printer] + ([trace] if trace else [])
    stop = StopOnSignal()
    stop.install()
    faults = None
    if settings.model_wait_seconds > 0:
        faults = PauseAndRetry(
            notify=_tell, should_stop=stop, sleep=time.sleep, patience=settings.model_wait_seconds
        )
    session = TaskSession(
        args.task,
        options,
        settings,
        approver=TerminalApprover(assume_yes=args.yes),
        audit_log=audit_log,
        sinks=sinks,
        should_stop=stop,
        on_decision=printer.decided,
        faults=faults,
        origin=getattr(args, "origin", ""),
    )
    head = f"deskhand: {model} ({session.dialect}) on {host}, task: {args.task}"
    sys.stdout.write(one_line(head, None) + "\n")
    result: TaskResult | None = None
    try:
        result = session.run()
    except KeyboardInterrupt:
        result = TaskResult(TaskStatus.STOPPED, "Stopped by the user.", 0)
    finally:
        session.close(result)
        audit_log.close()
        if trace is not None:
            trace.finish(_summary(args.task, model, session.dialect, result))
    sys.stdout.write(f"{result.status.value}: {one_line(result.message, None)}\n")
    return EXIT_CODES[result.status]


def _tell(notice: PauseNotice) -> None:
    sys.stderr.write(f"deskhand: {one_line(notice.text, None)}\n")
    sys.stderr.flush()


def _summary(task: str, model: str, dialect: str, result: TaskResult | None) -> dict[str, object]:
    return {
        "task": task,
        "model": model,
        "dialect": dialect,
        "status": result.status.value if result else "error",
        "message": result.message if result else ERROR_MESSAGE,
        "steps": result.steps if result else None,
    }
