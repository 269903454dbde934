"""Builds a task's concrete parts: the only place that knows every layer.

The CLI and the tray app both come here, so a task runs the same way from either.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from deskhand.actions.dispatch import ActionExecutor
from deskhand.actions.settle import ScreenSettler
from deskhand.actions.shell import ShellRunner
from deskhand.app.config import Settings
from deskhand.core.actions import Decision
from deskhand.core.errors import ModelUnavailable
from deskhand.core.loop import Limits, Parts
from deskhand.core.ports import Approver, ShouldStop, StepSink
from deskhand.vision.capture import MssScreen, choose_monitor
from deskhand.vision.dialects import dialect_for
from deskhand.vision.ollama_model import OllamaModel

DEFAULT_HOST = "http://127.0.0.1:11434"
RECOMMENDED_MODEL = "qwen2.5vl:7b"


class MonotonicClock:
    def now(self) -> float:
        return time.perf_counter()


def resolve_host(flag: str | None, settings: Settings) -> str:
    """--host, else the config file, else OLLAMA_HOST, else the local default."""
    return flag or settings.host or os.environ.get("OLLAMA_HOST") or DEFAULT_HOST


def resolve_model(flag: str | None, settings: Settings, host: str) -> str:
    """--model, else config, else DESKHAND_MODEL, else the first vision model installed."""
    chosen = flag or settings.model or os.environ.get("DESKHAND_MODEL")
    if chosen:
        return chosen
    vision = [m.name for m in OllamaModel(host=host, model="").list_models() if m.vision]
    if not vision:
        raise ModelUnavailable(
            f"Tried to pick a vision model on {host}, but none is installed. "
            f"Pull one with `ollama pull {RECOMMENDED_MODEL}` (or `deskhand pull {RECOMMENDED_MODEL}`)."
        )
    return vision[0]


@dataclass(frozen=True)
class TaskOptions:
    host: str
    model: str
    dialect: str | None
    monitor: int | None
    max_steps: int


def build_parts(
    options: TaskOptions,
    settings: Settings,
    *,
    approver: Approver,
    sinks: Sequence[StepSink],
    should_stop: ShouldStop,
    on_decision: Callable[[int, Decision], None] | None = None,
) -> tuple[Parts, Limits, OllamaModel]:
    """Check the model, choose the monitor, and assemble the loop's parts."""
    model = OllamaModel(
        host=options.host,
        model=options.model,
        keep_alive=settings.keep_alive,
        num_ctx=settings.num_ctx,
        num_predict=settings.num_predict,
    )
    model.check()
    dialect = dialect_for(options.model, options.dialect)
    monitor = choose_monitor(options.monitor)
    parts = Parts(
        screen=MssScreen(monitor, dialect.grid, jpeg_quality=settings.jpeg_quality),
        model=model,
        dialect=dialect,
        approver=approver,
        executor=ActionExecutor(shell=ShellRunner(timeout=settings.shell_timeout)),
        settler=ScreenSettler(cap=settings.settle_cap),
        clock=MonotonicClock(),
        sinks=tuple(sinks),
        should_stop=should_stop,
        on_decision=on_decision,
    )
    return parts, Limits(max_steps=options.max_steps), model
