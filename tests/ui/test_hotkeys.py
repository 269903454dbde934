"""Global hotkeys: the chord grammar, and real X key presses (xdotool) under Xvfb."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from deskhand.app.platform.hotkeys import Chord, GlobalHotkeys, UnsupportedHotkeys, parse_chord
from deskhand.app.platform.hotkeys_x11 import X11Hotkeys
from deskhand.app.store.config import Settings
from deskhand.app.tray.controller import DeskhandApp
from deskhand.core.errors import UsageError
from tests.ui.conftest import x


@pytest.mark.parametrize(
    ("text", "chord"),
    [
        ("Ctrl+Alt+Space", Chord(frozenset({"ctrl", "alt"}), "space")),
        ("ctrl+alt+escape", Chord(frozenset({"ctrl", "alt"}), "escape")),
        ("Ctrl+Alt+End", Chord(frozenset({"ctrl", "alt"}), "end")),
        ("Meta+Shift+D", Chord(frozenset({"super", "shift"}), "d")),
        ("Ctrl+Pause", Chord(frozenset({"ctrl"}), "pause")),
        ("Alt+F12", Chord(frozenset({"alt"}), "f12")),
    ],
)
def test_chords_in_the_settings_file_s_spelling(text: str, chord: Chord) -> None:
    assert parse_chord(text) == chord


def test_chord_prints_in_a_stable_order() -> None:
    assert str(parse_chord("Alt+Ctrl+Space")) == "ctrl+alt+space"


@pytest.mark.parametrize("text", ["Space", "Ctrl+Alt", "Ctrl+A+B", "Ctrl+Hyper"])
def test_bad_chords_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError, match="hotkey"):
        parse_chord(text)


def test_unsupported_platforms_say_so() -> None:
    problems = UnsupportedHotkeys("no grab here").start({"stop": parse_chord("Ctrl+Alt+End")}, print)
    assert problems == ["Global hotkeys are not available: no grab here. Use the tray menu instead."]


@pytest.fixture
def app(qtbot: QtBot) -> Iterator[DeskhandApp]:
    app = DeskhandApp(settings=Settings)
    assert app.bind_hotkeys(Settings()) == []
    yield app
    app.shutdown()


@pytest.mark.desktop
@pytest.mark.usefixtures("window_manager")
def test_the_hotkey_opens_the_command_bar_with_the_focus(app: DeskhandApp, qtbot: QtBot) -> None:
    x("xdotool", "key", "ctrl+alt+space")
    qtbot.waitUntil(app.command_bar.isVisible, timeout=5000)
    qtbot.waitUntil(app.command_bar.isActiveWindow, timeout=5000)
    assert int(x("xdotool", "getactivewindow")) == int(app.command_bar.winId())
    x("xdotool", "type", "hello")
    qtbot.waitUntil(lambda: app.command_bar.entry.text() == "hello")
    x("xdotool", "key", "Escape")
    qtbot.waitUntil(lambda: not app.command_bar.isVisible())


@pytest.mark.desktop
@pytest.mark.usefixtures("window_manager")
@pytest.mark.parametrize("lock", ["Num_Lock", "Caps_Lock"])
def test_the_hotkey_works_with_a_lock_key_on(app: DeskhandApp, qtbot: QtBot, lock: str) -> None:
    x("xdotool", "key", lock)
    try:
        with qtbot.waitSignal(app.hotkeys.triggered, timeout=5000) as fired:  # type: ignore[union-attr]
            x("xdotool", "key", "ctrl+alt+End")
        assert fired.args == ["stop"]
    finally:
        x("xdotool", "key", lock)


@pytest.mark.desktop
def test_a_chord_taken_by_another_program_is_reported_and_keys_are_ungrabbed(qtbot: QtBot) -> None:
    first = GlobalHotkeys({"stop": parse_chord("Ctrl+Alt+F7")}, X11Hotkeys())
    assert first.start() == []
    second = GlobalHotkeys({"stop": parse_chord("Ctrl+Alt+F7")}, X11Hotkeys())
    assert second.start() == ["The hotkey ctrl+alt+f7 is already taken by another program; pick another one."]
    second.stop()
    first.stop()
    third = GlobalHotkeys({"stop": parse_chord("Ctrl+Alt+F7")}, X11Hotkeys())
    assert third.start() == []  # the first one let go on stop
    third.stop()
