"""The element list read while the screen settles (``AtspiElements.read_ahead``): used for an
observation only when its grab is the very frame the walk started on; any change on screen
in between and the list is read again, so the model never sees a list of an older screen."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from deskhand.core.geometry import Rect
from deskhand.core.observation import Observation
from deskhand.vision.capture import Frame, grab_frame
from deskhand.vision.inspect import AtspiInspector
from deskhand.vision.inspect.elements import AtspiElements
from tests.a11y import Bus
from tests.desktop.conftest import observation, wait_screen_still, wait_until, xdotool
from tests.desktop.test_element_list import start
from tests.e2e.xsession import form_command

pytestmark = pytest.mark.desktop

SCREEN = Rect(0, 0, 1920, 1080)


class Grabs:
    """The frame each observation was made from, as ``MssScreen.frame`` gives it."""

    def __init__(self) -> None:
        self.frames: dict[str, Frame] = {}

    def observe(self, name: str) -> Observation:
        self.frames[name] = grab_frame(SCREEN)
        return replace(observation(), id=name)

    def frame(self, seen: Observation) -> Frame | None:
        return self.frames.get(seen.id)


def test_a_list_read_during_the_settle_serves_only_the_screen_it_was_read_for(
    bus: Bus, tmp_path: Path
) -> None:
    log = tmp_path / "form.jsonl"
    form = start([*form_command(log, "center", "Apply,Cancel")], bus)
    try:
        wait_until(lambda: log.exists() and "ready" in log.read_text(), 20, "the test form")
        fresh = AtspiElements(AtspiInspector(bus_address=bus.a11y))
        wait_until(lambda: fresh.elements(replace(observation(), id="warm")), 10, "the form's elements")
        wait_screen_still()
        grabs = Grabs()
        source = AtspiElements(AtspiInspector(bus_address=bus.a11y), frames=grabs.frame)

        still = grab_frame(SCREEN)  # the settler's still frame; nothing changes before the shot
        source.read_ahead(bytearray(still.raw), still.size, still.rect)
        ahead = source.elements(grabs.observe("same screen"))
        assert source.read_ahead_used == 1
        assert ahead == fresh.elements(replace(observation(), id="read now"))
        assert {e.name for e in ahead or ()} >= {"Apply", "Cancel"}
        assert not any("focused" in e.states for e in ahead or () if e.role == "text")

        # A walk for a frame the screen has left: the Name field took the focus meanwhile.
        stale = grab_frame(SCREEN)
        source.read_ahead(bytearray(stale.raw), stale.size, stale.rect)
        field = next(e.rect for e in ahead or () if e.role == "text")
        xdotool("mousemove", str(field.x + field.width // 2), str(field.y + field.height // 2), "click", "1")
        wait_until(lambda: grab_frame(SCREEN).raw != stale.raw, 10, "the field to show its focus")
        now = source.elements(grabs.observe("changed screen"))
        assert source.read_ahead_used == 1  # not taken: read again for the screen as it is
        assert any("focused" in e.states for e in now or () if e.role == "text")
    finally:
        form.terminate()
        form.wait(5)


def test_without_frames_to_compare_nothing_is_read_ahead(bus: Bus) -> None:
    source = AtspiElements(AtspiInspector(bus_address=bus.a11y))
    frame = grab_frame(SCREEN)
    source.read_ahead(bytearray(frame.raw), frame.size, frame.rect)
    source.elements(replace(observation(), id="any"))
    assert source.read_ahead_used == 0
