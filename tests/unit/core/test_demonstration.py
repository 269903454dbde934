"""Recorded input becomes the steps a person would name (core.demonstration)."""

from __future__ import annotations

from deskhand.core.actions import MouseButton, ScrollDirection
from deskhand.core.demonstration import (
    Keystroke,
    PointerButton,
    ShownClick,
    ShownDrag,
    ShownKeys,
    ShownScroll,
    ShownTyping,
    group_demonstration,
    is_stop_chord,
)

NONE: frozenset[str] = frozenset()


def keys(text: str, t: int = 0, *, secret: bool = False) -> list[Keystroke]:
    return [Keystroke(c.lower() if c.isascii() else None, c, NONE, t + i, secret) for i, c in enumerate(text)]


def key(name: str, *mods: str, text: str = "", t: int = 0) -> Keystroke:
    return Keystroke(name, text, frozenset(mods), t)


def click(x: int, y: int, t: int, button: int = 1, seen: str | None = None) -> list[PointerButton[str]]:
    return [PointerButton(button, True, x, y, t, seen), PointerButton(button, False, x, y, t + 60)]


def test_typing_becomes_one_step_with_its_non_ascii_text() -> None:
    assert group_demonstration(keys("Grüße aus Köln")) == [ShownTyping("Grüße aus Köln")]


def test_backspace_fixes_the_typed_text_and_alone_is_a_key() -> None:
    events = [*keys("Grüsz"), key("backspace"), *keys("ße"), key("backspace"), key("backspace"), *keys("e")]
    assert group_demonstration(events) == [ShownTyping("Grüse")]
    assert group_demonstration([key("backspace")]) == [ShownKeys(("backspace",))]


def test_hotkeys_and_named_keys_split_the_typing() -> None:
    events = [*keys("ab"), key("s", "ctrl", text="s"), key("tab", "shift"), *keys("c"), key("enter")]
    assert group_demonstration(events) == [
        ShownTyping("ab"),
        ShownKeys(("ctrl", "s")),
        ShownKeys(("shift", "tab")),
        ShownTyping("c"),
        ShownKeys(("enter",)),
    ]


def test_shifted_characters_are_typing_and_modifiers_alone_are_nothing() -> None:
    events = [Keystroke(None, "", frozenset(), 0), Keystroke("a", "A", frozenset({"shift"}), 1)]
    assert group_demonstration(events) == [ShownTyping("A")]


def test_a_secret_run_keeps_no_text() -> None:
    events = [*click(10, 10, 0), *keys("hunter2", 200, secret=True), key("backspace"), key("enter")]
    steps = group_demonstration(events)
    assert steps[1:] == [ShownTyping("", secret=True), ShownKeys(("enter",))]
    assert "hunter" not in repr(steps)


def test_clicks_carry_what_they_landed_on_and_double_clicks_merge() -> None:
    events = [*click(100, 50, 0, seen="Apply"), *click(300, 40, 1000, seen="File"), *click(301, 41, 1150)]
    assert group_demonstration(events) == [
        ShownClick(100, 50, MouseButton.LEFT, 1, "Apply", 60),
        ShownClick(300, 40, MouseButton.LEFT, 2, "File", 1210),
    ]


def test_slow_or_distant_clicks_stay_apart_and_right_click_is_its_own() -> None:
    events = [*click(10, 10, 0), *click(10, 10, 600), *click(40, 10, 700), *click(40, 10, 800, button=3)]
    counts = [(s.x, s.count, s.button) for s in group_demonstration(events) if isinstance(s, ShownClick)]
    assert counts == [(10, 1, MouseButton.LEFT), (10, 1, MouseButton.LEFT), (40, 1, MouseButton.LEFT),
                      (40, 1, MouseButton.RIGHT)]  # fmt: skip


def test_press_here_release_there_is_a_drag() -> None:
    events = [PointerButton(1, True, 10, 10, 0, "Handle"), PointerButton(1, False, 200, 90, 400)]
    assert group_demonstration(events) == [ShownDrag(10, 10, 200, 90, "Handle")]


def test_a_release_without_its_press_is_dropped() -> None:
    assert group_demonstration([PointerButton(1, False, 5, 5, 0)]) == []


def test_wheel_notches_add_up_per_direction() -> None:
    notch = [PointerButton(5, True, 50, 50, 0), PointerButton(5, False, 50, 50, 1)]
    up = [PointerButton(4, True, 50, 50, 9), PointerButton(4, False, 50, 50, 10)]
    assert group_demonstration([*notch, *notch, *notch, *up]) == [
        ShownScroll(50, 50, ScrollDirection.DOWN, 3),
        ShownScroll(50, 50, ScrollDirection.UP, 1),
    ]


def test_a_turn_of_the_wheel_keeps_what_its_first_notch_was_over() -> None:
    first = [PointerButton(5, True, 50, 50, 0, "Rows"), PointerButton(5, False, 50, 50, 1)]
    more = [PointerButton(5, True, 52, 50, 9), PointerButton(5, False, 52, 50, 10)]
    assert group_demonstration([*first, *more]) == [ShownScroll(50, 50, ScrollDirection.DOWN, 2, "Rows")]


def test_a_click_ends_the_typing_run() -> None:
    events = [*keys("one"), *click(1, 1, 100), *keys("two", 300)]
    steps = group_demonstration(events)
    assert [type(s).__name__ for s in steps] == ["ShownTyping", "ShownClick", "ShownTyping"]


def test_the_stop_chord_needs_its_exact_modifiers() -> None:
    chord = (frozenset({"ctrl", "alt"}), "end")
    assert is_stop_chord(key("end", "ctrl", "alt"), chord)
    assert not is_stop_chord(key("end", "ctrl"), chord)
    assert not is_stop_chord(key("end", "ctrl", "alt", "shift"), chord)
