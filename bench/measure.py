"""Running the configurations: tasks per configuration, the raw floor, and stop latency.

Every configuration gets its own fake-server process with the whole run's script, so the
loop talks HTTP to another process as it does to Ollama, and nothing of the fake's work
competes with the loop for this process's interpreter lock.
"""

from __future__ import annotations

import io
import random
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import mss
from PIL import Image

from bench.desktop import Desktop, FakeServer, settle_desktop
from bench.tasks import TASKS, script
from deskhand.core.geometry import Size
from deskhand.core.loop import Limits, Parts, TaskStatus, run_task
from deskhand.core.stop import StopToken
from deskhand.vision.imaging import JPEG_QUALITY, encode_jpeg, resize_to

SCREEN = (1920, 1080)
GRID_IMAGE = (1316, 728)  # 1080p on the Qwen2.5-VL grid (1,280 tokens of 28x28 at most)

Factory = Callable[[str, StopToken], tuple[Parts, Limits, Any]]


@dataclass
class Run:
    name: str
    steps: list[Any] = field(default_factory=list)  # Collected
    wall_s: float = 0.0
    statuses: list[str] = field(default_factory=list)


def run_config(
    name: str,
    factory: Factory,
    desktop: Desktop,
    *,
    image: tuple[int, int],
    reps: int,
    model_ms: float = 0.0,
    chunk_ms: float = 0.0,
    model: str = "qwen2.5vl:7b",
) -> Run:
    """Run every task ``reps`` times with one configuration; keep every step's record."""
    steps = [s for _ in range(reps) for task in TASKS for s in script(task, desktop.targets, SCREEN, image)]
    run = Run(name)
    with FakeServer(steps, model=model, first_token_ms=model_ms, per_chunk_ms=chunk_ms) as server:
        parts, limits, collector = factory(server.url, StopToken())
        try:
            settle_desktop()
            start = time.perf_counter()
            for _ in range(reps):
                for task in TASKS:
                    result = run_task(task.text, parts, limits)
                    run.statuses.append(result.status.value)
            run.wall_s = time.perf_counter() - start
        finally:
            collector.close(parts)
    run.steps = collector.steps
    return run


def run_scripted(
    name: str, factory: Factory, steps: list[dict[str, Any]], *, model_ms: float, chunk_ms: float
) -> Run:
    """Run the first task once against literal answers (``steps``)."""
    run = Run(name)
    with FakeServer(steps, model="qwen2.5vl:7b", first_token_ms=model_ms, per_chunk_ms=chunk_ms) as server:
        parts, limits, collector = factory(server.url, StopToken())
        try:
            settle_desktop()
            result = run_task(TASKS[0].text, parts, limits)
            run.statuses.append(result.status.value)
        finally:
            collector.close(parts)
    run.steps = collector.steps
    return run


def _grab_cost(n: int, encode: Callable[[Image.Image], object], pause_s: float = 0.0) -> list[float]:
    """ms of ``n`` grabs of the whole screen, each turned into an image and ``encode``-d."""
    out = []
    with mss.MSS() as sct:
        for _ in range(n):
            start = time.perf_counter()
            shot = sct.grab({"left": 0, "top": 0, "width": SCREEN[0], "height": SCREEN[1]})
            image = Image.frombuffer("RGB", (shot.width, shot.height), shot.raw, "raw", "BGRX", 0, 1)
            encode(image)
            out.append((time.perf_counter() - start) * 1000)
            if pause_s:
                time.sleep(pause_s)
    return out


def raw_floor(n: int = 40) -> list[float]:
    """Bare mss grab + resize onto the grid + JPEG, in ms: what no harness can go below."""
    return _grab_cost(
        n, lambda image: encode_jpeg(resize_to(image, Size(*GRID_IMAGE)), JPEG_QUALITY), pause_s=0.005
    )


def full_png_cost(n: int = 5) -> list[float]:
    """What the peers pay instead: a full-resolution PNG of the same screen."""
    return _grab_cost(n, lambda image: image.save(io.BytesIO(), format="PNG"))


@dataclass
class StopTrial:
    at_s: float  # when the stop flag was set, from the task's start
    last_event_ms: float  # stop flag -> the last input event after it (0: none came)
    events_after: int
    returned_ms: float  # stop flag -> run_task returned
    status: str


_EVENTS = ("move", "button_down", "button_up", "wheel", "key_down", "key_up", "write")


def _timestamp_events(parts: Parts, log: list[float]) -> None:
    """Record the time of every input event the executor sends (not the release backstop)."""
    device = parts.executor.gui.device  # type: ignore[attr-defined]
    for name in _EVENTS:
        original = getattr(device, name)

        def stamped(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
            result = _original(*args, **kwargs)
            log.append(time.perf_counter())
            return result

        setattr(device, name, stamped)


def stop_trials(
    factory: Factory, desktop: Desktop, *, trials: int, model_ms: float, chunk_ms: float, seed: int = 7
) -> list[StopTrial]:
    """Set the stop flag at a random moment of a task; time until input stops and the loop ends."""
    rng = random.Random(seed)  # noqa: S311 (timing jitter, not secrets)
    task = TASKS[0]
    # No "finish": every trial runs until it is stopped, whichever steps it is handed.
    steps = [s for s in script(task, desktop.targets, SCREEN, GRID_IMAGE) if s["do"] != "finish"]
    out: list[StopTrial] = []
    fake = FakeServer(
        steps * 8 * trials, model="qwen2.5vl:7b", first_token_ms=model_ms, per_chunk_ms=chunk_ms
    )
    with fake as srv:
        for _ in range(trials):  # a task session each, as each `deskhand do` has (a stop is final)
            stop = StopToken()
            parts, limits, collector = factory(srv.url, stop)
            events: list[float] = []
            _timestamp_events(parts, events)
            try:
                settle_desktop(0.2)
                delay = rng.uniform(0.05, 1.6)
                stopped_at: list[float] = []

                def request(
                    delay: float = delay, stopped_at: list[float] = stopped_at, stop: StopToken = stop
                ) -> None:
                    time.sleep(delay)
                    stopped_at.append(time.perf_counter())
                    stop.request()

                timer = threading.Thread(target=request, daemon=True)
                timer.start()
                result = run_task(task.text, parts, limits)
                returned = time.perf_counter()
                timer.join()
            finally:
                collector.close(parts)
            if result.status is not TaskStatus.STOPPED or not stopped_at:
                continue
            t = stopped_at[0]
            after = [e for e in events if e > t]
            out.append(StopTrial(delay, (max(after) - t) * 1000 if after else 0.0, len(after),
                                 (returned - t) * 1000, result.status.value))  # fmt: skip
    return out


def reaction_latency(desktop: Desktop, rounds: int = 8, window: float = 0.3) -> dict[str, list[float | None]]:
    """How long after an input event the app's first visible change comes (ms; None: none).

    The data behind the settler's still window: grab before the action, act through the
    real executor, then grab as fast as possible until the screen differs.  0 means the
    change was already there at the first grab after the executor returned.
    """
    from deskhand.actions.gui import GuiExecutor
    from deskhand.core.actions import Action, Click, Hotkey, Scroll, ScrollDirection, TypeText
    from deskhand.core.approval import UserAnswer, approve
    from deskhand.core.geometry import ImagePoint, Rect, ScreenGeometry
    from deskhand.core.policy import assess

    geometry = ScreenGeometry(image_size=Size(*SCREEN), screen_rect=Rect(0, 0, *SCREEN))

    def at(name: str) -> ImagePoint:
        x, y = desktop.targets[name]
        return ImagePoint(x=x, y=y)

    plan: list[tuple[str, Action]] = [
        ("click a field", Click(at=at("Name"))),
        ("type a letter", TypeText(text="x")),
        ("press a key", Hotkey(keys=("backspace",))),
        ("click a button", Click(at=at("Apply"))),
        ("scroll a list", Scroll(direction=ScrollDirection.DOWN, amount=3, at=at("Row 3"))),
        ("scroll a list", Scroll(direction=ScrollDirection.UP, amount=3, at=at("Row 3"))),
    ]
    out: dict[str, list[float | None]] = {}
    gui = GuiExecutor()
    region = {"left": 0, "top": 0, "width": SCREEN[0], "height": SCREEN[1]}
    try:
        with mss.MSS() as sct:
            for _ in range(rounds):
                for kind, action in plan:
                    time.sleep(0.15)
                    before = sct.grab(region).raw
                    approved = approve(action, assess(action), geometry, user=UserAnswer.ALLOW_ONCE)
                    assert approved is not None
                    gui.execute(approved, should_stop=lambda: False)
                    acted = time.perf_counter()
                    first: float | None = None
                    while (now := time.perf_counter()) - acted < window:
                        if sct.grab(region).raw != before:
                            first = (now - acted) * 1000
                            break
                    out.setdefault(kind, []).append(first)
    finally:
        gui.close()
    return out


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]
