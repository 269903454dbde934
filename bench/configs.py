"""The configurations the benchmark compares, each built from the app's own wiring.

``deskhand`` is exactly what ``deskhand do`` runs: the parts of ``app.wiring.build_parts``
with the audit log and the skills' target journal in front, as ``app.task_session.TaskSession``
puts them (every action on record before it runs, and what it acted on described), writing
to a throwaway audit log on the same disk as the user's.  ``naive`` is
that loop configured like the peers (FACTS.md): full-resolution PNG screenshots, a fixed
2 s sleep after every action, no cap on the answer's length and no early stop, no warm-up.
The ablations switch off one optimisation at a time, so each one's worth is measured in
the same run on the same machine.
"""

from __future__ import annotations

import functools
import io
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from mss.screenshot import ScreenShot
from PIL import Image

from bench.legacy import GrabbedScreen, PreviousScreen, PreviousSettler
from deskhand.actions.settle import FixedSettler, ScreenSettler, SettleStats
from deskhand.app.store.audit_log import AuditLog
from deskhand.app.store.config import Settings
from deskhand.app.store.settings_store import audit_log_path
from deskhand.app.task_session import TaskSession
from deskhand.app.wiring import TaskOptions
from deskhand.core.actions import Action
from deskhand.core.approval import UserAnswer
from deskhand.core.geometry import Size
from deskhand.core.loop import Limits, Parts
from deskhand.core.observation import Observation
from deskhand.core.stop import StopToken
from deskhand.core.trace import StepRecord
from deskhand.core.verdict import Verdict
from deskhand.vision.capture import MssScreen
from deskhand.vision.ollama_model import OllamaModel

MODEL = "qwen2.5vl:7b"


class AllowAll:
    """The benchmark says yes to everything the policy asks about (no human in the loop)."""

    def confirm(self, action: Action, verdict: Verdict, observation: Observation) -> UserAnswer:
        return UserAnswer.ALLOW_ONCE

    def answer(self, question: str) -> str | None:
        return None


@dataclass
class Collected:
    record: StepRecord
    image_bytes: int
    image_size: tuple[int, int]
    settle: SettleStats | None


class Collector:
    """A ``StepSink`` keeping every step's record, its screenshot's size and how it settled;
    it also closes the configuration's task session (``close``)."""

    def __init__(self) -> None:
        self.steps: list[Collected] = []
        self.settler: object = None
        self.session: TaskSession | None = None
        self.built: Parts | None = None  # the parts as wired, before a configuration changed them

    def record(self, step: StepRecord, observation: Observation) -> None:
        size = observation.geometry.image_size
        stats = getattr(self.settler, "last", None)
        if isinstance(self.settler, ScreenSettler):
            self.settler.last = None
        self.steps.append(Collected(step, len(observation.image), (size.width, size.height), stats))

    def close(self, parts: Parts) -> None:
        """Close what the configuration put in place of the wired parts, then the session
        (which closes the wired ones and records the end of its audit-log task)."""
        built = self.built
        kept = () if built is None else (built.executor, built.screen, built.settler)
        for part in (parts.executor, parts.screen, parts.settler, parts.model):
            close = getattr(part, "close", None)
            if callable(close) and all(part is not other for other in kept):
                close()
        if self.session is not None:
            self.session.close(None, "benchmark run")


class FullPngScreen(GrabbedScreen):
    """The peers' screenshot: the whole monitor at full resolution, as PNG."""

    prefix, mime = "png", "image/png"

    def encode(self, shot: ScreenShot) -> tuple[bytes, Size]:
        image = Image.frombuffer("RGB", (shot.width, shot.height), shot.raw, "raw", "BGRX", 0, 1)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        return buffer.getvalue(), Size(shot.width, shot.height)


@dataclass(frozen=True)
class Config:
    name: str
    label: str
    adapt: Callable[[Parts, Any], Parts]  # (parts from build_parts, url) -> parts to run
    full_png: bool = False
    # The loop as November's bench wired it: no audit log, no skills' target journal and no
    # element list -- what is left of the step's cost is the house itself.
    bare: bool = False


def _as_built(parts: Parts, url: str) -> Parts:
    return parts


def _naive(parts: Parts, url: str) -> Parts:
    monitor = parts.screen.monitor  # type: ignore[attr-defined]
    model = OllamaModel(host=url, model=MODEL, num_predict=-1, early_stop=False)
    return replace(parts, screen=FullPngScreen(monitor), settler=FixedSettler(2.0), model=model,
                   warm_up=None)  # fmt: skip


def _no_pre_encode(parts: Parts, url: str) -> Parts:
    """The still frame handed to nobody: encoded, and its element list read, after the grab."""
    settler = parts.settler
    assert isinstance(settler, ScreenSettler)
    return replace(parts, settler=ScreenSettler(**{**settler.options(), "on_still": None}))


def _whole_screen_only(parts: Parts, url: str) -> Parts:
    settler = parts.settler
    assert isinstance(settler, ScreenSettler)
    return replace(parts, settler=ScreenSettler(**{**settler.options(), "region": None}))


def _previous(parts: Parts, url: str) -> Parts:
    """Settle and capture as before this work (bench/legacy.py); the rest as now."""
    screen = parts.screen
    assert isinstance(screen, MssScreen)
    return replace(parts, screen=PreviousScreen(screen.monitor, screen.grid), settler=PreviousSettler())


def _no_early_stop(parts: Parts, url: str) -> Parts:
    model = parts.model
    assert isinstance(model, OllamaModel)
    plain = OllamaModel(host=url, model=MODEL, num_ctx=model.num_ctx, num_predict=model.num_predict)
    return replace(parts, model=plain)


DESKHAND = Config("deskhand", "Deskhand (defaults)", _as_built)
NAIVE = Config("naive", "naive baseline (peers)", _naive, full_png=True)
BARE = Config("bare", "bare loop (no audit log, skills journal, element list)", _as_built, bare=True)
ABLATIONS = (
    BARE,
    Config("previous", "previous settle + capture", _previous),
    Config("no-pre-encode", "without work during settle (encode, element list)", _no_pre_encode),
    Config("whole-screen", "settle watching the whole monitor", _whole_screen_only),
)
NO_EARLY_STOP = Config("no-early-stop", "without early stop", _no_early_stop)


def factory(config: Config, model: str = MODEL, settings: Settings | None = None) -> Callable[..., Any]:
    """What ``bench.measure`` calls to build a configuration against a fake server's URL."""

    def make(url: str, stop: StopToken) -> tuple[Parts, Limits, Collector]:
        return build(url, stop, config, model, settings or Settings())

    return make


def private_data_dir() -> None:
    """Point the run's audit log and memory at a throwaway folder (``DESKHAND_DATA_DIR``),
    never at the user's own; call before anything is built."""
    os.environ.setdefault("DESKHAND_DATA_DIR", tempfile.mkdtemp(prefix="deskhand-bench-data-"))


@functools.cache
def audit_log() -> AuditLog:
    """One audit log for the run, in the private data folder (``private_data_dir``)."""
    private_data_dir()
    return AuditLog(audit_log_path(Settings()))


def build(
    url: str, stop: StopToken, config: Config, model: str, settings: Settings
) -> tuple[Parts, Limits, Collector]:
    """The configuration as ``deskhand do`` assembles a task (``TaskSession``); its tasks are
    run with ``run_task`` on these parts, one after the other, as one audit-log task."""
    collector = Collector()
    if config.bare:
        settings = settings.model_copy(update={"element_list": False})
    options = TaskOptions(host=url, model=model, dialect=None, monitor=1, max_steps=12)

    def adapt(parts: Parts) -> Parts:
        collector.built = parts
        return config.adapt(parts, url)

    session = TaskSession(f"bench: {config.label}", options, settings, approver=AllowAll(),
                          audit_log=audit_log(), stop=stop, sinks=[collector], adapt=adapt,
                          locked=True)  # fmt: skip
    collector.session = session
    collector.settler = session.parts.settler
    parts = session.parts
    if config.bare:
        parts = replace(parts, journals=(), sinks=(collector,))
    return parts, session.limits, collector
