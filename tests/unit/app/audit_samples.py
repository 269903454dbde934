"""Fill a real ``AuditLog`` through its API with real JPEG screenshots (shared by UI tests)."""

from __future__ import annotations

import io
import signal
import subprocess
import sys
import time
from pathlib import Path

from PIL import Image, ImageDraw

from deskhand.app.store.audit_log import AuditLog
from deskhand.core.actions import Click, Finish, TypeText
from deskhand.core.geometry import ImagePoint, Rect, ScreenGeometry, Size
from deskhand.core.observation import Observation
from deskhand.core.trace import StepRecord

IMAGE = Size(640, 360)
GEOMETRY = ScreenGeometry(image_size=IMAGE, screen_rect=Rect(0, 0, 1920, 1080))
CLICK_AT = (400.0, 120.0)


def jpeg(colour: tuple[int, int, int]) -> bytes:
    image = Image.new("RGB", IMAGE, colour)
    ImageDraw.Draw(image).rectangle((380, 100, 420, 140), fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def observation(step: int, colour: tuple[int, int, int]) -> Observation:
    return Observation(f"obs-{step}", jpeg(colour), "image/jpeg", GEOMETRY, 3.0, 4.0)


def record(
    step: int, actions: list[dict[str, object]], *, thought: str, outcome: str, **extra: object
) -> StepRecord:
    return StepRecord(
        step=step,
        observation_id=f"obs-{step}",
        screenshot=f"step-{step:03d}.jpg",
        image_size=(IMAGE.width, IMAGE.height),
        screen_rect=(0, 0, 1920, 1080),
        model="qwen2.5vl:7b",
        dialect="qwen2.5-vl",
        raw_output=f"<tool_call>raw answer {step}</tool_call>",
        thought=thought,
        actions=actions,
        verdicts=[{"level": "auto", "reason": "pointer and waiting actions are reversible"}] * len(actions),
        outcome=outcome,
        timings_ms={"capture": 3.0, "encode": 4.0, "model": 812.0, "parse": 0.4, "total": 900.0},
        **extra,  # type: ignore[arg-type]
    )


def fill(log: AuditLog) -> tuple[int, int]:
    """An older finished three-step task and a newer one with no steps; returns their ids."""
    task = log.begin_task(
        "Click OK then type hello", model="qwen2.5vl:7b", dialect="qwen2.5-vl", host="http://h:1"
    )
    click = Click(at=ImagePoint(x=CLICK_AT[0], y=CLICK_AT[1])).model_dump(mode="json")
    typed = TypeText(text="hello").model_dump(mode="json")
    done = Finish(summary="Typed it.").model_dump(mode="json")
    task.record(
        record(1, [click], thought="The OK button is top right.", outcome="executed"),
        observation(1, (20, 40, 90)),
    )
    task.record(
        record(2, [typed], thought="Now type.", outcome="denied by the user: typing text",
               user_answers=["deny"]),
        observation(2, (90, 40, 20)),
    )  # fmt: skip
    task.record(record(3, [done], thought="Done.", outcome="finish: Typed it."), observation(3, (20, 90, 40)))
    task.finish("finished", "Typed it.")
    time.sleep(0.01)  # a strictly later start time
    empty = log.begin_task(
        "Open the pod bay doors", model="ui-tars-1.5:7b", dialect="ui-tars", host="http://h:1"
    )
    empty.finish("failed", "Tried to reach Ollama, but the connection was refused.")
    return task.task_id, empty.task_id


_CRASH = """
import os, signal, sys
from pathlib import Path
from deskhand.app.store.audit_log import AuditLog
from deskhand.core.outcome import STARTED
from tests.unit.app.audit_samples import click_step, observation, typing_step
log = AuditLog(Path(sys.argv[1]))
task = log.begin_task("Click OK then type a report", model="qwen2.5vl:7b", dialect="qwen2.5-vl", host="http://h:1")
task.record(click_step(1, "executed"), observation(1, (20, 40, 90)))
task.started(typing_step(2, STARTED), observation(2, (90, 40, 20)))
print(task.task_id, flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # mid-typing: what a crash or kill -9 does
"""


def click_step(step: int, outcome: str) -> StepRecord:
    click = Click(at=ImagePoint(x=CLICK_AT[0], y=CLICK_AT[1])).model_dump(mode="json")
    return record(step, [click], thought="The OK button is top right.", outcome=outcome)


def typing_step(step: int, outcome: str) -> StepRecord:
    typed = TypeText(text="a long report").model_dump(mode="json")
    return record(step, [typed], thought="Now type.", outcome=outcome, user_answers=["allow_once"])


def crashed_task(path: Path) -> int:
    """A task whose process was killed (SIGKILL) while its step 2's typing ran; its id."""
    root = Path(__file__).resolve().parents[3]
    run = subprocess.run(
        [sys.executable, "-c", _CRASH, str(path)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == -signal.SIGKILL, run.stderr
    return int(run.stdout)
