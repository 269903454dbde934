"""The benchmark's tasks on the Qt test form, as fake-model scripts.

Each step names its target on the screen; ``script`` turns that into an explicit ``"at"``
point in pixels of the image the configuration sends (grid-sized JPEG or full-size PNG),
so the fake answers without OCR and the model stage holds only transport and emulation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Step = dict[str, Any]


@dataclass(frozen=True)
class Task:
    name: str
    text: str
    steps: tuple[Step, ...]  # "target" is a key of Desktop.targets


FILL = Task(
    "fill",
    "Put Ada Lovelace in the Name field, apply, and scroll the list down",
    (
        {"do": "click", "target": "Name"},
        {"do": "hotkey", "keys": ["ctrl", "a"]},
        {"do": "type", "text": "Ada Lovelace"},
        {"do": "click", "target": "Apply"},
        {"do": "scroll", "target": "Row 3", "direction": "down", "amount": 5},
        {"do": "finish", "summary": "Filled in, applied and scrolled."},
    ),
)
CANCEL = Task(
    "cancel",
    "Put Grace Hopper in the Name field, cancel, and scroll the list back up",
    (
        {"do": "click", "target": "Name"},
        {"do": "hotkey", "keys": ["ctrl", "a"]},
        {"do": "type", "text": "Grace Hopper"},
        {"do": "click", "target": "Cancel"},
        {"do": "scroll", "target": "Row 3", "direction": "up", "amount": 5},
        {"do": "finish", "summary": "Filled in, cancelled and scrolled back."},
    ),
)
TASKS = (FILL, CANCEL)


def script(
    task: Task,
    targets: dict[str, tuple[float, float]],
    screen: tuple[int, int],
    image: tuple[int, int],
) -> list[Step]:
    """The task's steps for the fake, with targets as points of an ``image``-sized shot."""
    sx, sy = image[0] / screen[0], image[1] / screen[1]
    out = []
    for step in task.steps:
        step = dict(step)
        target = step.pop("target", None)
        if target is not None:
            x, y = targets[target]
            step["at"] = [round(x * sx, 1), round(y * sy, 1)]
            step["thought"] = f'I will act on "{target}".'
        out.append(step)
    return out


CHATTER = (
    "\nThe click should have moved the keyboard focus; the next screenshot will show whether "
    "it worked, and if not I will try again from there."
)


def chatty(steps: list[Step], image: tuple[int, int], dialect: str = "qwen2.5-vl") -> list[Step]:
    """The same steps as literal answers that go on talking after the action.

    What a model does when it keeps writing after its call (or hallucinates the tool's
    response): the early stop is worth exactly the tokens after the action, so this is how
    its effect is made visible with a fake model.
    """
    import io

    from PIL import Image

    from tests.fakeollama.render import Context, reply

    buffer = io.BytesIO()
    Image.new("RGB", image).save(buffer, format="JPEG")
    context = Context(dialect=dialect, image=buffer.getvalue(), latest_text="")
    return [{"do": "raw", "text": reply(step, context) + CHATTER} for step in steps]
