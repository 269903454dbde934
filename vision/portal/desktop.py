"""The Wayland desktop as Deskhand uses it: one portal session, its frames and its input.

``PortalDesktop`` is what the app wires in place of mss and pyautogui: ``grab`` feeds the
screen and the settler (same BGRx frames, same rectangles), and ``move_to`` / ``button`` /
``axis`` / ``keysym`` feed ``deskhand.actions._portal.PortalInput``.

Coordinates: a stream's rectangle (``position``, ``size``) is the desktop space a screenshot
maps onto, exactly as an X11 monitor; frames with more pixels than that (a 1.5x or 2x monitor)
are recorded in ``ScreenGeometry.pixel_ratio``.  Pointer positions go to the stream in its own
coordinates -- which for GNOME's mutter means its *pixels*: mutter divides them by the
monitor's scale itself, although under fractional scaling (logical layout) it reports the
stream's size in logical units.  Measured: a 1.5x monitor of 1280x720 points streams
1920x1080 pixels and reports size 1280x720; a position in points lands 1.5x too near the
origin.  So on mutter a position is scaled by frame pixels / stream size; a portal that
follows the specification to the letter (positions in ``size`` units) gets them unscaled.
xdg-desktop-portal 1.16 refuses positions beyond ``size``, so on a 1.5x GNOME monitor only
the top-left two thirds are reachable: beyond, the action fails and the model is told --
never a click somewhere else.

Headless mutter creates its virtual input devices on the first event, and a window that
binds them afterwards misses that event: ``prime`` moves the pointer and taps Shift once at
the start, so the first real click and key are not lost.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from deskhand.core.errors import CaptureFailed, ExecutionFailed
from deskhand.core.geometry import Grid, Rect, Size
from deskhand.vision.capture import MssScreen
from deskhand.vision.portal.bus import PortalBus
from deskhand.vision.portal.frames import StreamFrames
from deskhand.vision.portal.session import PortalSession, Stream
from deskhand.vision.portal.tokens import TokenStore

__all__ = ["PortalDesktop", "PortalScreen"]

log = logging.getLogger(__name__)

_SHIFT_L = 0xFFE1
MUTTER_SCREENCAST = "org.gnome.Mutter.ScreenCast"
PRIME_WAIT = 0.25


class PortalDesktop:
    """Start with ``open``; ``close`` ends the session (and the compositor's virtual devices)."""

    def __init__(self, session: PortalSession) -> None:
        self.session = session
        self._frames: dict[int, StreamFrames] = {}
        self._lock = threading.Lock()
        self._closed = False
        self.watched: Rect | None = None  # the task's monitor: its stream takes the pointer
        # GNOME's mutter reads absolute positions in the stream's *pixels* (it divides by the
        # monitor's scale itself), while its stream size is logical under fractional scaling.
        self.pixel_positions = session.bus.has_name(MUTTER_SCREENCAST)

    @classmethod
    def open(
        cls, tokens: TokenStore, *, explain: Callable[[str], None], remote: bool = True
    ) -> PortalDesktop:
        """Start a session; ``remote=False`` asks for the screen only (no input)."""
        session = PortalSession(PortalBus(), tokens, explain=explain, remote=remote)
        try:
            session.start()
            desktop = cls(session)
            for stream in session.streams:
                desktop._frames_of(stream).latest()
            if remote:
                desktop.prime()
        except BaseException:
            session.close()
            raise
        return desktop

    @property
    def ended(self) -> bool:
        """Closed, or a stream the desktop stopped sharing: a kept session must be renewed."""
        with self._lock:
            return self._closed or any(f.ended for f in self._frames.values())

    @property
    def monitors(self) -> list[Rect]:
        return [s.rect for s in self.session.streams]

    def _frames_of(self, stream: Stream) -> StreamFrames:
        with self._lock:
            frames = self._frames.get(stream.node)
            if frames is None:
                frames = self._frames[stream.node] = StreamFrames(self.session.pipewire_fd(), stream.node)
            return frames

    def _stream_at(self, x: float, y: float) -> Stream:
        """The stream a point belongs to: the watched one first, since streams' rectangles
        may overlap (a scaled monitor's stream size is in pixels, its position logical)."""
        for stream in self.session.streams:
            if stream.rect == self.watched and stream.rect.contains(int(x), int(y)):
                return stream
        for stream in self.session.streams:
            if stream.rect.contains(int(x), int(y)):
                return stream
        return self.session.streams[0]

    def grab(self, rect: Rect) -> tuple[bytearray, Size]:
        """``rect`` of the shared screen (logical units) as BGRx bytes at the frame's resolution."""
        for stream in self.session.streams:
            r = stream.rect
            if r.x <= rect.x and r.y <= rect.y and rect.x + rect.width <= r.x + r.width \
                    and rect.y + rect.height <= r.y + r.height:  # fmt: skip
                return self._frames_of(stream).grab(r, rect)
        raise CaptureFailed(
            f"Tried to capture {tuple(rect)}, but the desktop shares only {[tuple(m) for m in self.monitors]}."
        )

    def frames_seen(self, rect: Rect) -> int:
        """How many frames the stream showing ``rect`` has delivered so far."""
        return self._frames_of(self._stream_at(rect.x, rect.y)).frames

    def wait_newer(self, rect: Rect, count: int, timeout: float) -> bool:
        """Wait until that stream delivers a frame after the first ``count`` (the screen changed)."""
        return self._frames_of(self._stream_at(rect.x, rect.y)).wait_newer(count, timeout)

    # -- input (deskhand.actions._portal.RemoteInput) ------------------------------------

    def move_to(self, x: float, y: float) -> None:
        stream = self._stream_at(x, y)
        dx, dy = x - stream.rect.x, y - stream.rect.y
        if self.pixel_positions:
            _, size = self._frames_of(stream).latest()
            dx, dy = dx * size.width / stream.rect.width, dy * size.height / stream.rect.height
            if dx >= stream.rect.width or dy >= stream.rect.height:
                raise ExecutionFailed(
                    f"Tried to move the pointer to ({x:g}, {y:g}), but GNOME's portal cannot reach it on a "
                    "fractionally scaled monitor (mutter takes positions in pixels, the portal allows "
                    f"only up to {stream.rect.width}x{stream.rect.height}). Use 100 % or 200 % scaling."
                )
        self.session.motion(stream, dx, dy)

    def button(self, code: int, pressed: bool) -> None:
        self.session.button(code, pressed)

    def axis(self, vertical: bool, steps: int) -> None:
        self.session.axis(vertical, steps)

    def keysym(self, keysym: int, pressed: bool) -> None:
        self.session.keysym(keysym, pressed)

    def prime(self) -> None:
        r = self.session.streams[0].rect
        self.move_to(r.x, r.y)
        self.keysym(_SHIFT_L, True)
        self.keysym(_SHIFT_L, False)
        time.sleep(PRIME_WAIT)

    def close(self) -> None:
        with self._lock:
            frames, self._frames = list(self._frames.values()), {}
            self._closed = True
        for f in frames:
            f.close()
        self.session.close()


class PortalScreen(MssScreen):
    """The ``Screen`` port on Wayland: ``MssScreen``'s resize/encode/prepare on the portal's
    frames.  With ``owns`` (``deskhand do``) closing it (the task ends) ends the session; a
    session kept for the whole run (the tray app, ``deskhand mcp``) outlives the screen."""

    def __init__(
        self, desktop: PortalDesktop, monitor: Rect, grid: Grid, *, jpeg_quality: int, owns: bool = True
    ) -> None:
        super().__init__(monitor, grid, jpeg_quality=jpeg_quality, grab=desktop.grab)
        self.desktop = desktop
        self.owns = owns
        desktop.watched = monitor

    def frames_seen(self) -> int:
        return self.desktop.frames_seen(self.monitor)

    def wait_newer(self, count: int, timeout: float) -> bool:
        """Wait for the compositor to send a frame after the ``count``-th one (True) -- it sends
        one only when the screen changed -- or ``timeout`` (False)."""
        return self.desktop.wait_newer(self.monitor, count, timeout)

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self.owns:
                self.desktop.close()
