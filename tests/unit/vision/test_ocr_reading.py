"""OCR of the screen's own pixels: words to phrases, the phrase under a point, HiDPI frames,
and labels that are there but cannot be read.  Real tesseract on rendered pixels."""

from __future__ import annotations

import shutil
import time

import pytest
from PIL import Image, ImageDraw, ImageFont

from deskhand.core.actions import Click, TypeText
from deskhand.core.element_info import UNREADABLE_ROLE
from deskhand.core.geometry import ImagePoint, Rect, ScreenGeometry, ScreenPoint, Size
from deskhand.core.observation import Observation
from deskhand.core.policy import assess
from deskhand.core.verdict import Level
from deskhand.vision.capture import Frame
from deskhand.vision.inspect.ocr import OcrInspector
from deskhand.vision.inspect.words import Phrase, phrases, words_of

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="needs tesseract")
HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
P = ImagePoint(x=1, y=1)


def row(text: str, left: int, top: int, width: int, height: int, conf: float) -> str:
    return f"5\t1\t1\t1\t1\t1\t{left}\t{top}\t{width}\t{height}\t{conf}\t{text}"


def test_confident_words_make_phrases_and_doubtful_ones_stay_apart_as_unreadable() -> None:
    tsv = "\n".join([HEADER, row("Delete", 10, 10, 50, 12, 91), row("account", 66, 10, 60, 12, 88),
                     row("Sendes", 200, 10, 50, 12, 35), row("", 300, 10, 5, 5, 95)])  # fmt: skip
    found = phrases(words_of(tsv))
    assert [(p.text, p.readable) for p in found] == [("Delete account", True), ("Sendes", False)]
    assert found[0].bounds() == Rect(10, 10, 116, 12)


def test_only_word_shaped_doubtful_text_counts_as_an_unreadable_label() -> None:
    assert Phrase("Sendes", 0, 0, 40, 11, readable=False).looks_like_text()
    assert not Phrase("@", 0, 0, 11, 11, readable=False).looks_like_text()  # one glyph: an icon
    assert not Phrase("ll", 0, 0, 6, 30, readable=False).looks_like_text()  # taller than wide: a bar
    assert not Phrase("mm", 0, 0, 400, 120, readable=False).looks_like_text()  # a picture's edges


def test_the_label_beside_the_point_beats_the_label_above_and_unreadable_text_is_kept() -> None:
    ocr = OcrInspector(prefetch_after=None)
    title = Phrase("Deskhand form", 872, 463, 962, 474)
    send = Phrase("Send", 945, 488, 974, 498)
    left_of_send = ScreenPoint(x=900, y=493)  # on the button, beside its label
    assert ocr._nearest([title, send], left_of_send) == send
    blurred = Phrase("Sendes", 945, 488, 974, 498, readable=False)
    assert ocr._nearest([title, blurred], ScreenPoint(x=960, y=493)) == blurred
    assert ocr._nearest([title, send], ScreenPoint(x=300, y=300)) is None


def frame_with(texts: list[tuple[str, int, int, int]], rect: Rect, ratio: int, *, blur: float = 0) -> Frame:
    """A grab of ``rect`` at ``ratio`` pixels per point showing ``texts`` (text, x, y, pt size)."""
    image = Image.new("RGB", (rect.width * ratio, rect.height * ratio), (235, 235, 235))
    draw = ImageDraw.Draw(image)
    for text, x, y, size in texts:
        font = ImageFont.load_default(size * ratio * 4 // 3)
        draw.text(((x - rect.x) * ratio, (y - rect.y) * ratio), text, fill=(20, 20, 20), font=font)
    if blur:  # what a downscaled screenshot does to small text
        small = (round(image.width * blur), round(image.height * blur))
        image = image.resize(small, Image.Resampling.BILINEAR).resize(image.size, Image.Resampling.BILINEAR)
    r, g, b = image.split()
    raw = Image.merge("RGBA", (b, g, r, Image.new("L", image.size, 255))).tobytes()  # mss's BGRA
    return Frame(raw, Size(*image.size), rect)


def observed(frame: Frame) -> tuple[OcrInspector, Observation]:
    geometry = ScreenGeometry(image_size=Size(700, 400), screen_rect=frame.rect)
    obs = Observation("o", b"", "image/jpeg", geometry, 0, 0)
    return OcrInspector(prefetch_after=None, frames=lambda o: frame if o is obs else None), obs


@needs_tesseract
def test_a_hidpi_grab_is_read_and_mapped_back_to_screen_points() -> None:
    screen = Rect(1920, 100, 800, 500)  # a second monitor, 2 pixels per point
    ocr, obs = observed(frame_with([("Send", 2300, 300, 9), ("Cancel", 2300, 340, 9)], screen, 2))
    send = ocr.inspect(ScreenPoint(x=2312, y=306), obs)
    assert send is not None and send.label == "Send" and send.source == "ocr"
    assert send.bounds is not None and send.bounds.contains(2312, 306), send.bounds
    assert 2298 <= send.bounds.x <= 2302 and send.bounds.width < 40  # points, not pixels
    assert assess(Click(at=P), send).level is Level.CONFIRM
    cancel = ocr.inspect(ScreenPoint(x=2315, y=346), obs)
    assert cancel is not None and cancel.label == "Cancel"
    assert ocr.inspect(ScreenPoint(x=100, y=100), obs) is None  # another monitor


@needs_tesseract
def test_text_that_cannot_be_read_under_the_click_makes_it_ask() -> None:
    screen = Rect(0, 0, 480, 80)
    ocr, obs = observed(frame_with([("Senden jetzt", 200, 33, 9)], screen, 1, blur=0.4))
    target = ocr.inspect(ScreenPoint(x=215, y=40), obs)
    assert target is not None and target.role == UNREADABLE_ROLE, target  # not the readable bit beside it
    verdict = assess(Click(at=P), target)
    assert verdict.level is Level.CONFIRM and "could not read what is under the click" in verdict.reason
    blank = ocr.inspect(ScreenPoint(x=400, y=70), obs)
    assert blank is None or blank.role != UNREADABLE_ROLE  # empty space is not "unreadable"


@needs_tesseract
def test_typing_after_clicking_a_password_field_asks() -> None:
    screen = Rect(0, 0, 600, 200)
    ocr, obs = observed(frame_with([("Password", 100, 90, 9), ("Name", 100, 30, 9)], screen, 1))
    assert ocr.focused(obs) is None  # nothing clicked yet: focus is unknown to pixels
    ocr.inspect(ScreenPoint(x=130, y=96), obs)
    assert assess(TypeText(text="hunter2"), ocr.focused(obs)).level is Level.CONFIRM
    ocr.inspect(ScreenPoint(x=115, y=36), obs)
    assert assess(TypeText(text="Ada"), ocr.focused(obs)).level is Level.AUTO


@needs_tesseract
def test_the_doctor_s_self_test_reads_a_label_and_fails_without_language_data(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    assert OcrInspector().reads_labels()
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))
    assert not OcrInspector().reads_labels()


class Counting(OcrInspector):
    """Counts tesseract runs."""

    runs = 0

    def _ocr(self, exe: str, crop: Image.Image) -> str | None:
        self.runs += 1
        return super()._ocr(exe, crop)


@needs_tesseract
def test_a_finished_read_ahead_gives_a_second_opinion_without_reading_again() -> None:
    frame = frame_with([("Send", 300, 100, 9), ("Cancel", 300, 160, 9)], Rect(0, 0, 800, 300), 1)
    ocr = Counting(prefetch_after=0.0, frames=lambda o: frame)
    obs = Observation(
        "o", b"", "image/jpeg", ScreenGeometry(image_size=Size(800, 300), screen_rect=frame.rect), 0, 0
    )
    assert ocr.read_ahead(ScreenPoint(x=312, y=106), obs) is None  # not read yet: no answer, no reading
    ocr.prepare(obs)
    deadline = time.monotonic() + 20
    while not ocr.read_ahead_done(obs) and time.monotonic() < deadline:
        time.sleep(0.02)
    send = ocr.read_ahead(ScreenPoint(x=312, y=106), obs)
    assert send is not None and send.label == "Send"
    assert ocr.read_ahead(ScreenPoint(x=700, y=280), obs) is None
    assert ocr.runs == 1  # the whole screen once, nothing per lookup
