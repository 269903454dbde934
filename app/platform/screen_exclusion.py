"""Keep the agent's own windows out of what the model sees and out of the pointer's way.

The stop bar, run view and command bar float over the desktop.  If a screenshot showed
them, the model would read and click our UI instead of the user's apps; if an action
landed on them, the agent would press its own Stop button.  So:

* ``ExcludingScreen`` wraps the capture ``Screen``.  On Windows (and macOS with PyObjC)
  our windows are marked excluded from capture once and nothing flickers; elsewhere (X11)
  they are hidden on the GUI thread before each grab, we wait until the X server reports
  them unmapped *and* the area they covered has been repainted by the apps below, then
  capture, then show them again without taking focus.  The cost is added to the step's
  ``capture`` timing so it stays visible.
* ``ExcludingExecutor`` wraps the ``Executor``: when a pointer action targets a point one
  of our windows covers, that window is hidden just for the action.

On Wayland a client can learn neither where its windows are nor when the compositor has
taken one off the screen.  So there every visible window of ours is hidden before each
grab and each pointer action (it may be anywhere).  Before a grab we wait for the portal
stream's next frame (the compositor sends one only when the screen changed, and hiding a
visible window changes it), then until none came for ``WAYLAND_QUIET`` (on the loaded
test machine frames came up to ~150 ms apart while a window went away; 50 ms let the bar
through); before a pointer action, a fixed
``WAYLAND_HIDE_WAIT`` (an app's change reached the stream ~100 ms after it was made on the
headless test session).
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import mss
from PySide6.QtWidgets import QWidget

from deskhand.app.platform.capture_affinity import exclude_from_capture
from deskhand.app.tray.gui_call import GuiCallTimeout, GuiInvoker
from deskhand.core.actions import Action
from deskhand.core.approval import Approved
from deskhand.core.errors import DeskhandError
from deskhand.core.geometry import Rect, ScreenGeometry
from deskhand.core.landing import landing_points
from deskhand.core.observation import Observation
from deskhand.core.outcome import ExecResult
from deskhand.core.ports import Executor, Screen, ShouldStop

log = logging.getLogger(__name__)

X11 = sys.platform.startswith("linux")
WAYLAND_HIDE_WAIT = 0.15
WAYLAND_HIDE_CAP = 1.0
WAYLAND_QUIET = 0.2


def _on_wayland() -> bool:
    from deskhand.app.platform.display import choose_display

    try:
        return choose_display().wayland
    except DeskhandError:  # a bad DESKHAND_DISPLAY: the task's own set-up says so
        return False


@dataclass(frozen=True, slots=True)
class Hidden:
    window_id: int
    rect: Rect  # on screen (clipped to the desktop)
    before: bytes  # that area's pixels just before hiding: our window as drawn


def _rect_of(widget: QWidget) -> Rect:
    """The window's frame on screen: from the X server on X11, else from Qt."""
    if X11:
        from deskhand.app.platform.x11_windows import frame_rect

        found = frame_rect(int(widget.winId()))
        if found is not None:
            return Rect(*found)
    g = widget.frameGeometry()
    return Rect(g.x(), g.y(), g.width(), g.height())


class _Grabber:
    """Small mss grabs, clipped to the desktop; one mss handle per thread (they are not shareable)."""

    def __init__(self) -> None:
        self._local = threading.local()

    def grab(self, rect: Rect) -> tuple[Rect, bytes]:
        sct = getattr(self._local, "sct", None)
        if sct is None:
            sct = self._local.sct = mss.MSS()
        desk = sct.monitors[0]
        left, top = max(rect.x, desk["left"]), max(rect.y, desk["top"])
        right = min(rect.x + rect.width, desk["left"] + desk["width"])
        bottom = min(rect.y + rect.height, desk["top"] + desk["height"])
        if right <= left or bottom <= top:
            return Rect(left, top, 0, 0), b""
        region = {"left": left, "top": top, "width": right - left, "height": bottom - top}
        return Rect(left, top, right - left, bottom - top), bytes(sct.grab(region).raw)


def _overlaps(a: Rect, b: Rect) -> bool:
    return a.x < b.x + b.width and b.x < a.x + a.width and a.y < b.y + b.height and b.y < a.y + a.height


class OurWindows:
    """The app's top-level windows; hides and restores them on the GUI thread on request."""

    def __init__(self, invoker: GuiInvoker) -> None:
        self.invoker = invoker
        self._windows: list[QWidget] = []
        self._excluded: set[int] = set()  # id() of windows the platform keeps out of captures
        self._hidden: list[QWidget] = []
        self._grabber = _Grabber()
        self.wayland = _on_wayland()  # windows' places unknown: hide them all (module doc)

    def register(self, widget: QWidget) -> None:
        """Call on the GUI thread for each top-level window we create."""
        if widget in self._windows:
            return
        self._windows.append(widget)
        if not X11 and exclude_from_capture(int(widget.winId())):
            self._excluded.add(id(widget))

    def _hide_where(self, wanted: Callable[[Rect], bool]) -> list[Hidden]:
        hidden: list[Hidden] = []
        for widget in self._windows:
            if id(widget) in self._excluded or not widget.isVisible():
                continue
            if self.wayland:
                hidden.append(Hidden(int(widget.winId()), Rect(0, 0, 0, 0), b""))
                widget.hide()
                self._hidden.append(widget)
                continue
            rect = _rect_of(widget)
            if wanted(rect):
                on_screen, before = self._grabber.grab(rect)
                hidden.append(Hidden(int(widget.winId()), on_screen, before))
                widget.hide()
                self._hidden.append(widget)
        return hidden

    def _restore(self) -> None:
        for widget in self._hidden:
            widget.show()
        self._hidden.clear()

    # -- called from the worker thread ----------------------------------------------------

    def hide(self, wanted: Callable[[Rect], bool], timeout: float = 2.0) -> list[Hidden]:
        try:
            return self.invoker.call(lambda: self._hide_where(wanted), timeout)
        except GuiCallTimeout:
            log.warning("could not hide our windows (the GUI thread is busy); they may be seen")
            return []

    def restore(self, timeout: float = 2.0) -> None:
        try:
            self.invoker.call(self._restore, timeout)
        except GuiCallTimeout:
            self.invoker.post(self._restore)


class _Gone:
    """Waits, on the worker thread, until hidden windows are really off the screen.

    Unmapped is not enough without a compositor: the area keeps our window's pixels until
    the app below repaints it.  So each area must differ from what it showed before we hid
    it (our window) and then hold still for one interval (the repaint is done).  The cap
    is a ceiling, not a cost: the wait ends at the repaint, which takes a few ms on an idle
    machine but went past 250 ms on a loaded CI runner (our stop bar reached the model).
    """

    def __init__(
        self, repaint_interval: float = 0.005, repaint_cap: float = 1.0, *, wayland: bool = False
    ) -> None:
        self.wayland = wayland
        self.interval = repaint_interval
        self.cap = repaint_cap
        self._grabber = _Grabber()

    def unmapped(self, hidden: list[Hidden]) -> None:
        if self.wayland:  # nothing to ask: give the compositor time to show the screen without them
            time.sleep(WAYLAND_HIDE_WAIT)
            return
        if X11:
            from deskhand.app.platform.x11_windows import wait_unmapped

            if not wait_unmapped([h.window_id for h in hidden]):
                log.warning("our windows were still mapped after 1 s; the screenshot may show them")

    def repainted(self, hidden: list[Hidden]) -> None:
        deadline = time.monotonic() + self.cap
        for h in hidden:
            if not h.before:
                continue
            previous = None
            while True:
                frame = self._grabber.grab(h.rect)[1]
                if frame != h.before and frame == previous:
                    break
                if time.monotonic() > deadline:
                    log.info("the area under our window at %s did not settle in time", tuple(h.rect))
                    return
                previous = frame
                time.sleep(self.interval)


class ExcludingScreen:
    """The ``Screen`` port, with our windows kept out of every screenshot."""

    def __init__(
        self,
        inner: Screen,
        windows: OurWindows,
        *,
        on_observed: Callable[[Observation], None] | None = None,
    ) -> None:
        self.inner = inner
        self.windows = windows
        self.on_observed = on_observed
        self.region: Rect | None = getattr(inner, "monitor", None)
        self.gone = _Gone(wayland=windows.wayland)
        self.last_overhead_ms = 0.0

    def observe(self) -> Observation:
        start = time.perf_counter()
        region = self.region
        seen = self._frames_seen()
        hidden = self.windows.hide(lambda r: region is None or _overlaps(r, region))
        try:
            if hidden and seen is not None:
                self._wait_for_frame(seen)
            elif hidden:
                self.gone.unmapped(hidden)
                self.gone.repainted(hidden)
            before_grab = time.perf_counter()
            observation = self.inner.observe()
            after_grab = time.perf_counter()
        finally:
            if hidden:
                self.windows.restore()
        end = time.perf_counter()
        overhead = ((before_grab - start) + (end - after_grab)) * 1000.0
        self.last_overhead_ms = overhead
        observation = replace(observation, capture_ms=observation.capture_ms + overhead)
        if self.on_observed is not None:
            self.on_observed(observation)
        return observation

    def _frames_seen(self) -> int | None:
        """On Wayland: the screen's frame count (``PortalScreen``), else None."""
        count = getattr(self.inner, "frames_seen", None)
        return int(count()) if self.windows.wayland and callable(count) else None

    def _wait_for_frame(self, seen: int) -> None:
        """Hiding a visible window changes the screen, so the compositor sends a frame after
        ``seen``; then until frames stop coming for ``WAYLAND_QUIET`` (the hide may take more
        than one, and another app's frame may come first), at most ``WAYLAND_HIDE_CAP``."""
        inner: Any = self.inner
        deadline = time.monotonic() + WAYLAND_HIDE_CAP
        if not inner.wait_newer(seen, WAYLAND_HIDE_CAP):
            log.info("no new frame within %g s of hiding our windows", WAYLAND_HIDE_CAP)
            return
        while time.monotonic() < deadline and inner.wait_newer(inner.frames_seen(), WAYLAND_QUIET):
            pass


def pointer_rects(action: Action, geometry: ScreenGeometry) -> list[Rect]:
    """Small squares around every desktop point a pointer action touches."""
    return [Rect(s.x - 2, s.y - 2, 5, 5) for s in landing_points(action, geometry)]


class ExcludingExecutor:
    """The ``Executor`` port; moves our windows out of the way of pointer actions."""

    def __init__(self, inner: Executor, windows: OurWindows) -> None:
        self.inner = inner
        self.windows = windows
        self.gone = _Gone(wayland=windows.wayland)

    def execute(self, approved: Approved[Action], *, should_stop: ShouldStop) -> ExecResult:
        landings = pointer_rects(approved.action, approved.geometry)
        hidden = self.windows.hide(lambda r: any(_overlaps(r, t) for t in landings)) if landings else []
        try:
            if hidden:
                self.gone.unmapped(hidden)
            return self.inner.execute(approved, should_stop=should_stop)
        finally:
            if hidden:
                self.windows.restore()

    def release_all(self) -> None:
        self.inner.release_all()

    def close(self) -> None:
        close = getattr(self.inner, "close", None)
        if close is not None:
            close()
