"""One teaching session: record the user's input until the stop hotkey, with what it hit.

The ``InputRecorder`` hands each key and button event over as the server takes it; here,
on the recording thread and before the next event is read:

* the stop hotkey ends the session (it is found in the stream itself, so it works
  whoever holds the global grab -- the tray app, or ``deskhand teach`` -- and the chord
  is not recorded);
* events on Deskhand's own windows (its tray icon and menu, the teaching bar, dialogs)
  are dropped: a click is ours when a window of this process is under the pointer, a
  key when the active window is ours;
* a button press is looked up at once (``look``: the skills' target lookup, which
  describes what is under the point) -- before the application has reacted to it;
* the first keystroke of a run of typing asks what has keyboard focus; a password field
  marks the run secret, and ``core.demonstration`` keeps none of its text.  This fails
  closed: unless the tree says for sure that focus is on a field that is not a password
  (it answered in time, with the element's bounds, and -- after a click -- the clicked
  point is inside it), the run is kept secret too, and ``kept_out`` says why, for the
  review.  The lookup answers about *now*, which may be later than the keystroke (the
  thread may be behind, looking up a click): if the stream then shows a click or a Tab,
  Enter or hotkey that the server took before the answer came, the focus may have moved
  before it was asked, and the run is made secret after all;
* the session ends at the stop chord *in the stream*: whoever wakes ``wait`` (the grabbed
  hotkey, a Stop button), every event the server took before the chord is still handled
  (``stop`` drains the recorder), and none after it.

The lookups are injected, so this module knows nothing of how a target is described.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from deskhand.app.platform.input_recorder import InputRecorder, OnInput
from deskhand.core.demonstration import (
    HOTKEY_MODIFIERS,
    Keystroke,
    PointerButton,
    ShownStep,
    group_demonstration,
    is_stop_chord,
)
from deskhand.core.element_info import FOCUS_UNKNOWN_ROLE, ElementInfo
from deskhand.core.geometry import Rect, ScreenGeometry, ScreenPoint, Size
from deskhand.core.gui_rules import is_password_field
from deskhand.core.observation import Observation
from deskhand.core.skill_target import Target
from deskhand.vision.capture import Frame, choose_monitor, grab_frame
from deskhand.vision.inspect import AtspiInspector
from deskhand.vision.lookup import ScreenLookup

__all__ = ["Chord", "DesktopLook", "TeachSession", "x11_ours"]

log = logging.getLogger(__name__)

T = TypeVar("T")
V = TypeVar("V")
Chord = tuple[frozenset[str], str]  # modifiers, key: as ``app.hotkeys.Chord`` holds them
Look = Callable[[int, int], T | None]  # what is under this desktop point
Focus = Callable[[], ElementInfo | None]  # what has keyboard focus
Ours = Callable[[tuple[int, int] | None], bool]  # is the window at this point (None: the active one) ours?
CLOCK_MARGIN_MS = 10  # slack on "the server took it before the focus lookup answered": the
# clocks' offset is estimated from the least delivery delay seen, a little over the true one
FOCUS_BUDGET_S = 1.0  # how long the accessibility tree may take to say what has focus
HIDDEN_CHAR = "•"  # what a keystroke into a password field keeps instead of its character


def _moves_focus(event: Keystroke | PointerButton[object]) -> bool:
    """A press that may move keyboard focus: a click (not the wheel), or a key that is
    neither typing, Backspace nor a modifier on its own (Tab, Enter, a hotkey)."""
    if isinstance(event, PointerButton):
        return event.pressed and event.button in (1, 2, 3)
    typing = bool(event.text) and not event.modifiers & set(HOTKEY_MODIFIERS)
    return not typing and event.key not in (None, "backspace")


def x11_ours(point: tuple[int, int] | None) -> bool:
    """Deskhand's own windows on X11: those of this process (``_NET_WM_PID``)."""
    from deskhand.app.platform.x11_windows import active_window, owned_at, owned_by

    if point is not None:
        return owned_at(os.getpid(), *point)
    active = active_window()
    return active is not None and owned_by(os.getpid(), active)


class DesktopLook:
    """The skills' own lookup (``vision.lookup.ScreenLookup``) on the whole desktop as it is
    at the moment of a press; and what has keyboard focus.  Used from the recording thread
    only (its connections are not shared).

    Focus comes from the accessibility tree, given more time than a task's inspector gets
    (teaching is not in a hurry, and a password field missed is a password stored); when
    the tree does not answer, typing is taken to go where the last click went, as it does
    -- a guess, without bounds: it can still tell a password field, but never clears typing
    as not secret (``TeachSession`` keeps it secret then).
    """

    def __init__(self) -> None:
        self._frame: Frame | None = None
        self._count = 0
        self._last: Target | None = None
        self.lookup = ScreenLookup(frames=lambda _observation: self._frame)
        self.tree = AtspiInspector(budget=FOCUS_BUDGET_S)

    def _observation(self, desk: Rect) -> Observation:
        self._count += 1
        geometry = ScreenGeometry(image_size=Size(desk.width, desk.height), screen_rect=desk)
        return Observation(f"teach-{self._count}", b"", "image/jpeg", geometry, 0.0, 0.0)

    def look(self, x: int, y: int) -> Target:
        desk = choose_monitor(0)
        self._frame = grab_frame(desk)
        self._last = self.lookup.describe(ScreenPoint(x=x, y=y), self._observation(desk))
        return self._last

    def focus(self) -> ElementInfo | None:
        found = self.tree.focused(self._observation(Rect(0, 0, 1, 1)))
        last = self._last
        if found is not None or last is None:
            return found
        return ElementInfo(
            last.name or last.label, last.role or "text", "accessibility" if last.role else "ocr"
        )

    def close(self) -> None:
        self.lookup.close()
        self.tree.close()


class TeachSession(Generic[T]):
    """Start, let the user work, ``wait`` for the stop hotkey (or call ``stop``), then read ``steps``."""

    def __init__(
        self,
        *,
        stop_chord: Chord,
        look: Look[T],
        focus: Focus,
        ours: Ours = x11_ours,
        recorder: Callable[[OnInput], InputRecorder] = InputRecorder,
    ) -> None:
        self.stop_chord = stop_chord
        self.look, self.focus, self.ours = look, focus, ours
        self.recorder = recorder(self._on_input)
        self.events: list[Keystroke | PointerButton[T]] = []
        self.finished = threading.Event()
        self._lock = threading.Lock()
        self._typing_secret: bool | None = None  # None: the next keystroke starts a run
        self._clicked: tuple[int, int] | None = None  # the last click, if focus moved no other way since
        self._chord_seen = False  # the stop chord went by in the stream: nothing after it counts
        self._stopped = False
        self.kept_out: list[str] = []  # why typing was kept secret though no password field was seen
        self._offset_ms: float | None = None  # monotonic ms minus server ms, least seen: the clocks
        self._run_start = 0  # where in ``events`` the clear run being checked starts
        self._asked_until: float | None = None  # server ms when its focus lookup answered

    def start(self) -> None:
        self.recorder.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the stop hotkey (True) or ``timeout`` (False)."""
        return self.finished.wait(timeout)

    def stop(self) -> list[ShownStep[T]]:
        """End the recording (idempotent) and return the steps shown."""
        with self._lock:
            first = not self._stopped
            self._stopped = True
        if first:  # the recording thread first handles what the server sent before the stop
            self.recorder.stop()
            self.finished.set()
        return self.steps()

    def steps(self) -> list[ShownStep[T]]:
        with self._lock:
            events = list(self.events)
        return group_demonstration(events)

    @property
    def failure(self) -> BaseException | None:
        """Why the recording ended early (the X server went away), if it did."""
        return self.recorder.failure

    # -- on the recording thread ----------------------------------------------------------

    def _on_input(self, event: Keystroke | PointerButton[object]) -> None:
        if self._chord_seen:  # not ``finished``: another thread may set it before we are here
            return
        offset = time.monotonic() * 1000 - event.time_ms  # delivery delay included: keep the least
        self._offset_ms = offset if self._offset_ms is None else min(self._offset_ms, offset)
        if self._asked_until is not None and _moves_focus(event):
            if event.time_ms <= self._asked_until:
                self._redact_run()
            self._asked_until = None  # the stream is in order: later events come after the answer
        if isinstance(event, Keystroke):
            self._key(event)
        else:
            self._button(event)

    def _key(self, stroke: Keystroke) -> None:
        if is_stop_chord(stroke, self.stop_chord):
            self._chord_seen = True
            self.finished.set()
            return
        if stroke.key is None and not stroke.text:
            return  # a modifier on its own
        if self._safe(lambda: self.ours(None), False):
            return
        typing = bool(stroke.text) and not stroke.modifiers & set(HOTKEY_MODIFIERS)
        if not typing:
            if stroke.key != "backspace":
                self._typing_secret = None  # Enter, Tab, a hotkey: focus may move
                self._clicked = None
            self._append(stroke)
            return
        if self._typing_secret is None:
            self._typing_secret = self._secret_run()
            if not self._typing_secret and self._offset_ms is not None:
                with self._lock:
                    self._run_start = len(self.events)
                self._asked_until = time.monotonic() * 1000 - self._offset_ms + CLOCK_MARGIN_MS
        if self._typing_secret:  # not even held in memory: one placeholder per character
            stroke = Keystroke(None, HIDDEN_CHAR, stroke.modifiers, stroke.time_ms, secret=True)
        self._append(stroke)

    def _redact_run(self) -> None:
        """The clear run being checked was looked up too late: keep none of its text."""
        why = "keyboard focus may have moved before Deskhand could ask where you typed"
        log.info("typing kept secret: %s", why)
        if why not in self.kept_out:
            self.kept_out.append(why)
        with self._lock:
            for i in range(self._run_start, len(self.events)):
                e = self.events[i]
                if isinstance(e, Keystroke) and e.text and not e.secret:
                    self.events[i] = Keystroke(None, HIDDEN_CHAR, e.modifiers, e.time_ms, secret=True)

    def _secret_run(self) -> bool:
        """Whether the run of typing starting now is kept secret: it goes into a password
        field, or nothing says for sure that it does not (fail closed)."""
        found = self._safe(self.focus, None)
        if found is not None and is_password_field(found):
            return True
        why = self._unsure(found)
        if why is not None:
            log.info("typing kept secret: %s", why)
            if why not in self.kept_out:
                self.kept_out.append(why)
            return True
        return False

    def _unsure(self, found: ElementInfo | None) -> str | None:
        """Why ``found`` does not say for sure where the typing went; ``None`` if it does."""
        if found is None or found.role == FOCUS_UNKNOWN_ROLE:
            return "Deskhand could not tell what had keyboard focus (the accessibility tree did not answer in time)"
        if found.source != "accessibility" or found.bounds is None:
            return "Deskhand could only guess what had keyboard focus (the accessibility tree did not say)"
        if self._clicked is not None and not found.bounds.contains(*self._clicked):
            return f"keyboard focus ({found.describe()}) was not on what you had just clicked"
        return None

    def _button(self, event: PointerButton[object]) -> None:
        self._typing_secret = None  # a click may move the focus
        if event.pressed and event.button in (1, 2, 3):
            self._clicked = (event.x, event.y)
        if event.pressed and (event.button in (1, 2, 3) or self._new_turn(event)):
            if self._safe(lambda: self.ours((event.x, event.y)), False):
                return  # its release finds no press and is dropped too
            seen: T | None = self._safe(lambda: self.look(event.x, event.y), None)
            self._append(PointerButton(event.button, True, event.x, event.y, event.time_ms, seen))
            return
        self._append(PointerButton(event.button, event.pressed, event.x, event.y, event.time_ms))

    def _new_turn(self, event: PointerButton[object]) -> bool:
        """A wheel notch that starts a turn (not one more notch of the last): worth a lookup."""
        with self._lock:
            pressed = [e for e in self.events[-4:] if isinstance(e, PointerButton) and e.pressed]
        last = pressed[-1] if pressed else None
        return event.button in (4, 5, 6, 7) and (
            last is None or last.button != event.button or (last.x, last.y) != (event.x, event.y)
        )

    def _append(self, event: Keystroke | PointerButton[T]) -> None:
        with self._lock:
            self.events.append(event)

    @staticmethod
    def _safe(call: Callable[[], V], default: V) -> V:
        try:
            return call()
        except Exception:  # a lookup that fails must not end the recording; it is logged
            log.warning("a lookup while teaching failed", exc_info=True)
            return default
