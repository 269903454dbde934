"""The planner's grammar and its place in the loop, with plain fakes."""

from __future__ import annotations

from deskhand.core.loop import TaskStatus, run_task
from deskhand.core.outcome import Unparseable
from deskhand.core.planning import Plan, PlanKind, Planner, parse_plan
from tests.fakes import FakeModel, make_parts, reply

CLICK = {"kind": "click", "at": {"x": 658, "y": 364}}


def test_the_last_final_line_wins_and_markup_is_read_through() -> None:
    raw = "<think>hmm</think>I see a dialog.\nNext: open it\n**Next:** Click the **OK** button  "
    plan = parse_plan(raw)
    assert plan == Plan(PlanKind.NEXT, "Click the **OK** button", "I see a dialog.\nNext: open it")
    assert parse_plan("All good.\nDone： saved the file") == Plan(
        PlanKind.DONE, "saved the file", "All good."
    )
    assert parse_plan("fail: no such app").kind is PlanKind.FAIL  # type: ignore[union-attr]


def test_an_answer_without_a_final_line_is_unparseable() -> None:
    for raw in ("I would click OK.", "", "Next:   "):
        parsed = parse_plan(raw)
        assert isinstance(parsed, Unparseable) and parsed.raw == raw


def test_planner_then_grounder_then_planner_finishes() -> None:
    planner_model = FakeModel(["Looking.\nNext: Click the OK button", "Done: clicked OK"])
    planner_model.name = "planner-model"  # type: ignore[misc]
    parts, p = make_parts([reply(CLICK)], planner=Planner(planner_model, vision=False))
    result = run_task("press OK", parts)
    assert result.status is TaskStatus.FINISHED and result.message == "clicked OK" and result.steps == 2
    grounder = p["model"].conversations  # type: ignore[attr-defined]
    assert len(grounder) == 1 and grounder[0].turns[1].text.startswith("Click the OK button")
    first_request, second_request = planner_model.conversations
    assert all(t.image is None for t in first_request.turns)  # a text-only planner gets no image
    assert "1. Click the OK button -> " in second_request.turns[1].text  # its own words, and the outcome
    records = p["sinks"][0].records  # type: ignore[index]
    assert records[0].planner_model == "planner-model" and records[0].plan == "Click the OK button"
    assert records[0].timings_ms["planner"] == 10.0 and records[0].timings_ms["model"] == 10.0
    assert records[1].to_json_dict()["actions"] == [
        {"kind": "finish", "summary": "clicked OK", "success": True}
    ]


def test_an_unusable_planner_fails_the_task_after_one_repair() -> None:
    planner_model = FakeModel(["I am not sure.", "Still not sure."])
    parts, p = make_parts([], planner=Planner(planner_model))
    result = run_task("press OK", parts)
    assert result.status is TaskStatus.FAILED
    assert "the planner's answer has no 'Next:', 'Done:' or 'Fail:' line" in result.message
    assert "Next: <one concrete step>" in planner_model.conversations[1].turns[-1].text
    assert p["model"].conversations == []  # type: ignore[attr-defined]


def test_a_grounder_may_not_finish_what_the_planner_set() -> None:
    planner_model = FakeModel(["Next: Click the OK button", "Fail: gave up"])
    finish = {"kind": "finish", "summary": "done"}
    parts, p = make_parts([reply(finish), reply(CLICK)], planner=Planner(planner_model))
    result = run_task("press OK", parts)
    assert result.steps == 2 and result.status is TaskStatus.GAVE_UP
    assert len(p["executor"].executed) == 1  # type: ignore[attr-defined]
    repair = p["model"].conversations[1].turns[-1].text  # type: ignore[attr-defined]
    assert "do this step rather than finish the task: Click the OK button" in repair


def test_a_vision_planner_sees_the_screenshot_and_the_screen_text() -> None:
    from dataclasses import replace

    from tests.fakes import FakeScreen

    class ScreenWithText(FakeScreen):
        def observe(self):  # type: ignore[no-untyped-def]
            return replace(super().observe(), context='[1] push button "OK"')

    planner_model = FakeModel(["Next: Click OK", "Done: ok"])
    parts, _ = make_parts(
        [reply(CLICK)], screen=ScreenWithText(), planner=Planner(planner_model, vision=True)
    )
    run_task("press OK", parts)
    request = planner_model.conversations[0].turns[1]
    assert request.image == b"jpeg"
    assert 'What is on the screen now:\n[1] push button "OK"' in request.text
