"""A user's own demonstration, from raw input events to the steps a person would name.

``deskhand teach`` records what the user's hands do -- button presses and releases, key
presses -- and this module turns that stream into steps: "click here", "double-click
there", "type 'Grüße'", "press ctrl+s", "scroll down 3".  It knows nothing of X11: the
recorder (``deskhand.app.platform.input_recorder``) has already turned keycodes into the text a
key types and the key's name, and the teaching session has attached what each press
landed on (``seen``) and whether keystrokes went into a password field (``secret``).

Why the grouping is not left to replay: a replay acts once per *step*, and a skill read
by a person must say "type 'Grüße'" rather than six key presses.  Backspace inside a run
of typing edits the text typed (the user fixing a typo is not part of the procedure);
what went into a password field is dropped here, character by character, and the step
only says that a secret was typed -- it becomes a parameter, never a stored value.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Generic, TypeVar

from deskhand.core.actions import MouseButton, ScrollDirection

__all__ = [
    "DOUBLE_CLICK_MS",
    "Keystroke",
    "PointerButton",
    "ShownClick",
    "ShownDrag",
    "ShownKeys",
    "ShownScroll",
    "ShownStep",
    "ShownTyping",
    "group_demonstration",
    "is_stop_chord",
]

T = TypeVar("T")

DOUBLE_CLICK_MS = 400  # a second press this soon after a release, at the same spot, is a double click
SAME_SPOT_PX = 4  # a press and its release (or two clicks) this close are one spot
MAX_SCROLL = 50  # Scroll.amount's limit
HOTKEY_MODIFIERS = ("ctrl", "alt", "super")  # held with a key, it is a hotkey, not typing
_BUTTONS = {1: MouseButton.LEFT, 2: MouseButton.MIDDLE, 3: MouseButton.RIGHT}
_WHEEL = {4: ScrollDirection.UP, 5: ScrollDirection.DOWN, 6: ScrollDirection.LEFT, 7: ScrollDirection.RIGHT}


@dataclass(frozen=True, slots=True)
class Keystroke:
    """One key press.  ``key`` is its name as ``core.key_names.canonical_key`` spells it
    (of the unshifted symbol: ctrl+shift+s has key "s"), ``None`` for modifier keys and
    keys without a name; ``text`` is what it types with the modifiers held ("" if
    nothing printable); ``secret``: it went into a password field."""

    key: str | None
    text: str
    modifiers: frozenset[str]
    time_ms: int
    secret: bool = False


@dataclass(frozen=True, slots=True)
class PointerButton(Generic[T]):
    """A mouse button (X numbering: 1 left, 2 middle, 3 right, 4-7 wheel) going down or up
    at a desktop point; a press may carry what it landed on (``seen``; for the wheel, the
    first notch of a turn)."""

    button: int
    pressed: bool
    x: int
    y: int
    time_ms: int
    seen: T | None = None


@dataclass(frozen=True, slots=True)
class ShownClick(Generic[T]):
    x: int
    y: int
    button: MouseButton
    count: int
    seen: T | None
    time_ms: int  # of the last release: when the next press may still make it a double click


@dataclass(frozen=True, slots=True)
class ShownDrag(Generic[T]):
    x: int
    y: int
    to_x: int
    to_y: int
    seen: T | None


@dataclass(frozen=True, slots=True)
class ShownScroll(Generic[T]):
    x: int
    y: int
    direction: ScrollDirection
    amount: int
    seen: T | None = None  # what the first notch turned over


@dataclass(frozen=True, slots=True)
class ShownTyping:
    """Text typed in one go.  A ``secret`` run keeps no text at all."""

    text: str
    secret: bool = False


@dataclass(frozen=True, slots=True)
class ShownKeys:
    keys: tuple[str, ...]


ShownStep = ShownClick[T] | ShownDrag[T] | ShownScroll[T] | ShownTyping | ShownKeys
Event = Keystroke | PointerButton[T]


class _Grouper(Generic[T]):
    def __init__(self) -> None:
        self.steps: list[ShownStep[T]] = []
        self.typed: list[str] = []
        self.secret = False
        self.down: PointerButton[T] | None = None

    def flush_typing(self) -> None:
        if self.typed or self.secret:
            text = "" if self.secret else "".join(self.typed)
            if text or self.secret:
                self.steps.append(ShownTyping(text, self.secret))
        self.typed, self.secret = [], False

    def key(self, stroke: Keystroke) -> None:
        if stroke.key is None and not stroke.text:
            return  # a modifier on its own, or a key nothing can name or type
        held = stroke.modifiers & set(HOTKEY_MODIFIERS)
        if not held and stroke.text and stroke.text.isprintable():
            self.secret = self.secret or stroke.secret
            self.typed.append(stroke.text)
            return
        if stroke.key == "backspace" and not held and self.typed:
            self.typed.pop()  # the user fixing a typo: the text typed is what counts
            return
        if stroke.key == "backspace" and not held and self.secret:
            return  # inside a password: nothing kept, nothing to undo
        self.flush_typing()
        if stroke.key is not None:
            order = [m for m in ("ctrl", "alt", "shift", "super") if m in stroke.modifiers]
            self.steps.append(ShownKeys((*order, stroke.key)))

    def button(self, event: PointerButton[T]) -> None:
        self.flush_typing()
        if event.button in _WHEEL:
            if event.pressed:
                self._scroll(event, _WHEEL[event.button])
            return
        if event.button not in _BUTTONS:
            return
        if event.pressed:
            self.down = event
            return
        down, self.down = self.down, None
        if down is None or down.button != event.button:
            return  # a release whose press was before the recording started
        far = max(abs(event.x - down.x), abs(event.y - down.y)) > SAME_SPOT_PX
        if far and event.button == 1:
            self.steps.append(ShownDrag(down.x, down.y, event.x, event.y, down.seen))
            return
        self._click(down, _BUTTONS[event.button], event.time_ms)

    def _click(self, down: PointerButton[T], button: MouseButton, released_ms: int) -> None:
        last = self.steps[-1] if self.steps else None
        if (
            isinstance(last, ShownClick)
            and last.button is button
            and last.count < 3
            and down.time_ms - last.time_ms <= DOUBLE_CLICK_MS
            and max(abs(down.x - last.x), abs(down.y - last.y)) <= SAME_SPOT_PX
        ):
            self.steps[-1] = replace(last, count=last.count + 1, time_ms=released_ms)
            return
        self.steps.append(ShownClick(down.x, down.y, button, 1, down.seen, released_ms))

    def _scroll(self, event: PointerButton[T], direction: ScrollDirection) -> None:
        last = self.steps[-1] if self.steps else None
        if (
            isinstance(last, ShownScroll)
            and last.direction is direction
            and last.amount < MAX_SCROLL
            and max(abs(event.x - last.x), abs(event.y - last.y)) <= 4 * SAME_SPOT_PX
        ):
            self.steps[-1] = replace(last, amount=last.amount + 1)
            return
        self.steps.append(ShownScroll(event.x, event.y, direction, 1, event.seen))


def group_demonstration(events: Iterable[Keystroke | PointerButton[T]]) -> list[ShownStep[T]]:
    """The steps a person would name, in order, from the recorded input ``events``."""
    grouper: _Grouper[T] = _Grouper()
    for event in events:
        if isinstance(event, Keystroke):
            grouper.key(event)
        else:
            grouper.button(event)
    grouper.flush_typing()
    return grouper.steps


def is_stop_chord(stroke: Keystroke, chord: tuple[frozenset[str], str]) -> bool:
    """Whether ``stroke`` is the stop hotkey (its modifiers exactly, Shift included)."""
    modifiers, key = chord
    return stroke.key == key and stroke.modifiers == modifiers
