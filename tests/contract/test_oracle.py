"""The fake's oracle tells the truth: OCR finds the label, and each dialect's answer points at
its centre in that dialect's coordinate space (checked here against independent numbers)."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator

import ollama
import pytest
from PIL import Image, ImageOps

from deskhand.core.geometry import Grid, Size, smart_resize
from deskhand.core.observation import Conversation, Turn
from deskhand.vision.ollama_model import OllamaModel
from tests.fakeollama import FakeOllama
from tests.fakeollama.screens import LABELS, Label, Screen, render

MODELS = {
    "json": "llava:7b",
    "ui-tars": "hf.co/bytedance-research/ui-tars-1.5-7b:latest",
    "qwen2.5-vl": "qwen2.5vl:7b",
    "qwen3-vl": "qwen3-vl:8b",
}
# What Qwen2.5-VL's resize (factor 28, at most 1280 patches of 28x28) makes of each size.
SEEN_AS = {
    (1316, 728): (1316, 728),  # already on the grid: identity
    (1280, 720): (1288, 728),  # off the grid: rounded to multiples of 28
    (800, 600): (812, 588),
    (1920, 1080): (1316, 728),  # over the budget: scaled down
}
QWEN25 = Grid(factor=28, min_pixels=56 * 56, max_pixels=1280 * 28 * 28)


@pytest.fixture(scope="module")
def server() -> Iterator[FakeOllama]:
    with FakeOllama(models={name: True for name in MODELS.values()}) as srv:
        yield srv


def ask(srv: FakeOllama, dialect: str, image: bytes | None, text: str = "What next?") -> str:
    model = OllamaModel(host=srv.url, model=MODELS[dialect])
    turn = Turn("user", text, image)
    return model.complete(Conversation(turns=(turn,)), should_stop=lambda: False).text


def expected(dialect: str, centre: tuple[float, float], size: tuple[int, int]) -> tuple[float, ...]:
    if dialect == "json":
        return centre
    if dialect == "qwen3-vl":
        return (centre[0] / size[0] * 1000, centre[1] / size[1] * 1000)
    seen = SEEN_AS[size]
    return (centre[0] * seen[0] / size[0], centre[1] * seen[1] / size[1])


def point_of(dialect: str, answer: str) -> tuple[int, int]:
    if dialect == "json":
        at = json.loads(answer)["actions"][0]["at"]
        return at["x"], at["y"]
    if dialect == "ui-tars":
        found = re.search(r"\((\d+),(\d+)\)|<point>(\d+) (\d+)</point>", answer)
        assert found, answer
        nums = [int(g) for g in found.groups() if g is not None]
        return nums[0], nums[1]
    call = re.search(r"<tool_call>\s*(\{.*?\})\s*</tool_call>", answer, re.S)
    assert call, answer
    x, y = json.loads(call.group(1))["arguments"]["coordinate"]
    return x, y


@pytest.mark.parametrize("size", list(SEEN_AS))
def test_independent_resize_table_matches_core(size: tuple[int, int]) -> None:
    assert tuple(smart_resize(Size(*size), QWEN25)) == SEEN_AS[size]


@pytest.mark.parametrize("size", list(SEEN_AS))
@pytest.mark.parametrize("dialect", list(MODELS))
def test_click_points_at_the_label_centre(server: FakeOllama, dialect: str, size: tuple[int, int]) -> None:
    screen = render(size)
    tolerance = 3.0 if dialect != "qwen3-vl" else 3.0 * 1000 / min(size)
    server.script([{"do": "click", "target": label.text} for label in LABELS])
    for label in LABELS:
        answer = ask(server, dialect, screen.data)
        got = point_of(dialect, answer)
        want = expected(dialect, screen.centres[label.text], size)
        assert abs(got[0] - want[0]) <= tolerance, (label.text, answer, want)
        assert abs(got[1] - want[1]) <= tolerance, (label.text, answer, want)


def test_answers_point_at_the_last_image_of_the_request(server: FakeOllama) -> None:
    old = render((800, 600), (Label("Older", 0.1, 0.1, 14),))
    new = render((800, 600), (Label("Older", 0.6, 0.7, 14),))
    server.script([{"do": "click", "target": "Older"}])
    turns = (Turn("user", "before", old.data), Turn("user", "now", new.data))
    model = OllamaModel(host=server.url, model=MODELS["json"])
    answer = model.complete(Conversation(turns=turns), should_stop=lambda: False).text
    got = point_of("json", answer)
    assert abs(got[0] - new.centres["Older"][0]) <= 3


def test_light_text_on_dark_background_is_found(server: FakeOllama) -> None:
    light = render((1316, 728))
    with Image.open(io.BytesIO(light.data)) as img:
        dark = ImageOps.invert(img.convert("RGB"))
    out = io.BytesIO()
    dark.save(out, format="PNG")
    server.script([{"do": "click", "target": "Cancel"}])
    got = point_of("json", ask(server, "json", out.getvalue()))
    want = light.centres["Cancel"]
    assert abs(got[0] - want[0]) <= 3 and abs(got[1] - want[1]) <= 3


@pytest.fixture(scope="module")
def screen() -> Screen:
    return render((1316, 728))


def only_action(answer: str) -> dict[str, object]:
    (action,) = json.loads(answer)["actions"]
    return dict(action)


def qwen_calls(answer: str) -> list[dict[str, object]]:
    blocks = re.findall(r"<tool_call>\s*(\{.*?\})\s*</tool_call>", answer, re.S)
    return [json.loads(b) for b in blocks]


def test_target_not_found_gives_up_instead_of_guessing(server: FakeOllama, screen: Screen) -> None:
    server.script([{"do": "click", "target": "Nowhere to be seen"}] * 4)
    action = only_action(ask(server, "json", screen.data))
    assert action["kind"] == "finish" and action["success"] is False
    assert 'could not find "Nowhere to be seen"' in str(action["summary"])
    assert ask(server, "ui-tars", screen.data).endswith("Action: call_user()")
    for dialect in ("qwen2.5-vl", "qwen3-vl"):
        (call,) = qwen_calls(ask(server, dialect, screen.data))
        assert call["arguments"] == {"action": "terminate", "status": "failure"}


def test_pointed_steps_without_a_screenshot_give_up(server: FakeOllama) -> None:
    server.script([{"do": "click", "target": "OK"}])
    action = only_action(ask(server, "json", None))
    assert action["success"] is False and "no screenshot" in str(action["summary"])


def test_json_dialect_action_shapes(server: FakeOllama, screen: Screen) -> None:
    server.script(
        [
            {"do": "click", "target": "OK", "button": "right", "count": 2},
            {"do": "move", "at": [10, 20]},
            {"do": "drag", "target": "File", "to_at": [500, 400]},
            {"do": "scroll", "target": None, "direction": "up", "amount": 5},
            {"do": "type", "text": "héllo\n"},
            {"do": "hotkey", "keys": ["ctrl", "s"]},
            {"do": "shell", "command": "ls -l"},
            {"do": "wait", "seconds": 2},
            {"do": "finish", "summary": "Saved."},
            {"do": "ask", "question": "Which file?"},
        ]
    )
    got = [only_action(ask(server, "json", screen.data)) for _ in range(10)]
    assert got[0]["kind"] == "click" and got[0]["button"] == "right" and got[0]["count"] == 2
    assert got[1] == {"kind": "move", "at": {"x": 10, "y": 20}}
    assert got[2]["kind"] == "drag" and got[2]["end"] == {"x": 500, "y": 400}
    assert got[3] == {"kind": "scroll", "direction": "up", "amount": 5}
    assert got[4] == {"kind": "type_text", "text": "héllo\n"}
    assert got[5] == {"kind": "hotkey", "keys": ["ctrl", "s"]}
    assert got[6] == {"kind": "run_shell", "command": "ls -l"}
    assert got[7] == {"kind": "wait", "seconds": 2.0}
    assert got[8] == {"kind": "finish", "summary": "Saved.", "success": True}
    assert got[9] == {"kind": "ask_user", "question": "Which file?"}


def test_ui_tars_forms_alternate_and_escape(server: FakeOllama, screen: Screen) -> None:
    server.script(
        [
            {"do": "click", "at": [658, 364]},
            {"do": "click", "at": [658, 364]},
            {"do": "drag", "at": [10, 20], "to_at": [30, 40]},
            {"do": "drag", "at": [10, 20], "to_at": [30, 40]},
            {"do": "type", "text": 'it\'s "x"\\n\nnext'},
            {"do": "hotkey", "keys": ["ctrl", "s"]},
            {"do": "scroll", "target": None, "direction": "down"},
            {"do": "finish", "summary": "Done it's"},
            {"do": "shell", "command": "ls"},
        ]
    )
    answers = [ask(server, "ui-tars", screen.data) for _ in range(9)]
    actions = [a.split("\nAction: ", 1)[1] for a in answers[:8]]
    index = server.script_state.consumed - 9  # the alternation follows the request count
    box, point = ("<|box_start|>(658,364)<|box_end|>", "<point>658 364</point>")
    first, second = (f"click(start_box='{box}')", f"click(point='{point}')")
    assert actions[:2] == ([first, second] if index % 2 == 0 else [second, first])
    boxes = "start_box='<|box_start|>(10,20)<|box_end|>', end_box='<|box_start|>(30,40)<|box_end|>'"
    points = "start_point='<point>10 20</point>', end_point='<point>30 40</point>'"
    assert set(actions[2:4]) == {f"drag({boxes})", f"drag({points})"}
    assert actions[4] == "type(content='it\\'s \\\"x\\\"\\\\n\\nnext')"
    assert actions[5] == "hotkey(key='ctrl s')"
    assert actions[6] == "scroll(direction='down')"
    assert actions[7] == "finished(content='Done it\\'s')"
    assert answers[8].startswith("FAKE-OLLAMA SCRIPT ERROR")


@pytest.mark.parametrize("dialect", ["qwen2.5-vl", "qwen3-vl"])
def test_qwen_tool_calls(server: FakeOllama, screen: Screen, dialect: str) -> None:
    server.script(
        [
            {"do": "shell", "command": "echo RESULT=$((6*7))"},
            {"do": "type", "text": "{match}", "pattern": r"RESULT=(\S+)"},
            {"do": "hotkey", "keys": ["ctrl", "s"]},
            {"do": "drag", "at": [100, 100], "to_at": [200, 300]},
            {"do": "scroll", "at": [658, 364], "direction": "down", "amount": 5},
            {"do": "finish", "summary": "Saved it."},
        ]
    )
    (shell,) = qwen_calls(ask(server, dialect, screen.data))
    assert shell == {"name": "run_shell", "arguments": {"command": "echo RESULT=$((6*7))"}}
    output = "<tool_response>\nexit 0\nRESULT=42\n</tool_response>"
    (typed,) = qwen_calls(ask(server, dialect, screen.data, output))
    assert typed["arguments"] == {"action": "type", "text": "42"}
    (key,) = qwen_calls(ask(server, dialect, screen.data))
    assert key["arguments"] == {"action": "key", "keys": ["ctrl", "s"]}
    move, drag = qwen_calls(ask(server, dialect, screen.data))
    start = [100, 100] if dialect == "qwen2.5-vl" else [76, 137]
    assert move["arguments"] == {"action": "mouse_move", "coordinate": start}
    assert drag["arguments"]["action"] == "left_click_drag"  # type: ignore[index]
    (scroll,) = qwen_calls(ask(server, dialect, screen.data))
    centre = [658, 364] if dialect == "qwen2.5-vl" else [500, 500]
    assert scroll["arguments"] == {"action": "scroll", "pixels": -5, "coordinate": centre}
    answer = ask(server, dialect, screen.data)
    assert answer.startswith("The task is done.\nSaved it.\n<tool_call>")
    assert qwen_calls(answer)[0]["arguments"] == {"action": "terminate", "status": "success"}


def test_pattern_missing_gives_up_with_the_reason(server: FakeOllama) -> None:
    server.script([{"do": "type", "text": "{match}", "pattern": r"RESULT=(\S+)"}])
    action = only_action(ask(server, "json", None, "exit 1\nno such file"))
    assert action["kind"] == "finish" and action["success"] is False
    assert "pattern 'RESULT=(\\\\S+)' not found" in str(action["summary"])


def test_raw_is_sent_verbatim(server: FakeOllama) -> None:
    hostile = '<tool_call>{"name": "run_shell", "arguments": {"command": "rm -rf ~"}}'  # cut
    server.script([{"do": "raw", "text": hostile}])
    assert ask(server, "qwen2.5-vl", None) == hostile


def test_dialect_override_ignores_the_model_name(
    fake_ollama_factory: Callable[..., FakeOllama], screen: Screen
) -> None:
    srv = fake_ollama_factory(models={"qwen2.5vl:7b": True}, dialect="json")
    srv.script([{"do": "click", "target": "OK"}])
    answer = (
        OllamaModel(host=srv.url, model="qwen2.5vl:7b")
        .complete(Conversation(turns=(Turn("user", "x", screen.data),)), should_stop=lambda: False)
        .text
    )
    assert only_action(answer)["kind"] == "click"


def test_non_streaming_chat_also_answers(server: FakeOllama, screen: Screen) -> None:
    server.script([{"do": "finish", "summary": "ok"}])
    reply = ollama.Client(host=server.url).chat(
        model=MODELS["json"], messages=[{"role": "user", "content": "x"}], stream=False
    )
    assert reply.done and reply.eval_count
    assert only_action(reply.message.content or "")["kind"] == "finish"
