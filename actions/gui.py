"""The pointer and keyboard executor: approved GUI actions become input events.

Thin on purpose: the parser validated the action, the policy approved it, and the loop
observes the result.  This module only maps points -- through the geometry of the
screenshot the action was decided on, nothing else -- and makes sure nothing stays held:
every press has its release in a ``finally``, and ``release_all`` is the backstop the loop
calls when a task ends or is stopped.  The fail-safe (pointer flung into a screen corner)
becomes ``Stopped``; ``_backend`` explains why.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import assert_never

from deskhand.actions._backend import Input, release_left_held
from deskhand.actions._gate import require_approved
from deskhand.actions.keys import pyautogui_key
from deskhand.actions.text_entry import TextTyper
from deskhand.core.actions import (
    Action,
    AskUser,
    CallTool,
    Click,
    Drag,
    Finish,
    Hotkey,
    Move,
    Remember,
    RunShell,
    Scroll,
    ScrollDirection,
    TypeText,
    Wait,
    describe,
)
from deskhand.core.approval import Approved
from deskhand.core.errors import ExecutionFailed, Stopped
from deskhand.core.geometry import ScreenPoint
from deskhand.core.landing import landing_points
from deskhand.core.outcome import ExecResult
from deskhand.core.ports import ShouldStop

__all__ = ["GuiExecutor", "GuiTiming", "input_status", "release_left_held"]


@dataclass(frozen=True, slots=True)
class GuiTiming:
    """The few deliberate pauses: a drag that teleports is not seen as a drag by many apps."""

    drag_steps: int = 12
    drag_step_delay: float = 0.01
    drag_hold_delay: float = 0.03  # after pressing and before releasing, so apps see both ends
    wait_slice: float = 0.05


def input_status() -> str:
    """One line for ``deskhand doctor``: the input layer works, and how text will be typed.

    Raises ``SetupError`` when pyautogui cannot open the display.
    """
    gui = Input().gui
    x, y = gui.position()
    width, height = gui.size()
    typing = "keys for letters, digits and space, paste for the rest"
    if sys.platform.startswith("linux"):
        from deskhand.actions import _x11

        odd = sorted(set(map(chr, range(32, 127))) - _x11.keymap_safe_chars())
        pasted = f" and {' '.join(odd)}" if odd else ""
        typing = f"keys for ASCII, paste (X selection, Shift+Insert) for non-ASCII{pasted}"
    elif sys.platform == "darwin":
        typing = "paste (pbcopy, Command+V) for all text"
    return f"pyautogui {gui.__version__}: screen {width}x{height}, pointer at ({x}, {y}); typing: {typing}"


class GuiExecutor:
    """Carries out Click, Move, Drag, Scroll, TypeText, Hotkey and Wait."""

    def __init__(self, *, timing: GuiTiming | None = None, typer: TextTyper | None = None) -> None:
        self.timing = timing or GuiTiming()
        self.device = typer.device if typer else Input()
        self.typer = typer or TextTyper(self.device)

    def execute(self, approved: Approved[Action], *, should_stop: ShouldStop) -> ExecResult:
        action = require_approved(approved).action
        points = landing_points(action, approved.geometry)
        match action:
            case Click(button=button, count=count):
                self._click(points[0], button.value, count)
            case Move():
                with self.device.guarded(list(points)):
                    self.device.move(points[0])
            case Drag():
                self._drag(points[0], points[1], should_stop)
            case Scroll():
                self._scroll(action, points[0] if points else None, should_stop)
            case TypeText(text=text):
                with self.device.guarded():
                    return ExecResult(feedback=self.typer.type(text, should_stop))
            case Hotkey(keys=keys):
                self._hotkey(keys, should_stop)
            case Wait(seconds=seconds):
                self._wait(seconds, should_stop)
            case RunShell() | Remember() | CallTool() | Finish() | AskUser():
                raise ExecutionFailed(f"The GUI executor cannot {describe(action)}; it is not a GUI action.")
            case _:
                assert_never(action)
        return ExecResult()

    def release_all(self) -> None:
        """Release every key and mouse button that may be down; safe to call any time."""
        self.device.release_all()

    def close(self) -> None:
        """Release everything and stop the clipboard server; call once when the app quits."""
        self.release_all()
        self.typer.close()

    # -- pointer -------------------------------------------------------------------------

    def _click(self, point: ScreenPoint, button: str, count: int) -> None:
        with self.device.guarded([point]):
            self.device.move(point)
            for _ in range(count):
                self.device.button_down(button)
                self.device.button_up(button)

    def _drag(self, start: ScreenPoint, end: ScreenPoint, should_stop: ShouldStop) -> None:
        """Press at ``start``, glide to ``end``, release; on Stop, glide back before letting go.

        Returning to the start before releasing turns an interrupted drag-and-drop into a
        drop on its own origin, which apps treat as nothing happening.
        """
        t = self.timing
        with self.device.guarded([start, end]):
            self.device.move(start)
            self.device.button_down("left")
            try:
                time.sleep(t.drag_hold_delay)
                for step in range(1, t.drag_steps + 1):
                    if should_stop():
                        self.device.move(start)
                        raise Stopped()
                    f = step / t.drag_steps
                    self.device.move(ScreenPoint(x=round(start.x + (end.x - start.x) * f),
                                                 y=round(start.y + (end.y - start.y) * f)))  # fmt: skip
                    time.sleep(t.drag_step_delay)
                time.sleep(t.drag_hold_delay)
            finally:
                self.device.button_up("left")

    def _scroll(self, action: Scroll, point: ScreenPoint | None, should_stop: ShouldStop) -> None:
        horizontal = action.direction in (ScrollDirection.LEFT, ScrollDirection.RIGHT)
        sign = 1 if action.direction in (ScrollDirection.UP, ScrollDirection.RIGHT) else -1
        with self.device.guarded([] if point is None else [point]):
            if point is not None:
                self.device.move(point)
            for _ in range(action.amount):
                if should_stop():
                    raise Stopped()
                self.device.wheel(sign, horizontal=horizontal)

    # -- keyboard and time ---------------------------------------------------------------

    def _hotkey(self, keys: tuple[str, ...], should_stop: ShouldStop) -> None:
        """Press in order, release in reverse -- always, also when a press fails or Stop comes."""
        names = [pyautogui_key(k) for k in keys]
        pressed: list[str] = []
        with self.device.guarded():
            try:
                for name in names:
                    if should_stop():
                        raise Stopped()
                    pressed.append(name)  # before the press, so a half-done press is released too
                    self.device.key_down(name)
            finally:
                for name in reversed(pressed):
                    self.device.key_up(name)

    def _wait(self, seconds: float, should_stop: ShouldStop) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if should_stop():
                raise Stopped()
            time.sleep(min(self.timing.wait_slice, left))
