"""Hotkeys and typing reach Qt widgets, xterm and Mousepad exactly as given."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from deskhand.actions.gui import GuiExecutor
from deskhand.core.actions import Click, Hotkey, TypeText
from deskhand.core.geometry import ImagePoint
from tests.desktop.conftest import approved, never, wait_until, xdotool

pytestmark = pytest.mark.desktop

UNICODE = "Grüße, naïve café — ü€"
SHELLISH = "<>|&\"'"
MIXED = f"{UNICODE}\n{SHELLISH}\nplain ascii 123 (ok)\n\ttabbed <b>"


def _type(gui: GuiExecutor, text: str) -> str:
    return gui.execute(approved(TypeText(text=text)), should_stop=never).feedback


def test_hotkey_ctrl_a_selects_all_in_a_line_edit(start_probe, gui: GuiExecutor):
    probe = start_probe("--widget", "line", "--rect", "200,200,800,60")
    _type(gui, "hello world")
    probe.wait_text("hello world")
    gui.execute(approved(Hotkey(keys=("ctrl", "a"))), should_stop=never)
    _type(gui, "X")
    probe.wait_text("X")
    chord = [e for e in probe.events("key_press") if e["text"] in ("\x01", "a") and "ctrl" in e["modifiers"]]
    assert chord, "the A key arrived with Ctrl held"


def test_hotkey_with_shift_and_named_keys(start_probe, gui: GuiExecutor):
    probe = start_probe("--widget", "line", "--rect", "200,200,800,60")
    _type(gui, "abc def")
    probe.wait_text("abc def")
    gui.execute(approved(Hotkey(keys=("ctrl", "shift", "left"))), should_stop=never)
    gui.execute(approved(Hotkey(keys=("backspace",))), should_stop=never)
    probe.wait_text("abc ")
    gui.execute(approved(Hotkey(keys=("home",))), should_stop=never)
    gui.execute(approved(Hotkey(keys=("delete",))), should_stop=never)
    probe.wait_text("bc ")


@pytest.mark.parametrize(
    "text",
    [
        "plain ascii 20 chars",
        UNICODE,
        SHELLISH,
        "a<b>c",
        "x" * 250,  # long enough to be pasted rather than keyed
        "tab\there",
    ],
)
def test_type_into_a_line_edit(start_probe, gui: GuiExecutor, text: str):
    probe = start_probe("--widget", "line", "--rect", "200,200,1400,60")
    assert _type(gui, text) == ""
    probe.wait_text(text)


def test_type_lines_into_a_plain_text_edit(start_probe, gui: GuiExecutor):
    probe = start_probe("--widget", "text", "--rect", "200,200,1000,500")
    _type(gui, MIXED)
    probe.wait_text(MIXED)
    _type(gui, "\r\nend\n")
    probe.wait_text(MIXED + "\nend\n")


def test_paste_with_nothing_to_take_it_says_so(start_probe, gui: GuiExecutor):
    start_probe()  # a canvas: it has focus but accepts no text
    gui.typer.paste_timeout = 0.3
    feedback = _type(gui, UNICODE)
    assert "no window fetched it" in feedback


def _focus_window(cls: str, title: str | None = None) -> str:
    def find() -> str:
        args = ["search", "--onlyvisible", "--class", cls]
        if title is not None:
            args = ["search", "--onlyvisible", "--name", title]
        try:
            return xdotool(*args).split()[0]
        except subprocess.CalledProcessError:
            return ""

    window = wait_until(find, 20, f"a {cls} window")
    xdotool("windowactivate", "--sync", window)
    wait_until(lambda: xdotool("getactivewindow").strip() == window, 5, f"{cls} to get focus")
    return window


@pytest.fixture
def xterm() -> Iterator[subprocess.Popen[bytes]]:
    exe = shutil.which("xterm")
    if exe is None:
        pytest.skip("xterm is not installed")
    env = {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PS1": "$ "}
    proc = subprocess.Popen(
        [exe, "-u8", "-geometry", "100x30+100+100", "-e", "bash", "--norc", "--noprofile"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    _focus_window("xterm")
    yield proc
    proc.terminate()
    proc.wait(5)


def test_type_a_command_into_xterm(xterm, gui: GuiExecutor, tmp_path: Path):
    target = tmp_path / "x"
    _type(gui, f"echo hi > {target}\n")
    wait_until(lambda: target.exists() and target.read_text() == "hi\n", 10, "the command to run")


def test_type_unicode_and_shell_characters_into_xterm(xterm, gui: GuiExecutor, tmp_path: Path):
    target = tmp_path / "u"
    payload = UNICODE + " " + SHELLISH
    quoted = payload.replace("'", "'\\''")
    _type(gui, f"printf '%s\\n' '{quoted}' > {target}\n")
    wait_until(
        lambda: target.exists() and target.read_text(encoding="utf-8") == payload + "\n", 10, "the file"
    )


def test_type_into_mousepad_and_save(gui: GuiExecutor, tmp_path: Path):
    exe = shutil.which("mousepad")
    if exe is None:
        pytest.skip("mousepad is not installed")
    document = tmp_path / "note.txt"
    document.write_text("")
    env = {**os.environ, "NO_AT_BRIDGE": "1", "GSETTINGS_BACKEND": "memory"}
    proc = subprocess.Popen(
        [exe, str(document)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        window = _focus_window("mousepad", "note.txt")
        geometry = xdotool("getwindowgeometry", "--shell", window)
        values = dict(line.split("=") for line in geometry.split())
        middle = ImagePoint(
            x=int(values["X"]) + int(values["WIDTH"]) // 2, y=int(values["Y"]) + int(values["HEIGHT"]) // 2
        )
        gui.execute(approved(Click(at=middle)), should_stop=never)
        _type(gui, MIXED + "\nlast line")
        gui.execute(approved(Hotkey(keys=("ctrl", "s"))), should_stop=never)
        expected = MIXED + "\nlast line"
        wait_until(
            lambda: document.read_text(encoding="utf-8").rstrip("\n") == expected, 10, "the saved file"
        )
    finally:
        proc.terminate()
        proc.wait(5)
