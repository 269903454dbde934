"""Putting text on the clipboard so it can be pasted, and knowing when it was taken.

On X11 we own the selections ourselves (python-xlib, one small thread) instead of running
``xclip``, because pasting is asynchronous there: the focused app *asks* the owner for
the text after the paste key arrives.  GTK apps keep handling key events while they wait,
so with xclip a following Enter or letter can land *before* the pasted text (seen with
Mousepad).  Being the owner, we see the request and answer it, and only then does the
caller send further keys -- the answer is queued to the app ahead of them.  We own both
CLIPBOARD (Qt, GTK, browsers paste it on Shift+Insert / Ctrl+V) and PRIMARY (xterm pastes
PRIMARY on Shift+Insert), so one paste chord works in editors and terminals alike.

macOS and Windows read the clipboard synchronously while handling the paste key, so
there ``pbcopy`` / ``clip.exe`` set it and no hand-shake is needed (untested here).
"""

from __future__ import annotations

import logging
import os
import select
import subprocess
import sys
import threading
from contextlib import suppress
from typing import Any, Protocol

from deskhand.core.errors import ExecutionFailed

__all__ = ["Clipboard", "CommandClipboard", "XSelectionOwner", "platform_clipboard"]

log = logging.getLogger(__name__)


class Clipboard(Protocol):
    def offer(self, text: str) -> None:
        """Make ``text`` what the next paste inserts; from now on count requests."""

    def wait_taken(self, timeout: float) -> bool:
        """After the paste chord: wait until an app fetched the text (True) or time ran out."""

    def close(self) -> None:
        """Release what serving the clipboard holds (a thread, a connection)."""


class XSelectionOwner:
    """Owns CLIPBOARD and PRIMARY with a hidden window and serves them as UTF-8 text."""

    def __init__(self) -> None:
        self._data = b""
        self._taken = threading.Event()
        self._owned = threading.Event()
        self._thread: threading.Thread | None = None
        self._wake_w = -1
        self._failure: BaseException | None = None

    def offer(self, text: str) -> None:
        data = text.encode("utf-8")
        if len(data) > _MAX_BYTES:
            raise ExecutionFailed(
                f"Tried to paste {len(data)} bytes, but one paste carries at most {_MAX_BYTES}."
            )
        self._data = data
        self._taken.clear()
        self._owned.clear()
        if self._thread is None or not self._thread.is_alive():
            self._start()
        try:
            os.write(self._wake_w, b"o")
        except BrokenPipeError:  # the thread ended just now (display lost); try a new one
            self._start()
            os.write(self._wake_w, b"o")
        if not self._owned.wait(2.0):
            raise ExecutionFailed(
                "Tried to put the text on the X clipboard, but the selection could not be "
                f"taken ({self._failure or 'no answer from the X server'})."
            )

    def wait_taken(self, timeout: float) -> bool:
        return self._taken.wait(timeout)

    def close(self) -> None:
        """Stop serving (the selections become empty, as when any X client exits)."""
        thread, self._thread = self._thread, None
        if thread is not None:
            with suppress(BrokenPipeError):
                os.write(self._wake_w, b"q")
            thread.join(2.0)
            os.close(self._wake_w)
            self._wake_w = -1

    # -- the serving thread --------------------------------------------------------------

    def _start(self) -> None:
        if self._wake_w >= 0:
            os.close(self._wake_w)
        wake_r, self._wake_w = os.pipe()
        self._failure = None
        self._thread = threading.Thread(
            target=self._serve, args=(wake_r,), name="deskhand-selection", daemon=True
        )
        self._thread.start()

    def _serve(self, wake_r: int) -> None:
        from Xlib.display import Display
        from Xlib.error import ConnectionClosedError

        display = None
        try:
            display = Display(os.environ.get("DISPLAY"))
            self._loop(display, wake_r)
        except (ConnectionClosedError, OSError) as exc:
            self._failure = exc
            log.warning("The clipboard thread lost the X display: %s", exc)
        except Exception as exc:  # a thread boundary: record, log, never die silently
            self._failure = exc
            log.exception("The clipboard thread failed")
        finally:
            os.close(wake_r)  # the write end is the owner's; writes now fail with EPIPE
            if display is not None:
                with suppress(Exception):
                    display.close()

    def _loop(self, display: Any, wake_r: int) -> None:
        from Xlib import X, Xatom

        window = display.screen().root.create_window(0, 0, 1, 1, 0, X.CopyFromParent, X.InputOnly)
        atoms = {n: display.intern_atom(n) for n in _ATOM_NAMES}
        selections = (atoms["CLIPBOARD"], Xatom.PRIMARY)
        while True:
            readable, _, _ = select.select([display.fileno(), wake_r], [], [], 1.0)
            if wake_r in readable:
                if b"q" in os.read(wake_r, 64):
                    return
                for selection in selections:
                    window.set_selection_owner(selection, X.CurrentTime)
                display.sync()
                if all(display.get_selection_owner(s) == window for s in selections):
                    self._owned.set()
            while display.pending_events():
                event = display.next_event()
                if event.type == X.SelectionRequest:
                    self._reply(display, event, atoms)

    def _reply(self, display: Any, request: Any, atoms: dict[str, int]) -> None:
        from Xlib import X, Xatom
        from Xlib.protocol import event as xevent

        prop = request.property or request.target  # obsolete clients pass None
        target = request.target
        taken = False
        if target == atoms["TARGETS"]:
            offered = [atoms["TARGETS"], atoms["UTF8_STRING"], Xatom.STRING, atoms["TEXT"],
                       atoms["text/plain;charset=utf-8"], atoms["text/plain"]]  # fmt: skip
            request.requestor.change_property(prop, Xatom.ATOM, 32, offered)
        elif target in (atoms["UTF8_STRING"], atoms["TEXT"], atoms["text/plain;charset=utf-8"]):
            request.requestor.change_property(prop, atoms["UTF8_STRING"], 8, self._data)
            taken = True
        elif target in (Xatom.STRING, atoms["text/plain"]):
            latin1 = self._data.decode("utf-8").encode("latin-1", errors="replace")
            request.requestor.change_property(prop, Xatom.STRING, 8, latin1)
            taken = True
        else:
            prop = X.NONE
        notify = xevent.SelectionNotify(
            time=request.time, requestor=request.requestor, selection=request.selection,
            target=target, property=prop,
        )  # fmt: skip
        request.requestor.send_event(notify, event_mask=0)
        display.sync()  # the answer is queued to the app before the caller's next key
        if taken:
            self._taken.set()


# One ChangeProperty request without the INCR protocol (core protocol limit 256 KiB);
# TypeText allows 10,000 characters, at most 40 KB of UTF-8.
_MAX_BYTES = 200_000
_ATOM_NAMES = ("CLIPBOARD", "TARGETS", "UTF8_STRING", "TEXT", "text/plain;charset=utf-8", "text/plain")


class CommandClipboard:
    """Sets the clipboard through a platform tool (``pbcopy``, ``clip.exe``)."""

    def __init__(self, argv: list[str], encode: Any, env: dict[str, str] | None = None) -> None:
        self.argv, self.encode, self.env = argv, encode, env

    def offer(self, text: str) -> None:
        try:
            subprocess.run(self.argv, input=self.encode(text), env=self.env, check=True, timeout=5)  # noqa: S603 (fixed argv of a platform tool, text goes to stdin)
        except (OSError, subprocess.SubprocessError) as exc:
            raise ExecutionFailed(
                f"Tried to put the text on the clipboard with {self.argv[0]}, but it failed ({exc})."
            ) from exc

    def wait_taken(self, timeout: float) -> bool:
        return True  # the app reads the clipboard synchronously while handling the chord

    def close(self) -> None:
        """Nothing to release: the platform tool has exited."""


def platform_clipboard() -> Clipboard:
    """The clipboard for this platform."""
    if sys.platform == "darwin":
        env = {**os.environ, "LANG": "en_US.UTF-8"}  # pbcopy decodes stdin by locale
        return CommandClipboard(["pbcopy"], lambda t: t.encode("utf-8"), env)
    if sys.platform == "win32":
        return CommandClipboard(["clip.exe"], lambda t: b"\xff\xfe" + t.encode("utf-16-le"))
    return XSelectionOwner()
