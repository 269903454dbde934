"""The element list in each family's format: shown with the newest screenshot, "element N" read back."""

from __future__ import annotations

import json
from dataclasses import replace

from deskhand.core.actions import Click, Decision, Move
from deskhand.core.elements import SeenElement, numbered
from deskhand.core.geometry import Rect, ScreenGeometry, Size
from deskhand.core.observation import Observation
from deskhand.core.outcome import Unparseable
from deskhand.vision.dialects import family_for
from deskhand.vision.dialects.elements import offering_elements
from deskhand.vision.dialects.json_schema import JsonDialect
from deskhand.vision.dialects.qwen3 import Qwen3Dialect
from deskhand.vision.dialects.qwen25 import Qwen25Dialect
from deskhand.vision.dialects.ui_tars import UiTarsDialect

GEOMETRY = ScreenGeometry(image_size=Size(1316, 728), screen_rect=Rect(0, 0, 2560, 1440))
SEEN = (SeenElement("push button", "Apply", Rect(1200, 690, 160, 22)),
        SeenElement("check box", "Remember me", Rect(1200, 718, 20, 20), ("checked",)))  # fmt: skip
PLAIN = Observation("o-1", b"jpeg", "image/jpeg", GEOMETRY, 1.0, 1.0)
LISTED = replace(PLAIN, elements=numbered(SEEN, GEOMETRY))


def qwen_call(**arguments: object) -> str:
    return "<tool_call>\n" + json.dumps({"name": "computer_use", "arguments": arguments}) + "\n</tool_call>"


def test_json_shows_the_list_and_lets_a_click_name_an_element_instead_of_a_point() -> None:
    dialect = JsonDialect()
    conversation = dialect.conversation("tick it", (), LISTED)
    last = conversation.turns[-1]
    assert last.image == b"jpeg" and '2: check box "Remember me" (checked) [617, 363, 627, 373]' in last.text
    schema = conversation.response_schema
    assert schema is not None and "at" not in schema["$defs"]["Click"]["required"]  # type: ignore[index]
    assert "element" in schema["$defs"]["Click"]["properties"]  # type: ignore[index]
    parsed = dialect.parse(json.dumps({"thought": "t", "actions": [{"kind": "click", "element": 2}]}), LISTED)
    assert isinstance(parsed, Decision)
    click = parsed.actions[0]
    assert isinstance(click, Click) and click.element == 2 and click.at == LISTED.elements[1].centre


def test_json_without_a_list_keeps_its_schema_and_refuses_element_numbers() -> None:
    dialect = JsonDialect()
    conversation = dialect.conversation("tick it", (), PLAIN)
    assert "element" not in conversation.turns[-1].text
    assert "at" in conversation.response_schema["$defs"]["Click"]["required"]  # type: ignore[index]
    parsed = dialect.parse(json.dumps({"thought": "", "actions": [{"kind": "click", "element": 2}]}), PLAIN)
    assert isinstance(parsed, Unparseable) and "no list of elements" in parsed.problem
    unknown = dialect.parse(json.dumps({"thought": "", "actions": [{"kind": "move", "element": 9}]}), LISTED)
    assert isinstance(unknown, Unparseable) and "no element 9" in unknown.problem


def test_qwen_offers_the_element_argument_only_when_told_and_reads_it() -> None:
    plain, offering = Qwen25Dialect(), offering_elements(Qwen25Dialect(), True)
    assert '"element"' not in plain.conversation("t", (), LISTED).turns[0].text
    system = offering.conversation("t", (), LISTED).turns[0].text
    assert '"element": {"description"' in system
    assert system == offering.conversation("t", (), PLAIN).turns[0].text  # the same with or without a list
    assert "1: push button" in offering.conversation("t", (), LISTED).turns[-1].text
    parsed = offering.parse(qwen_call(action="left_click", element=1), LISTED)
    assert isinstance(parsed, Decision) and parsed.actions[0] == Click(
        at=LISTED.elements[0].centre, element=1
    )
    moved = offering.parse(qwen_call(action="mouse_move", element=2), LISTED)
    assert isinstance(moved, Decision) and isinstance(moved.actions[0], Move)
    assert isinstance(plain.parse(qwen_call(action="left_click", element=1), LISTED), Unparseable)
    assert isinstance(offering.parse(qwen_call(action="left_click", element=1), PLAIN), Unparseable)


def test_qwen3_lists_boxes_in_thousandths_and_ui_tars_is_not_offered_elements() -> None:
    qwen3 = offering_elements(Qwen3Dialect(), True)
    assert '1: push button "Apply" [469, 479, 531, 494]' in qwen3.conversation("t", (), LISTED).turns[-1].text
    tars = offering_elements(UiTarsDialect(), True)
    assert tars == UiTarsDialect()
    assert offering_elements(family_for("qwen2.5vl:7b").build(), False) == Qwen25Dialect()


def holo_step(**tool: object) -> str:
    return json.dumps({"note": None, "thought": "t", "tool_call": tool})


def test_holo_lists_boxes_in_thousandths_and_reads_an_element_number_or_a_description() -> None:
    holo = family_for("holo3.1:4b").build()
    assert '1: push button "Apply" [469, 479, 531, 494]' in holo.conversation("t", (), LISTED).turns[-1].text
    assert "push button" not in holo.conversation("t", (), PLAIN).turns[-1].text
    by_number = holo.parse(holo_step(tool_name="click", element=1), LISTED)
    assert isinstance(by_number, Decision)
    assert by_number.actions[0] == Click(at=LISTED.elements[0].centre, element=1)
    hovered = holo.parse(holo_step(tool_name="hover", element=2), LISTED)
    assert isinstance(hovered, Decision) and hovered.actions[0] == Move(at=LISTED.elements[1].centre)
    described = holo.parse(holo_step(tool_name="click", element="Apply", x=500, y=486), LISTED)
    assert isinstance(described, Decision) and isinstance(described.actions[0], Click)
    assert described.actions[0].element is None  # a description is not a number: the point counts
    missing = holo.parse(holo_step(tool_name="click", element=3), LISTED)
    assert isinstance(missing, Unparseable) and "no element 3" in missing.problem
    assert isinstance(holo.parse(holo_step(tool_name="click", element=1), PLAIN), Unparseable)
