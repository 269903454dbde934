"""``deskhand do "TASK"``: one task in the terminal, confirmations asked there."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from deskhand.app.cli.terminal import StepPrinter, TerminalApprover, one_line
from deskhand.app.model_choice import resolve_host, resolve_model
from deskhand.app.platform.task_lock import desktop_lock
from deskhand.app.store.config import load_settings
from deskhand.app.store.tracefile import TraceDirectory
from deskhand.app.task_session import TaskSession, open_audit_log
from deskhand.app.wiring import TaskOptions
from deskhand.core.errors import DeskhandError
from deskhand.core.faults import Pause, PauseAndRetry, PauseNotice
from deskhand.core.loop import TaskResult, TaskStatus
from deskhand.core.ports import StepSink
from deskhand.core.stop import StopToken

EXIT_CODES = {
    TaskStatus.FINISHED: 0,
    TaskStatus.GAVE_UP: 1,
    TaskStatus.FAILED: 1,
    TaskStatus.STOPPED: 3,
}


class StopOnSignal(StopToken):
    """The CLI's Stop: first Ctrl+C (or SIGTERM) asks the loop to stop before its next
    input event; a second Ctrl+C interrupts at once."""

    __slots__ = ()

    def install(self) -> None:
        signal.signal(signal.SIGINT, self._handle)
        signal.signal(signal.SIGTERM, self._handle)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if not self.request() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        sys.stderr.write("\ndeskhand: stopping before the next action…\n")


def run_do(args: argparse.Namespace) -> int:
    """One task on this desktop; refused at once (exit 2) while another task runs on it."""
    with desktop_lock("deskhand do"):
        return _run_do(args)


def _run_do(args: argparse.Namespace) -> int:
    return run_in_terminal(args, args.task)


Runner = Callable[[TaskSession], TaskResult]


def run_in_terminal(
    args: argparse.Namespace,
    task: str,
    *,
    runner: Runner | None = None,
    max_steps: int | None = None,
) -> int:
    """Run ``task`` with ``do``'s options, printing, trace, audit log and exit codes;
    ``runner`` drives the built session (default: the model loop -- a skill replay passes
    its own).  The caller holds the desktop."""
    settings = load_settings()
    host = resolve_host(args.host, settings, args.backend)
    model = resolve_model(args.model, settings, host, args.backend)
    options = TaskOptions(
        host=host,
        model=model,
        dialect=args.dialect or settings.dialect,
        monitor=args.monitor,
        max_steps=args.max_steps or max(settings.max_steps, max_steps or 0),
        backend=args.backend,
        allow_remote=args.allow_remote,
        allow_insecure=args.allow_insecure_remote,
        planner=getattr(args, "planner", None) or settings.planner_model,
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
            notify=PauseTeller(), should_stop=stop, sleep=time.sleep, patience=settings.model_wait_seconds
        )
    session = TaskSession(
        task,
        options,
        settings,
        approver=TerminalApprover(assume_yes=args.yes),
        audit_log=audit_log,
        sinks=sinks,
        journals=(trace,) if trace else (),  # the trace too has each action before it runs
        stop=stop,
        on_decision=printer.decided,
        faults=faults,
        origin=getattr(args, "origin", ""),
        locked=True,  # the caller holds the desktop already
    )
    planner = f", planned by {options.planner}" if options.planner else ""
    head = f"deskhand: {model} ({session.dialect}){planner} on {host}, task: {task}"
    sys.stdout.write(one_line(head, None) + "\n")
    result: TaskResult | None = None
    error = "the task ended with an error (see stderr)"
    try:
        result = session.run() if runner is None else runner(session)
    except KeyboardInterrupt:
        result = TaskResult(TaskStatus.STOPPED, "Stopped by the user.", 0)
    except DeskhandError as exc:
        error = str(exc)  # on record too, not only on stderr
        raise
    finally:
        unrecorded = session.close(result, error, trace=trace)
        audit_log.close()
    sys.stdout.write(f"{result.status.value}: {one_line(result.message, None)}\n")
    if unrecorded is not None:
        raise unrecorded
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
        sys.stderr.write(f"deskhand: {one_line(line, None)}\n")
        sys.stderr.flush()
