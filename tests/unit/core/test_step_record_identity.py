"""The step record, byte for byte, over 6,500 generated steps.

Refactors of the step log, of where actions land, and of how types reach the trace must
not change one byte of what is written: the JSON of every record is hashed and the digest
is pinned.  A change here is a change of the on-disk contract (DESIGN.md, step record):
update the digest only together with that contract.
"""

from __future__ import annotations

import hashlib
import random

from pydantic import TypeAdapter

from deskhand.core.actions import Action, Decision
from deskhand.core.approval import UserAnswer
from deskhand.core.element_info import ElementInfo
from deskhand.core.geometry import Rect, ScreenGeometry, Size
from deskhand.core.observation import Completion, Observation
from deskhand.core.outcome import ExecResult, Executed
from deskhand.core.step_log import StepLog
from deskhand.core.verdict import Level, Verdict
from tests.fakes import FakeClock

STEPS = 6_500
DIGEST = "bc16c63e697ff4e00d3437f4410171c477a3e5edbe295da7d5ccc48bbfbdd853"  # grew only by additive fields: planner, dropped, elements, grounding, skill replays
_ACTION: TypeAdapter[Action] = TypeAdapter(Action)
_GEOMETRIES = (
    ScreenGeometry(image_size=Size(1344, 756), screen_rect=Rect(0, 0, 1920, 1080)),
    ScreenGeometry(image_size=Size(1280, 800), screen_rect=Rect(1920, 0, 2560, 1600), pixel_ratio=2.0),
    ScreenGeometry(image_size=Size(1000, 1000), screen_rect=Rect(-1280, 200, 1280, 1024)),
)


def _point(rng: random.Random, size: Size) -> dict[str, float]:
    return {"x": round(rng.uniform(0, size.width - 1), 3), "y": round(rng.uniform(0, size.height - 1), 3)}


def _action(rng: random.Random, size: Size) -> Action:
    kind = rng.choice(["click", "move", "drag", "scroll", "scroll_here", "type", "hotkey", "wait", "shell"])
    raw: dict[str, object]
    match kind:
        case "click":
            raw = {
                "kind": "click",
                "at": _point(rng, size),
                "button": rng.choice(["left", "right", "middle"]),
            }
        case "move":
            raw = {"kind": "move", "at": _point(rng, size)}
        case "drag":
            raw = {"kind": "drag", "start": _point(rng, size), "end": _point(rng, size)}
        case "scroll":
            raw = {"kind": "scroll", "direction": rng.choice(["up", "down"]), "at": _point(rng, size)}
        case "scroll_here":
            raw = {"kind": "scroll", "direction": "left", "amount": rng.randint(1, 50)}
        case "type":
            raw = {"kind": "type_text", "text": rng.choice(["hello", "hunter2 and more", "ls -la\n"])}
        case "hotkey":
            raw = {"kind": "hotkey", "keys": rng.choice([["ctrl", "s"], ["alt", "f4"], ["enter"]])}
        case "wait":
            raw = {"kind": "wait", "seconds": rng.choice([0.5, 1, 2.25])}
        case _:
            raw = {"kind": "run_shell", "command": rng.choice(["ls", "rm -rf ~/x", "echo hunter2"])}
    return _ACTION.validate_python(raw)


def _record_json(rng: random.Random, number: int) -> str:
    geometry = rng.choice(_GEOMETRIES)
    secrets = frozenset({"hunter2"}) if rng.random() < 0.2 else frozenset()
    log = StepLog(number, "qwen3-vl:8b", "qwen3", FakeClock(start=100.0, step=0.125), secrets=secrets)
    observation = Observation(f"obs-{number}", b"", "image/jpeg", geometry, capture_ms=3.5, encode_ms=1.25)
    log.observed(observation)
    log.replied(Completion(text=f"raw {number}", model_ms=12.5, prompt_tokens=number, output_tokens=7))
    actions = tuple(_action(rng, geometry.image_size) for _ in range(rng.randint(1, 3)))
    log.decided(Decision(thought=f"thought {number} hunter2", actions=actions))
    for action in actions:
        level = rng.choice(list(Level))
        answer = rng.choice([None, *UserAnswer])
        target = rng.choice([None, ElementInfo(label="OK", role="push button", source="a11y")])
        log.judged(action, Verdict(level=level, reason=f"because {level.value}"), answer, target)
        log.outcome(Executed(action=action, result=ExecResult(feedback=rng.choice(["", "exit 0: hunter2"]))))
    return log.record(observation, started=rng.random() < 0.1).model_dump_json()


def test_step_records_are_byte_identical() -> None:
    rng = random.Random(14)
    digest = hashlib.sha256()
    for number in range(1, STEPS + 1):
        digest.update(_record_json(rng, number).encode())
    assert digest.hexdigest() == DIGEST
