"""The grounding stage in the loop: element answers, snapping, one zoom per step, the record."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from deskhand.core.actions import Click
from deskhand.core.element_info import ElementInfo
from deskhand.core.elements import SeenElement
from deskhand.core.geometry import Grid, Rect, ScreenGeometry, ScreenPoint, Size
from deskhand.core.grounding import GroundingOptions
from deskhand.core.loop import TaskStatus, run_task
from deskhand.core.observation import Observation
from deskhand.core.refine import ZOOM_PROMPT, Refiner
from deskhand.core.trace import StepRecord
from tests.fakes import FakeModel, FakeScreen, make_parts, reply

SCREEN = ScreenGeometry(image_size=Size(1316, 728), screen_rect=Rect(0, 0, 2560, 1440))
# "Apply" and "Cancel": 160x22 desktop pixels, ~82x11 image pixels, 6 pixels apart.
APPLY, CANCEL = Rect(1200, 690, 160, 22), Rect(1200, 718, 160, 22)
FINISH = {"kind": "finish", "summary": "done"}


@dataclass
class FakeElements:
    seen: tuple[SeenElement, ...] | None = (
        SeenElement("push button", "Apply", APPLY),
        SeenElement("push button", "Cancel", CANCEL),
    )
    asked: int = 0

    def elements(self, observation: Observation) -> tuple[SeenElement, ...] | None:
        self.asked += 1
        return self.seen


@dataclass
class FakeZoomer:
    """Crops as FrameZoomer would size them, without pixels (``gone``: the grab is gone)."""

    gone: bool = False
    regions: list[Rect] = field(default_factory=list)

    def zoom(self, observation: Observation, region: Rect, grid: Grid) -> Observation | None:
        self.regions.append(region)
        if self.gone:
            return None
        geometry = ScreenGeometry(image_size=Size(1316, 728), screen_rect=region)
        return replace(observation, id=observation.id + "-zoom", image=b"crop", geometry=geometry)


def parts_with(replies: list[str], refiner: Refiner) -> tuple[object, dict[str, object]]:
    return make_parts(replies, screen=FakeScreen(SCREEN), refiner=refiner)


def record(pieces: dict[str, object], step: int = 0) -> StepRecord:
    return pieces["sinks"][0].records[step]  # type: ignore[index, no-any-return]


def clicked(pieces: dict[str, object]) -> Click:
    action = pieces["executor"].executed[0].action  # type: ignore[attr-defined]
    assert isinstance(action, Click)
    return action


def test_a_point_at_one_elements_edge_snaps_to_its_centre() -> None:
    refiner = Refiner(GroundingOptions(zoom=False), elements=FakeElements())
    parts, pieces = parts_with([reply({"kind": "click", "at": {"x": 660, "y": 352}}), reply(FINISH)], refiner)
    assert run_task("click Apply", parts).status is TaskStatus.FINISHED  # type: ignore[arg-type]
    centre = SCREEN.rect_to_image(APPLY).centre  # type: ignore[union-attr]
    assert clicked(pieces).at == centre
    assert record(pieces).elements == 2
    assert record(pieces).grounding == [
        {
            "action": 0,
            "snapped": {"from": [660.0, 352.0], "to": [round(centre.x, 1), round(centre.y, 1)], "element": 1},
        }
    ]


def test_between_two_small_buttons_the_model_is_asked_again_on_a_zoomed_crop() -> None:
    zoomer = FakeZoomer()
    refiner = Refiner(GroundingOptions(), elements=FakeElements(), zoomer=zoomer)
    first = reply({"kind": "click", "at": {"x": 660, "y": 361}})  # the edge of both buttons
    again = reply({"kind": "click", "at": {"x": 658, "y": 364}})  # the crop's centre
    model = FakeModel([first, again, reply(FINISH)])
    parts, pieces = make_parts([], model=model, screen=FakeScreen(SCREEN), refiner=refiner)
    assert run_task("click Cancel", parts).status is TaskStatus.FINISHED  # type: ignore[arg-type]
    assert len(model.conversations) == 3  # one extra call, for the zoom
    zoom_request = " ".join(t.text for t in model.conversations[1].turns)
    assert "Zoomed-in view:" in zoom_request and "click Cancel" in zoom_request
    region = zoomer.regions[0]
    x, y = SCREEN.to_desktop(clicked(pieces).at)
    assert math.isclose(x, region.x + region.width / 2) and math.isclose(y, region.y + region.height / 2)
    note = record(pieces).grounding[0]["zoom"]
    assert note["first"] == [660.0, 361.0] and note["in_crop"] == [658.0, 364.0]
    assert note["crop"] == list(region) and note["crop_image_size"] == [1316, 728]
    assert note["reason"].startswith("ambiguous")
    assert record(pieces).raw_output == first  # the step's answer stays the decision's
    assert record(pieces).timings_ms["model"] == 20.0  # both calls count


def test_no_zoom_when_the_grab_is_gone_and_at_most_one_zoom_per_step() -> None:
    zoomer = FakeZoomer(gone=True)
    refiner = Refiner(GroundingOptions(), elements=FakeElements(), zoomer=zoomer)
    both = reply({"kind": "click", "at": {"x": 660, "y": 361}}, {"kind": "click", "at": {"x": 661, "y": 361}})
    parts, pieces = parts_with([both, reply(FINISH)], refiner)
    run_task("x", parts)  # type: ignore[arg-type]
    assert len(zoomer.regions) == 1
    assert "skipped" in record(pieces).grounding[0]["zoom"]
    assert clicked(pieces).at.y == 361  # the first answer stands


def test_an_element_answer_is_left_alone_and_an_empty_tree_means_no_list() -> None:
    elements = FakeElements()
    refiner = Refiner(GroundingOptions(), elements=elements, zoomer=FakeZoomer())
    answer = reply({"kind": "click", "at": {"x": 640, "y": 361}, "element": 2})
    parts, pieces = parts_with([answer, reply(FINISH)], refiner)
    run_task("x", parts)  # type: ignore[arg-type]
    assert record(pieces).grounding == [{"action": 0, "element": 2}]
    assert record(pieces).to_json_dict()["actions"][0]["element"] == 2

    refiner = Refiner(GroundingOptions(), elements=FakeElements(seen=None), zoomer=FakeZoomer())
    parts, pieces = parts_with([reply({"kind": "click", "at": {"x": 100, "y": 100}}), reply(FINISH)], refiner)
    run_task("x", parts)  # type: ignore[arg-type]
    assert record(pieces).elements is None and record(pieces).grounding == []
    assert "element" not in record(pieces).to_json_dict()["actions"][0]


def test_everything_off_changes_nothing() -> None:
    zoomer, elements = FakeZoomer(), FakeElements()
    options = GroundingOptions(elements=False, snap=False, zoom=False)
    refiner = Refiner(options, elements=elements, zoomer=zoomer)
    parts, pieces = parts_with([reply({"kind": "click", "at": {"x": 660, "y": 361}}), reply(FINISH)], refiner)
    run_task("x", parts)  # type: ignore[arg-type]
    assert elements.asked == 0 and zoomer.regions == []
    assert clicked(pieces).at.y == 361 and record(pieces).grounding == []


def test_the_zoom_prompt_names_the_action_and_the_factor() -> None:
    text = ZOOM_PROMPT.format(task="T", what="click at (1, 2)", factor=4)
    assert text.startswith("T\n\nZoomed-in view:") and "click at (1, 2)" in text and "4 times" in text


@dataclass
class FakeInspector:
    """Answers every point with one target (what the accessibility tree or OCR found)."""

    found: ElementInfo

    def prepare(self, observation: Observation) -> None:
        return None

    def inspect(self, point: ScreenPoint, observation: Observation) -> ElementInfo | None:
        return self.found

    def focused(self, observation: Observation) -> ElementInfo | None:
        return None


def test_without_a_list_the_accessibility_trees_small_element_asks_for_a_zoom_but_ocr_text_does_not() -> None:
    for source, zooms in (("accessibility", 1), ("ocr", 0)):
        zoomer = FakeZoomer()
        refiner = Refiner(GroundingOptions(elements=False), zoomer=zoomer)
        inspector = FakeInspector(ElementInfo("Apply", "push button", source, APPLY))  # type: ignore[arg-type]
        answers = [reply({"kind": "click", "at": {"x": 660, "y": 352}}), reply(FINISH), reply(FINISH)]
        parts, pieces = make_parts([], model=FakeModel(answers), screen=FakeScreen(SCREEN), refiner=refiner,
                                   inspector=inspector)  # fmt: skip
        run_task("x", parts)
        assert len(zoomer.regions) == zooms, source
    note = record(pieces).grounding
    assert note == []


def test_a_zoomed_answer_without_a_point_keeps_the_first() -> None:
    refiner = Refiner(GroundingOptions(), elements=FakeElements(), zoomer=FakeZoomer())
    first = reply({"kind": "click", "at": {"x": 660, "y": 361}})
    model = FakeModel([first, reply({"kind": "finish", "summary": "?", "success": False}), reply(FINISH)])
    parts, pieces = make_parts([], model=model, screen=FakeScreen(SCREEN), refiner=refiner)
    run_task("x", parts)  # type: ignore[arg-type]
    assert clicked(pieces).at.y == 361
    assert record(pieces).grounding[0]["zoom"]["skipped"] == "the zoomed answer named no point"
