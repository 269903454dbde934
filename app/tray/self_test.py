"""The grounding self-test: can this model, on this screen, click what it is asked to?

Why the real loop and not a single model call: what the user will live with is the whole
chain -- capture, resize onto the model's grid, the dialect's prompt and parser, the
coordinate mapping back to the screen, the input layer.  So the test shows a full-screen
``ButtonBoard`` of labelled buttons at known places (corners, edges, centre), runs
``run_task("Click the X button")`` for each through ``wiring.build_parts``, and checks where
the press really landed.  The model may only point: the approver denies everything that
asks, and ``PointerOnly`` refuses typing, hotkeys and shell commands outright.

``score`` and ``SelfTestReport`` are plain Python; ``ButtonBoard`` must live on the GUI
thread and ``run_self_test`` on a worker thread (``SelfTest`` arranges both).
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from deskhand.app.store.config import Settings
from deskhand.app.wiring import TaskOptions, build_parts
from deskhand.core.actions import Action, Click, describe
from deskhand.core.approval import Approved, UserAnswer
from deskhand.core.errors import ExecutionFailed
from deskhand.core.geometry import Rect
from deskhand.core.loop import Limits, run_task
from deskhand.core.observation import Observation
from deskhand.core.outcome import ExecResult
from deskhand.core.ports import Executor, ShouldStop
from deskhand.core.trace import StepRecord
from deskhand.core.verdict import Verdict

__all__ = [
    "LABELS",
    "PLACES",
    "BoardButton",
    "ButtonResult",
    "DenyAll",
    "PointerOnly",
    "SelfTestReport",
    "run_self_test",
    "score",
]

# Plain, distinct words OCR and models read alike; none is a word of the board's own text.
LABELS = ("Apple", "Banana", "Cherry", "Lemon", "Mango", "Orange")
# Where each button sits, as fractions of the free space: the four corners, the centre and the
# middle of the top edge (where panels and notches shift coordinates).  The test oracle (OCR)
# misreads some other layouts, so change them only with the self-test tests running.
PLACES = ((0.0, 0.0), (1.0, 0.0), (0.5, 0.5), (0.0, 1.0), (1.0, 1.0), (0.5, 0.0))
POINTER_KINDS = frozenset({"click", "move", "drag", "scroll", "wait"})


@dataclass(frozen=True, slots=True)
class BoardButton:
    """One button, in desktop (input) coordinates."""

    label: str
    rect: Rect

    @property
    def centre(self) -> tuple[float, float]:
        return (self.rect.x + self.rect.width / 2, self.rect.y + self.rect.height / 2)


@dataclass(frozen=True, slots=True)
class ButtonResult:
    label: str
    hit: bool
    clicked_at: tuple[int, int] | None
    error_px: float | None  # distance from the first click to the button's centre
    status: str
    step_ms: tuple[float, ...] = ()
    model_ms: tuple[float, ...] = ()


def _median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


@dataclass(frozen=True, slots=True)
class SelfTestReport:
    model: str
    results: tuple[ButtonResult, ...] = field(default_factory=tuple)
    planned: int = 0  # buttons the run meant to try; more than ``results`` if it was stopped

    @property
    def hits(self) -> int:
        return sum(r.hit for r in self.results)

    @property
    def median_error_px(self) -> float | None:
        return _median([r.error_px for r in self.results if r.error_px is not None])

    @property
    def median_step_ms(self) -> float | None:
        return _median([ms for r in self.results for ms in r.step_ms])

    @property
    def median_model_ms(self) -> float | None:
        return _median([ms for r in self.results for ms in r.model_ms])

    @property
    def passed(self) -> bool:
        """Every planned button was tried and every first click landed on its button."""
        return self.planned > 0 and len(self.results) == self.planned and self.hits == self.planned

    def verdict(self) -> str:
        """The result with a plain word first: "Passed: …", "Failed: …" (and what to try) or
        "Not finished: …" when the run was stopped."""
        if self.passed:
            return f"Passed: {self.summary()}."
        if len(self.results) < self.planned:
            return f"Not finished: {self.summary()}. Run it again to get a result."
        return (
            f"Failed: {self.summary()}. With this model Deskhand may click the wrong thing on this "
            "screen: try a larger model (< Back), or run the test again."
        )

    def summary(self) -> str:
        """E.g. "6 of 6 clicks landed, median error 3 px, 1.4 s per step (model 1.2 s)"."""
        parts = [f"{self.hits} of {len(self.results)} clicks landed"]
        if self.planned > len(self.results):
            parts[0] += f" (stopped after {len(self.results)} of {self.planned} targets)"
        if self.median_error_px is not None:
            parts.append(f"median error {self.median_error_px:.0f} px")
        if self.median_step_ms is not None and self.median_model_ms is not None:
            parts.append(
                f"{self.median_step_ms / 1000:.1f} s per step (model {self.median_model_ms / 1000:.1f} s)"
            )
        return ", ".join(parts)


def score(
    button: BoardButton, clicks: Sequence[tuple[int, int]], status: str, steps: Sequence[StepRecord]
) -> ButtonResult:
    """Judge one button by the first press the board recorded while it was the current one."""
    first = clicks[0] if clicks else None
    error = (
        None
        if first is None
        else ((first[0] - button.centre[0]) ** 2 + (first[1] - button.centre[1]) ** 2) ** 0.5
    )
    return ButtonResult(
        label=button.label,
        hit=first is not None and button.rect.contains(*first),
        clicked_at=first,
        error_px=error,
        status=status,
        step_ms=tuple(s.timings_ms.get("total", 0.0) for s in steps),
        model_ms=tuple(s.timings_ms.get("model", 0.0) for s in steps if s.timings_ms.get("model")),
    )


class DenyAll:
    """The self-test's approver: nothing that needs a yes is allowed, no question answered."""

    def confirm(self, action: Action, verdict: Verdict, observation: Observation) -> UserAnswer:
        return UserAnswer.DENY

    def answer(self, question: str) -> str | None:
        return None


class PointerOnly:
    """Wraps the real executor so that only pointer actions (and waiting) are carried out."""

    def __init__(self, inner: Executor) -> None:
        self.inner = inner

    def execute(self, approved: Approved[Action], *, should_stop: ShouldStop) -> ExecResult:
        action = approved.action
        if action.kind not in POINTER_KINDS:
            raise ExecutionFailed(
                f"The self-test only lets the model point and click, so '{describe(action)}' was not done."
            )
        return self.inner.execute(approved, should_stop=should_stop)

    def release_all(self) -> None:
        self.inner.release_all()

    def close(self) -> None:
        self.inner.close()


class _Steps:
    """A step sink that keeps the current target's records."""

    def __init__(self) -> None:
        self.records: list[StepRecord] = []

    def record(self, step: StepRecord, observation: Observation) -> None:
        self.records.append(step)


def _clicked(records: Sequence[StepRecord]) -> bool:
    return any(isinstance(a, Click) for r in records for a in r.actions)


def run_self_test(
    buttons: Sequence[BoardButton],
    *,
    clicks: Callable[[int], list[tuple[int, int]]],
    set_current: Callable[[int], None],
    settings: Settings,
    host: str,
    model: str,
    monitor: int | None,
    should_stop: ShouldStop,
    on_progress: Callable[[int, str], None] = lambda _i, _label: None,
    max_steps: int = 3,
) -> SelfTestReport:
    """Ask the model to click each button in turn; call from a worker thread.

    ``clicks(i)`` returns the presses the board saw while button ``i`` was current (it is
    filled on the GUI thread, so after each task we give it up to 2 s to catch up).
    """
    steps = _Steps()
    options = TaskOptions(
        host=host, model=model, dialect=settings.dialect, monitor=monitor, max_steps=max_steps
    )
    parts, _, client = build_parts(
        options, settings, approver=DenyAll(), sinks=[steps], should_stop=should_stop
    )
    parts = replace(parts, executor=PointerOnly(parts.executor))
    limits = Limits(max_steps=max_steps, max_seconds=300.0)
    results = []
    try:
        for index, button in enumerate(buttons):
            if should_stop():
                break
            on_progress(index, button.label)
            set_current(index)
            steps.records = []
            result = run_task(f"Click the {button.label} button", parts, limits)
            deadline = time.monotonic() + 2.0
            while _clicked(steps.records) and not clicks(index) and time.monotonic() < deadline:
                time.sleep(0.02)
            results.append(score(button, clicks(index), result.status.value, steps.records))
    finally:
        set_current(-1)
        for part in (parts.executor, parts.screen, parts.settler, client):
            close: Any = getattr(part, "close", None)
            if close is not None:
                close()
    return SelfTestReport(model=model, results=tuple(results), planned=len(buttons))


class ClickLog:
    """Presses recorded on the GUI thread, read by the worker; keyed by the current button."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._current = -1
        self._clicks: dict[int, list[tuple[int, int]]] = {}

    def set_current(self, index: int) -> None:
        with self._lock:
            self._current = index

    def add(self, x: int, y: int) -> None:
        with self._lock:
            if self._current >= 0:
                self._clicks.setdefault(self._current, []).append((x, y))

    def clicks(self, index: int) -> list[tuple[int, int]]:
        with self._lock:
            return list(self._clicks.get(index, []))
