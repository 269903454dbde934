"""Frames of a portal ScreenCast stream, through GStreamer's ``pipewiresrc`` in a subprocess.

Why a ``gst-launch-1.0`` subprocess: the maintained PipeWire bindings for Python are
PyGObject's (``gi`` + Gst), which Debian ships for the system Python only -- a venv or a
bundle cannot import them without building PyGObject.  ``gst-launch-1.0`` (gstreamer1.0-tools)
with ``pipewiresrc`` (gstreamer1.0-pipewire) is on every desktop that has the portal, and
the raw BGRx frames it writes to a pipe are the same layout mss gives on X11, so everything
downstream (resize, fingerprint, settle) is unchanged.  Measured here (1280x720, software
rendering, heavily loaded machine): a key press shows on the stream ~100 ms later, app
redraw and compositing included; taking the newest frame costs 0.06 ms.

Why keep the latest frame rather than ask for one: the compositor sends a frame only when
the screen changes, so "the newest frame" *is* the screen now; waiting would block forever
on a still screen.  A long-lived pipeline per session keeps that cheap.

The frame size comes from the caps ``gst-launch-1.0 -v`` prints; a caps change (the monitor's
mode or scale changed) restarts the frame count at the new size.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import threading
import time

from deskhand.core.errors import CaptureFailed, SetupError
from deskhand.core.geometry import Rect, Size

__all__ = ["StreamFrames"]

log = logging.getLogger(__name__)

_CAPS = re.compile(rb"fdsink\d*\.GstPad:sink: caps = video/x-raw.*?width=\(int\)(\d+), height=\(int\)(\d+)")
FIRST_FRAME_TIMEOUT = 5.0


class StreamFrames:
    """The newest BGRx frame of one PipeWire stream, and its pixel size."""

    def __init__(self, pipewire_fd: int, node: int) -> None:
        gst = shutil.which("gst-launch-1.0")
        if gst is None:
            raise SetupError(
                "Tried to read the screen on Wayland through GStreamer, but gst-launch-1.0 is "
                "missing. Install gstreamer1.0-tools and gstreamer1.0-pipewire."
            )
        read_end, write_end = os.pipe()
        argv = [gst, "-v", "pipewiresrc", f"fd={pipewire_fd}", f"path={node}", "always-copy=true",
                "!", "videoconvert", "!", "video/x-raw,format=BGRx", "!", "fdsink", f"fd={write_end}", "sync=false"]  # fmt: skip
        self._proc = subprocess.Popen(  # noqa: S603 (gst-launch from PATH, our own pipeline)
            argv, pass_fds=(pipewire_fd, write_end), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
        os.close(write_end)
        os.close(pipewire_fd)
        self._data = os.fdopen(read_end, "rb", buffering=0)
        self._cond = threading.Condition()
        self._size: Size | None = None
        self._latest: tuple[bytearray, Size] | None = None
        self.frames = 0
        self._closed = False
        self._said = ""  # gst-launch's last line that was not caps (an error, say)
        threading.Thread(target=self._read_caps, name="deskhand-gst-caps", daemon=True).start()
        threading.Thread(target=self._read_frames, name="deskhand-gst-frames", daemon=True).start()

    def _read_caps(self) -> None:
        if self._proc.stdout is None:
            return
        for line in self._proc.stdout:
            found = _CAPS.search(line)
            if not found and b"caps = " not in line and line.strip():
                self._said = line.decode(errors="replace").strip()
            if found:
                with self._cond:
                    self._size = Size(int(found[1]), int(found[2]))
                    self._cond.notify_all()

    def _read_frames(self) -> None:
        while True:
            with self._cond:
                while self._size is None and not self._closed and self._proc.poll() is None:
                    self._cond.wait(0.1)
                size = self._size
            if size is None:
                break
            frame = self._read_exactly(size.width * size.height * 4)
            if frame is None:
                break
            with self._cond:
                self._latest = (frame, size)
                self.frames += 1
                self._cond.notify_all()
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def _read_exactly(self, count: int) -> bytearray | None:
        buf = bytearray(count)
        view = memoryview(buf)
        got = 0
        while got < count:
            n = self._data.readinto(view[got:])
            if not n:
                return None
            got += n
        return buf

    def latest(self, timeout: float = FIRST_FRAME_TIMEOUT) -> tuple[bytearray, Size]:
        """The newest frame (waiting for the first one); raises CaptureFailed if none comes."""
        deadline = time.monotonic() + timeout
        with self._cond:
            if self._closed and self._latest is not None:
                raise CaptureFailed(
                    "Tried to read the screen, but the desktop ended the screen share (stopped from "
                    f"the desktop's sharing indicator?){f' ({self._said})' if self._said else ''}. "
                    "Start the task again."
                )
            while self._latest is None and not self._closed:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            if self._latest is None:
                err = self._stderr_tail()
                raise CaptureFailed(
                    "Tried to read the screen from the desktop portal's PipeWire stream, but no frame "
                    f"came within {timeout:g} s{f' ({err})' if err else ''}. "
                    "Check that pipewire and gstreamer1.0-pipewire are installed and running."
                )
            return self._latest

    def wait_newer(self, count: int, timeout: float) -> bool:
        """Wait until more than ``count`` frames have arrived (True) or ``timeout`` passes."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self.frames <= count and not self._closed:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return self.frames > count

    def grab(self, stream_rect: Rect, rect: Rect) -> tuple[bytearray, Size]:
        """``rect`` (logical desktop units, inside ``stream_rect``) of the newest frame, in the
        frame's own pixels -- so a 2x monitor gives twice the pixels of ``rect``."""
        frame, size = self.latest()
        if rect == stream_rect:
            return frame, size
        sx, sy = size.width / stream_rect.width, size.height / stream_rect.height
        x0 = max(0, round((rect.x - stream_rect.x) * sx))
        x1 = min(size.width, round((rect.x + rect.width - stream_rect.x) * sx))
        y0 = max(0, round((rect.y - stream_rect.y) * sy))
        y1 = min(size.height, round((rect.y + rect.height - stream_rect.y) * sy))
        if x1 <= x0 or y1 <= y0:
            raise CaptureFailed(f"Tried to capture {tuple(rect)}, but it is outside the shared screen.")
        row = 4 * size.width
        out = bytearray()
        for y in range(y0, y1):
            out += frame[y * row + 4 * x0 : y * row + 4 * x1]
        return out, Size(x1 - x0, y1 - y0)

    def _stderr_tail(self) -> str:
        return self._said

    @property
    def ended(self) -> bool:
        """The stream is over (closed here, or the desktop stopped sharing)."""
        return self._closed

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._data.close()
