"""The skill target lookup on a real window: a point described (accessibility element, its
window, place, crop), then found again -- by each way in turn -- after the window moved
and its buttons were reordered; two identical candidates are "not found", never a guess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from deskhand.core.geometry import Rect, ScreenGeometry, ScreenPoint, Size
from deskhand.core.observation import Observation
from deskhand.core.skill_target import Found, NotFound
from deskhand.vision.lookup import ScreenLookup
from deskhand.vision.lookup.tree import AccessibleTree
from tests.a11y import Bus, tree_shows
from tests.desktop.conftest import wait_until

pytestmark = pytest.mark.desktop

SCREEN = Rect(0, 0, 1920, 1080)


def observation(name: str) -> Observation:
    geometry = ScreenGeometry(image_size=Size(1316, 728), screen_rect=SCREEN)
    return Observation(f"{name}-{time.monotonic_ns()}", b"", "image/jpeg", geometry, 0, 0)


@pytest.fixture
def orchard(bus: Bus, tmp_path: Path) -> Iterator[Callable[[str, str], dict[str, ScreenPoint]]]:
    running: list[subprocess.Popen[bytes]] = []

    def start(buttons: str, place: str) -> dict[str, ScreenPoint]:
        for proc in running:
            proc.terminate()
            proc.wait(5)
        log = tmp_path / f"orchard-{len(running)}.jsonl"
        env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": bus.session}
        argv = [sys.executable, "-m", "tests.e2e.apps.orchard", "--log", str(log), "--buttons", buttons,
                "--place", place]  # fmt: skip
        running.append(subprocess.Popen(argv, env=env, stderr=subprocess.DEVNULL))
        line = wait_until(lambda: log.exists() and log.read_text().strip(), 20, "the orchard window")
        centres = json.loads(line.splitlines()[0])["centres"]
        x, y = next(iter(centres.values()))
        wait_until(lambda: tree_shows(bus.session, x, y), 20, "the window placed and in the tree")
        return {k: ScreenPoint(x=x, y=y) for k, (x, y) in centres.items()}

    yield start
    for proc in running:
        proc.terminate()
        proc.wait(5)


def near(found: Found | NotFound, point: ScreenPoint, by: str) -> None:
    assert isinstance(found, Found), found
    assert found.by == by
    assert abs(found.point.x - point.x) <= 12 and abs(found.point.y - point.y) <= 8, (found, point)


def test_describe_then_find_by_each_way_after_a_move_and_a_reorder(bus: Bus, orchard) -> None:  # type: ignore[no-untyped-def]
    lookup = ScreenLookup(tree=AccessibleTree(bus_address=bus.a11y))
    before = orchard("Apple,Pear,Plum", "top-left")
    pear = lookup.describe(before["Pear"], observation("describe"))
    assert (pear.role, pear.name, pear.window) == ("push button", "Pear", "Orchard Panel")
    assert pear.offset is not None and pear.window_size is not None and pear.crop
    note = lookup.describe(before["Note"], observation("note"))
    assert (note.role, note.name) == ("text", "Note")

    after = orchard("Plum,Pear,Apple", "bottom-right")
    now = observation("find")
    near(lookup.find(pear, now), after["Pear"], "accessibility")
    near(lookup.find(note, now), after["Note"], "accessibility")
    near(lookup.find(pear.model_copy(update={"name": "", "label": "Pear"}), now), after["Pear"], "ocr")
    near(lookup.find(pear.model_copy(update={"name": "", "label": ""}), now), after["Pear"], "image")
    gone = lookup.find(pear.model_copy(update={"name": "Quince", "label": "Quince", "crop": ""}), now)
    assert isinstance(gone, NotFound) and "no element matches" in gone.reason


def test_two_identical_buttons_are_not_a_match(bus: Bus, orchard) -> None:  # type: ignore[no-untyped-def]
    lookup = ScreenLookup(tree=AccessibleTree(bus_address=bus.a11y))
    centres = orchard("Apple,Pear", "center")
    pear = lookup.describe(centres["Pear"], observation("describe"))
    orchard("Pear,Apple,Pear", "center")
    found = lookup.find(pear, observation("twice"))
    assert isinstance(found, NotFound), found
    assert "2 elements match" in found.reason and "2 labels match" in found.reason
