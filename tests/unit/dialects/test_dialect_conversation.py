"""Conversations stay bounded and cache-friendly, and speak each family's turn style."""

from __future__ import annotations

import json

import pytest

from deskhand.core.actions import Decision
from deskhand.core.geometry import Rect, ScreenGeometry, Size
from deskhand.core.observation import Conversation, Observation
from deskhand.core.outcome import StepMemory
from deskhand.vision.dialects import DIALECT_NAMES, dialect_for
from deskhand.vision.dialects.common import first_imaged_step

TASK = "Rename report.txt on the desktop to final.txt"
HD = Size(1920, 1080)
GRID = Size(1316, 728)


def observation(step: int, size: Size = GRID) -> Observation:
    geometry = ScreenGeometry(image_size=size, screen_rect=Rect(0, 0, 1920, 1080))
    return Observation(f"shot-{step}", f"image-{step}".encode(), "image/jpeg", geometry, 1.0, 1.0)


def memory(step: int) -> StepMemory:
    return StepMemory(f"shot-{step}", f"image-{step}".encode(), f"answer {step}", f"feedback {step}")


def conversation(name: str, step: int, size: Size = GRID) -> Conversation:
    history = [memory(i) for i in range(step)]
    return dialect_for("m", override=name).conversation(TASK, history, observation(step, size))


@pytest.mark.parametrize("name", DIALECT_NAMES)
def test_system_turn_is_first_and_identical_across_steps(name: str) -> None:
    systems = {conversation(name, step).turns[0] for step in range(8)}
    assert len(systems) == 1
    (system,) = systems
    assert system.role == "system" and system.image is None


@pytest.mark.parametrize("name", DIALECT_NAMES)
@pytest.mark.parametrize("step", range(9))
def test_only_the_newest_screenshots_travel_as_images(name: str, step: int) -> None:
    turns = conversation(name, step).turns
    user_turns = [t for t in turns if t.role == "user"]
    with_images = [t for t in turns if t.image is not None]
    assert 1 <= len(with_images) <= 3
    assert all(t.role == "user" for t in with_images)
    assert all(t in user_turns[-3:] for t in with_images)
    assert turns[-1].image == f"image-{step}".encode()
    expected = [f"image-{i}".encode() for i in range(first_imaged_step(step), step + 1)]
    assert [t.image for t in with_images] == expected
    assert all(t.text or t.image for t in turns)


@pytest.mark.parametrize("name", DIALECT_NAMES)
def test_the_prompt_prefix_survives_every_other_step(name: str) -> None:
    stable = 0
    for step in range(10):
        before, after = conversation(name, step).turns, conversation(name, step + 1).turns
        if first_imaged_step(step) == first_imaged_step(step + 1):
            assert after[: len(before)] == before
            stable += 1
    assert stable >= 5


@pytest.mark.parametrize("name", DIALECT_NAMES)
def test_task_appears_once_and_never_changes(name: str) -> None:
    carriers = set()
    for step in range(6):
        turns = conversation(name, step).turns
        holding = [t.text for t in turns if TASK in t.text]
        assert len(holding) == 1
        carriers.add(holding[0])
    assert len(carriers) == 1


@pytest.mark.parametrize("name", DIALECT_NAMES)
def test_history_replays_answers_and_feedback_in_order(name: str) -> None:
    turns = conversation(name, 4).turns
    assert [t.text for t in turns if t.role == "assistant"] == [f"answer {i}" for i in range(4)]
    feedback_turns = [t.text for t in turns if t.role == "user" and "feedback" in t.text]
    assert len(feedback_turns) == 4
    for i, text in enumerate(feedback_turns):
        assert f"feedback {i}" in text
        assert ("<tool_response>" in text) == name.startswith("qwen")


def test_qwen_feedback_is_a_tool_response_turn() -> None:
    turns = conversation("qwen2.5-vl", 1).turns
    assert turns[-1].text == "<tool_response>\nfeedback 0\n</tool_response>"


def test_ui_tars_feedback_is_plain_text_before_the_screenshot() -> None:
    turns = conversation("ui-tars", 1).turns
    assert turns[-1].text == "Result of the previous action: feedback 0"
    assert turns[-1].image == b"image-1"


def test_long_replayed_text_is_cut() -> None:
    history = [StepMemory("s0", b"i0", "x" * 50_000, "y" * 50_000)]
    turns = dialect_for("m", override="json").conversation(TASK, history, observation(1)).turns
    assert max(len(t.text) for t in turns) < 6_000


@pytest.mark.parametrize("name", DIALECT_NAMES)
def test_repair_appends_the_bad_answer_and_a_precise_correction(name: str) -> None:
    dialect = dialect_for("m", override=name)
    original = conversation(name, 2)
    fixed = dialect.repair(original, "gibberish", "there is no 'Action:' line")
    assert fixed.turns[: len(original.turns)] == original.turns
    assert [t.role for t in fixed.turns[len(original.turns) :]] == ["assistant", "user"]
    assert fixed.turns[-2].text == "gibberish"
    correction = fixed.turns[-1].text
    assert "there is no 'Action:' line" in correction
    assert len(correction) < 400
    assert fixed.response_schema == original.response_schema
    again = dialect.repair(fixed, "still bad", "the answer is empty")
    assert len(again.turns) == len(fixed.turns) + 2


def test_repair_restates_each_family_format() -> None:
    reminders = {
        "ui-tars": "Action: click(point='<point>x1 y1</point>')",
        "qwen2.5-vl": "<tool_call>",
        "qwen3-vl": "<tool_call>",
        "json": '"actions"',
        "holo": '"tool_call"',
    }
    for name, fragment in reminders.items():
        fixed = dialect_for("m", override=name).repair(conversation(name, 0), "x", "p")
        assert fragment in fixed.turns[-1].text


def test_holo_shows_and_constrains_the_same_step_schema() -> None:
    """H Company's agent loop: the schema in the system prompt under <output_format> and as
    the constrained-decoding format, the same both places."""
    asked = conversation("holo", 0)
    schema = asked.response_schema
    assert schema is not None and set(schema["properties"]) == {"note", "thought", "tool_call"}
    assert (
        f"<output_format>\n{json.dumps(schema, ensure_ascii=False)}\n</output_format>" in asked.turns[0].text
    )


def test_json_dialect_asks_for_the_decision_schema() -> None:
    assert conversation("json", 0).response_schema == Decision.model_json_schema()
    for name in ("ui-tars", "qwen2.5-vl", "qwen3-vl"):
        assert conversation(name, 0).response_schema is None


def test_ui_tars_uses_its_trained_computer_use_prompt() -> None:
    turns = conversation("ui-tars", 0).turns
    assert turns[0].text == "You are a helpful assistant."
    prompt = turns[1].text
    assert "## Output Format\n```\nThought: ...\nAction: ...\n```" in prompt
    for line in (
        "click(point='<point>x1 y1</point>')",
        "drag(start_point='<point>x1 y1</point>', end_point='<point>x2 y2</point>')",
        "hotkey(key='ctrl c')",
        "type(content='xxx')",
        "scroll(point='<point>x1 y1</point>', direction='down or up or right or left')",
        "wait()",
        "finished(content='xxx')",
        "call_user()",
    ):
        assert line in prompt
    assert prompt.endswith(f"## User Instruction\n{TASK}")


@pytest.mark.parametrize(
    ("name", "size", "resolution"),
    [
        ("qwen2.5-vl", Size(1316, 728), "1316x728"),
        ("qwen2.5-vl", HD, "1316x728"),  # an off-grid image is stated as the model will see it
        ("qwen3-vl", Size(1504, 832), "1000x1000"),
        ("qwen3-vl", HD, "1000x1000"),
    ],
)
def test_qwen_prompt_states_the_resolution_the_model_answers_in(
    name: str, size: Size, resolution: str
) -> None:
    system = conversation(name, 0, size).turns[0].text
    assert f"The screen's resolution is {resolution}." in system
    assert '"name": "computer_use"' in system and '"name": "run_shell"' in system
    assert "<tools>\n" in system and "<tool_call>" in system


def test_only_qwen3_offers_its_extra_actions() -> None:
    qwen25 = conversation("qwen2.5-vl", 0).turns[0].text
    qwen3 = conversation("qwen3-vl", 0).turns[0].text
    for action in ("triple_click", "hscroll", "answer"):
        assert f'"{action}"' in qwen3 and f'"{action}"' not in qwen25
