"""The settler's "first change" rule on scripted frames (no display): an input is settled once
the still screen looks different from before it -- to the fingerprint, or, for a pointer
action, by any pixel around its target -- and otherwise only when ``cap`` runs out."""

from __future__ import annotations

import time

from deskhand.actions.settle import ScreenSettler
from deskhand.core.actions import Click, Hotkey
from deskhand.core.geometry import ImagePoint, Rect, ScreenGeometry, Size
from deskhand.core.observation import Observation
from deskhand.core.repeat_guard import screens_alike
from deskhand.vision.capture import Frame, MssScreen
from deskhand.vision.dialects.common import QWEN25_GRID

W, H = 1920, 1080
MONITOR = Rect(0, 0, W, H)
SIZE = Size(W, H)
GREY = bytearray(b"\xc8\xc8\xc8\xff" * (W * H))


def with_caret(x: int, y: int) -> bytearray:
    """The grey screen with a 1x14 px caret at (x, y): too small for any fingerprint cell."""
    frame = bytearray(GREY)
    for row in range(y, y + 14):
        frame[4 * (row * W + x) : 4 * (row * W + x) + 4] = b"\x00\x00\x00\xff"
    return frame


class Scripted(ScreenSettler):
    """Serves ``after`` from the moment the action was done (grabs, not the real screen)."""

    def __init__(self, after: bytearray, **kw: object) -> None:
        super().__init__(interval=0.005, **kw)  # type: ignore[arg-type]
        self.after = after

    def grab(self, rect: Rect) -> tuple[bytearray, Size]:
        assert rect == MONITOR or (rect.width < MONITOR.width or rect.height < MONITOR.height)
        frame = bytearray(b"".join(
            self.after[4 * (y * W + rect.x) : 4 * (y * W + rect.x + rect.width)]
            for y in range(rect.y, rect.y + rect.height)
        ))  # fmt: skip
        return frame, Size(rect.width, rect.height)


def observed(screen: MssScreen) -> tuple[Observation, Frame]:
    frame = Frame(GREY, SIZE, MONITOR)
    geometry = ScreenGeometry(image_size=Size(1316, 728), screen_rect=MONITOR)
    observation = Observation(
        "o1", b"", "image/jpeg", geometry, 0, 0, screen.fingerprint_of(GREY, SIZE, MONITOR)
    )
    return observation, frame


def settle(settler: ScreenSettler, action: Click | Hotkey, observation: Observation) -> float:
    start = time.monotonic()
    settler.settle(action, observation)
    return time.monotonic() - start


def test_a_caret_beside_the_click_is_its_reaction_and_settles_at_once() -> None:
    screen = MssScreen(MONITOR, QWEN25_GRID, pre_encode=False)
    observation, frame = observed(screen)
    click = Click(at=ImagePoint(x=658, y=364))  # screen (960, 540)
    after = with_caret(975, 531)
    assert screens_alike(screen.fingerprint_of(after, SIZE, MONITOR), observation.fingerprint)  # too small
    local = Scripted(after, cap=1.0, fingerprint=screen.fingerprint_of, baseline=lambda o: frame)
    assert settle(local, click, observation) < 0.5
    assert local.last is not None and not local.last.unchanged
    blind = Scripted(after, cap=1.0, fingerprint=screen.fingerprint_of)  # no frame to compare with
    assert settle(blind, click, observation) >= 0.95 and blind.last is not None and blind.last.unchanged


def test_a_key_counts_only_what_the_model_would_see_and_the_next_action_compares_with_the_last() -> None:
    screen = MssScreen(MONITOR, QWEN25_GRID, pre_encode=False)
    observation, frame = observed(screen)
    caret = Scripted(
        with_caret(975, 531), cap=0.6, fingerprint=screen.fingerprint_of, baseline=lambda o: frame
    )
    assert settle(caret, Hotkey(keys=("enter",)), observation) >= 0.55  # a caret blink is no reaction
    assert caret.last is not None and caret.last.unchanged
    dialog = bytearray(GREY)
    dialog[4 * W * 300 : 4 * W * 500] = b"\x40\x40\x40\xff" * (W * 200)  # a dialog closed
    shown = Scripted(dialog, cap=3.0, fingerprint=screen.fingerprint_of, baseline=lambda o: frame)
    assert settle(shown, Hotkey(keys=("enter",)), observation) < 0.5
    assert settle(shown, Hotkey(keys=("enter",)), observation) >= 2.9  # the same step: before = after
