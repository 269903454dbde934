"""The inspector chain: AT-SPI first, OCR as fallback, cross-checked only when it is free."""

from __future__ import annotations

from dataclasses import dataclass, field

from deskhand.core.element_info import UNREADABLE_ROLE, ElementInfo
from deskhand.core.geometry import Rect, ScreenGeometry, ScreenPoint, Size
from deskhand.core.observation import Observation
from deskhand.vision.inspect import ChainInspector, OcrInspector

OBS = Observation(
    "o1",
    b"",
    "image/jpeg",
    ScreenGeometry(image_size=Size(1316, 728), screen_rect=Rect(0, 0, 1920, 1080)),
    0,
    0,
)
POINT = ScreenPoint(x=10, y=10)
HARMLESS = ElementInfo("Open", "push button", "accessibility")
RISKY_PIXELS = ElementInfo("Delete account", "text", "ocr")


@dataclass
class Tree:
    answer: ElementInfo | None
    prepared: list[str] = field(default_factory=list)

    def prepare(self, observation: Observation) -> None:
        self.prepared.append(observation.id)

    def inspect(self, point: ScreenPoint, observation: Observation) -> ElementInfo | None:
        return self.answer

    def focused(self, observation: Observation) -> ElementInfo | None:
        return self.answer


class Pixels(OcrInspector):
    def __init__(self, answer: ElementInfo | None, *, ready: bool) -> None:
        super().__init__(prefetch_after=None)
        self.answer, self.ready, self.asked, self.read = answer, ready, 0, 0

    def read_ahead_done(self, observation: Observation) -> bool:
        return self.ready

    def inspect(self, point: ScreenPoint, observation: Observation) -> ElementInfo | None:
        self.asked += 1
        self.read += 1  # an OCR run of its own
        return self.answer

    def read_ahead(self, point: ScreenPoint, observation: Observation) -> ElementInfo | None:
        self.asked += 1
        return self.answer if self.ready else None


def test_a_harmless_tree_answer_is_cross_checked_only_when_the_read_ahead_is_done() -> None:
    slow = Pixels(RISKY_PIXELS, ready=False)
    assert ChainInspector(Tree(HARMLESS), slow).inspect(POINT, OBS) == HARMLESS
    assert slow.asked == 0  # no OCR on the click's path
    ready = Pixels(RISKY_PIXELS, ready=True)
    assert ChainInspector(Tree(HARMLESS), ready).inspect(POINT, OBS) == RISKY_PIXELS  # the riskier wins
    assert ready.read == 0  # the second opinion comes from the read-ahead alone: no OCR run now
    always = Pixels(RISKY_PIXELS, ready=False)
    assert ChainInspector(Tree(HARMLESS), always, cross_check="always").inspect(POINT, OBS) == RISKY_PIXELS
    never = Pixels(RISKY_PIXELS, ready=True)
    assert ChainInspector(Tree(HARMLESS), never, cross_check="never").inspect(POINT, OBS) == HARMLESS
    assert never.asked == 0


def test_no_tree_answer_means_ocr_reads_it_whatever_it_costs() -> None:
    slow = Pixels(RISKY_PIXELS, ready=False)
    assert ChainInspector(Tree(None), slow).inspect(POINT, OBS) == RISKY_PIXELS
    unlabelled = ChainInspector(
        Tree(ElementInfo("", "password text", "accessibility")), Pixels(None, ready=False)
    )
    assert unlabelled.inspect(POINT, OBS) == ElementInfo("", "password text", "accessibility")


def test_a_risky_tree_answer_needs_no_second_opinion() -> None:
    pixels = Pixels(HARMLESS, ready=True)
    risky = ElementInfo("Pay now", "push button", "accessibility")
    assert ChainInspector(Tree(risky), pixels).inspect(POINT, OBS) == risky and pixels.asked == 0


def test_prepare_reaches_every_inspector() -> None:
    tree = Tree(None)
    ChainInspector(tree, Pixels(None, ready=False)).prepare(OBS)
    assert tree.prepared == ["o1"]


def test_text_nobody_could_read_says_more_than_a_role_without_a_label() -> None:
    unreadable = ElementInfo("", UNREADABLE_ROLE, "ocr")
    blank_button = ElementInfo("", "push button", "accessibility")
    assert (
        ChainInspector(Tree(blank_button), Pixels(unreadable, ready=False)).inspect(POINT, OBS) == unreadable
    )
    named = ElementInfo("Open", "push button", "accessibility")  # the tree's label is the better word
    assert ChainInspector(Tree(named), Pixels(unreadable, ready=True)).inspect(POINT, OBS) == named
