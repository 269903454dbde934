"""The X RECORD input recorder and a teaching session, fed real XTest input by xdotool."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from Xlib import X, Xatom
from Xlib.display import Display

from deskhand.app.platform.input_recorder import InputRecorder, keysym_text
from deskhand.app.skills.teach_session import DesktopLook, TeachSession
from deskhand.core.actions import MouseButton, ScrollDirection
from deskhand.core.demonstration import (
    Keystroke,
    PointerButton,
    ShownClick,
    ShownKeys,
    ShownScroll,
    ShownTyping,
    group_demonstration,
)
from deskhand.core.element_info import ElementInfo
from deskhand.core.geometry import Rect
from deskhand.core.gui_rules import is_password_field
from deskhand.core.skill_target import Target
from tests.desktop.conftest import wait_until, xdotool

pytestmark = pytest.mark.desktop

STOP = (frozenset({"ctrl", "alt"}), "end")


@pytest.fixture
def recorded() -> Iterator[list[Keystroke | PointerButton[Any]]]:
    events: list[Keystroke | PointerButton[Any]] = []
    recorder = InputRecorder(events.append)
    recorder.start()  # returns once the X server records
    yield events
    recorder.stop()
    assert recorder.failure is None


def test_typed_non_ascii_text_is_recorded_as_typed(recorded: list[Any]) -> None:
    # xdotool binds a spare keycode to each character the keymap lacks and binds it back:
    # the recorder must read each press with the map in force at that moment.
    text = "Grüße aus Köln, 5 € — łódź"
    xdotool("type", "--delay", "5", text)
    # One keystroke with text per character; Shift on its own (for G and K) has none.
    wait_until(
        lambda: len([e for e in recorded if isinstance(e, Keystroke) and e.text]) >= len(text), 10, "keys"
    )
    assert group_demonstration(recorded) == [ShownTyping(text)]


def test_hotkeys_named_keys_and_clicks(recorded: list[Any]) -> None:
    xdotool("mousemove", "321", "123")
    xdotool("key", "ctrl+s", "shift+Tab", "Return", "F5", "KP_Enter")
    xdotool("click", "1")
    xdotool("click", "3")
    wait_until(lambda: len([e for e in recorded if isinstance(e, PointerButton)]) >= 4, 10, "clicks")
    assert group_demonstration(recorded) == [
        ShownKeys(("ctrl", "s")),
        ShownKeys(("shift", "tab")),
        ShownKeys(("enter",)),
        ShownKeys(("f5",)),
        ShownKeys(("enter",)),
        ShownClick(321, 123, MouseButton.LEFT, 1, None, recorded[-3].time_ms),
        ShownClick(321, 123, MouseButton.RIGHT, 1, None, recorded[-1].time_ms),
    ]


def test_keysym_text_covers_legacy_and_unicode_keysyms() -> None:
    assert [keysym_text(k) for k in (0x61, 0xDF, 0x1B3, 0x20AC, 0x10020AC, 0xFF0D, 0xFFE3)] == [
        "a", "ß", "ł", "€", "€", "", "",
    ]  # fmt: skip


def _own_window(dpy: Display, x: int, y: int) -> Any:
    """A plain X window of this process (``_NET_WM_PID``), as Deskhand's own windows are."""
    window = dpy.screen().root.create_window(x, y, 200, 120, 0, dpy.screen().root_depth, X.InputOutput,
                                             X.CopyFromParent, background_pixel=dpy.screen().white_pixel)  # fmt: skip
    window.change_property(dpy.intern_atom("_NET_WM_PID"), Xatom.CARDINAL, 32, [os.getpid()])
    window.set_wm_name("Deskhand own window")
    window.set_wm_class("deskhand-test", "DeskhandTest")
    window.map()
    dpy.sync()
    # The first window after openbox starts can wait seconds for it (fonts for its title).
    wait_until(lambda: window.get_attributes().map_state == X.IsViewable, 30, "the window manager")
    wait_until(lambda: dpy.get_input_focus().focus == window, 10, "the window manager to focus it")
    return window


def test_a_session_drops_our_own_windows_and_ends_on_the_stop_hotkey() -> None:
    looked: list[tuple[int, int]] = []

    def look(x: int, y: int) -> str:
        looked.append((x, y))
        return f"thing at {x},{y}"

    field = ElementInfo("Note", "text", "accessibility", Rect(390, 290, 20, 20))  # under the click
    session: TeachSession[str] = TeachSession(stop_chord=STOP, look=look, focus=lambda: field)
    session.start()
    dpy = Display()
    try:  # start() returned once the X server records
        xdotool("mousemove", "400", "300", "click", "1")
        xdotool("type", "hi")
        # Two notches of one turn: one lookup.  Sideways: openbox switches desktops when the
        # wheel turns up or down over the bare desktop.
        xdotool("click", "7", "click", "7")
        window = _own_window(dpy, 1500, 800)  # it takes the focus
        geometry = window.get_geometry()
        origin = window.translate_coords(dpy.screen().root, 0, 0)
        ox, oy = -origin.x + geometry.width // 2, -origin.y + geometry.height // 2
        xdotool("mousemove", str(ox), str(oy), "click", "1")  # our window: not recorded
        xdotool("type", "ours")  # into our window: not recorded
        xdotool("key", "ctrl+alt+End")
        assert session.wait(10), "the stop hotkey did not end the session"
        xdotool("type", "after")  # after the stop: not recorded
        time.sleep(0.3)  # stays: the time "after" would take to be recorded, had it been
    finally:
        steps = session.stop()
        dpy.close()
    assert steps == [ShownClick(400, 300, MouseButton.LEFT, 1, "thing at 400,300", steps[0].time_ms),  # type: ignore[union-attr]
                     ShownTyping("hi"), ShownScroll(400, 300, ScrollDirection.RIGHT, 2, "thing at 400,300")]  # fmt: skip
    assert looked == [(400, 300), (400, 300)]


def test_typing_into_a_password_field_is_kept_as_a_secret_only() -> None:
    password = ElementInfo("Password", "password text", "accessibility")
    session: TeachSession[str] = TeachSession(stop_chord=STOP, look=lambda x, y: None, focus=lambda: password)
    session.start()
    try:
        xdotool("type", "hunter2")
        xdotool("key", "Return")
        xdotool("key", "ctrl+alt+End")
        assert session.wait(10)
    finally:
        steps = session.stop()
    assert steps == [ShownTyping("", secret=True), ShownKeys(("enter",))]
    typed = [e for e in session.events if isinstance(e, Keystroke) and e.text]
    assert [e.text for e in typed] == ["•"] * len("hunter2")
    assert "hunter" not in repr(steps)


def test_when_the_tree_cannot_say_typing_goes_where_the_last_click_went(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")  # no accessibility bus
    monkeypatch.delenv("AT_SPI_BUS_ADDRESS", raising=False)
    look = DesktopLook()
    try:
        assert look.focus() is None  # nothing clicked yet, nothing known
        look._last = Target(role="password text", name="PIN", window="Login")
        found = look.focus()
        assert found is not None and is_password_field(found)
        look._last = Target(label="Password")  # only OCR read the field's label
        found = look.focus()
        assert found is not None and is_password_field(found)
        look._last = Target(role="text", name="User")
        found = look.focus()
        assert found is not None and not is_password_field(found)
    finally:
        look.close()


def _typed_after_a_click(focus: Any, then: tuple[str, ...] = ()) -> tuple[list[Any], TeachSession[str]]:
    session: TeachSession[str] = TeachSession(stop_chord=STOP, look=lambda x, y: None, focus=focus)
    session.start()
    try:
        xdotool("mousemove", "400", "300", "click", "1")
        xdotool("type", "hunter2")
        if then:
            xdotool(*then)
        xdotool("key", "ctrl+alt+End")
        assert session.wait(10)
    finally:
        steps = session.stop()
    return steps, session


def _failing_focus() -> ElementInfo:
    raise TimeoutError("the accessibility bus did not answer")


@pytest.mark.parametrize(
    "focus",
    [
        lambda: None,  # the tree did not answer in time
        _failing_focus,  # the lookup failed
        lambda: ElementInfo("User", "text", "accessibility"),  # no bounds: a guess
        lambda: ElementInfo("User", "text", "ocr", Rect(390, 290, 20, 20)),  # not the tree's word
        lambda: ElementInfo("User", "text", "accessibility", Rect(0, 0, 50, 20)),  # not where clicked
    ],
    ids=["no-answer", "failed", "guess", "ocr", "elsewhere"],
)
def test_typing_where_focus_is_not_known_for_sure_is_kept_secret(focus: Any) -> None:
    steps, session = _typed_after_a_click(focus)
    assert steps[1:] == [ShownTyping("", secret=True)]
    assert "hunter" not in repr(session.events) + repr(steps)
    assert len(session.kept_out) == 1


def test_typing_into_the_clicked_field_the_tree_names_is_kept() -> None:
    steps, session = _typed_after_a_click(
        lambda: ElementInfo("User", "text", "accessibility", Rect(390, 290, 20, 20))
    )
    assert steps[1:] == [ShownTyping("hunter2")] and session.kept_out == []


def test_a_click_still_being_looked_up_as_the_stop_key_is_grabbed_is_kept() -> None:
    """The grabbed stop hotkey wakes ``wait`` from another thread while the recording thread
    still looks up the last click: its release, before the chord, is recorded all the same."""
    looking = threading.Event()

    def slow_look(x: int, y: int) -> str:
        looking.set()
        time.sleep(1.5)  # stays: an OCR lookup on a busy machine
        return f"thing at {x},{y}"

    session: TeachSession[str] = TeachSession(stop_chord=STOP, look=slow_look, focus=lambda: None)
    session.start()
    try:
        xdotool("mousemove", "400", "300", "click", "1")
        xdotool("key", "ctrl+alt+End")
        assert looking.wait(10)
        session.finished.set()  # what teach_command's grab does, on the hotkeys' thread
        assert session.wait(0)
    finally:
        steps = session.stop()
    assert steps == [ShownClick(400, 300, MouseButton.LEFT, 1, "thing at 400,300", steps[0].time_ms)]  # type: ignore[union-attr]


def test_typing_whose_focus_lookup_came_after_a_tab_is_kept_secret() -> None:
    """The focus lookup answers about the moment it is done: a Tab the server took before
    that may have moved the focus first, so what it says cannot clear the typing."""
    field = ElementInfo("User", "text", "accessibility", Rect(390, 290, 20, 20))

    def slow_focus() -> ElementInfo:
        time.sleep(1.5)  # stays: a tree slow to answer while the user goes on
        return field

    steps, session = _typed_after_a_click(slow_focus, then=("key", "Tab"))
    assert steps[1:3] == [ShownTyping("", secret=True), ShownKeys(("tab",))]
    assert "hunter" not in repr(session.events) + repr(steps)
    assert session.kept_out == ["keyboard focus may have moved before Deskhand could ask where you typed"]
