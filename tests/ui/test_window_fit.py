"""Settings and History on a real screen at 100 % and 150 %: inside the free area, centred,
one-way scrolling at most, every History column visible, no jargon; Close and Escape."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from deskhand.app.platform import autostart
from deskhand.app.windows.settings import SettingsWindow
from tests.ui.conftest import isolated  # noqa: F401

pytestmark = [pytest.mark.desktop, pytest.mark.usefixtures("window_manager")]
ROOT = Path(__file__).resolve().parents[2]
JARGON = ("keyring entry", "max_pixels", "pocketsphinx")


def measure(tmp_path: Path, scale: str) -> dict[str, Any]:
    out = tmp_path / f"fit-{scale}.json"
    env = {
        **os.environ,
        "QT_SCALE_FACTOR": scale,
        "DESKHAND_CONFIG": str(tmp_path / "config.toml"),
        "DESKHAND_DATA_DIR": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
        "OLLAMA_HOST": "http://127.0.0.1:9",
    }
    subprocess.run(
        [sys.executable, "-m", "tests.ui.window_fit", str(out)], cwd=ROOT, env=env, check=True, timeout=120
    )
    report: dict[str, Any] = json.loads(out.read_text())
    return report


def inside_and_centred(frame: list[int], area: list[int]) -> None:
    x, y, w, h = frame
    ax, ay, aw, ah = area
    assert ax <= x and ay <= y and x + w <= ax + aw and y + h <= ay + ah, (frame, area)
    assert abs((x - ax) - (ax + aw - x - w)) <= 40, ("not centred sideways", frame, area)
    assert abs((y - ay) - (ay + ah - y - h)) <= 60, ("not centred up and down", frame, area)


@pytest.mark.parametrize("scale", ["1", "1.5"])
def test_settings_and_history_fit_the_screen(tmp_path: Path, scale: str) -> None:
    report = measure(tmp_path, scale)
    assert report["scale"] == float(scale)
    settings, history = report["settings"], report["history"]
    inside_and_centred(settings["frame"], settings["available"])
    assert not settings["sideways_scroll"]
    shown = " | ".join(settings["texts"])
    assert not [word for word in JARGON if word in shown], shown
    inside_and_centred(history["frame"], history["available"])
    assert history["headers"] == ["Time", "Task", "Model", "Status", "Steps", "Total time"]
    assert not history["sideways_scroll"]
    # Every column ends inside the visible table, and together they fill it (no blank header).
    assert max(history["column_ends"]) <= history["viewport_width"], history
    assert history["header_length"] == history["viewport_width"], history
    assert min(history["column_widths"]) >= 30, history


def test_escape_and_close_leave_settings_without_saving(qtbot: QtBot, isolated: Path) -> None:  # noqa: F811
    path = isolated / "config.toml"
    for leave in ("escape", "close"):
        window = SettingsWindow(path=path)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        window.safety.confirm_timeout.setValue(33)
        if leave == "escape":
            qtbot.keyClick(window.safety.confirm_timeout, Qt.Key.Key_Escape)
        else:
            qtbot.mouseClick(window.close_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda window=window: not window.isVisible())
        assert not path.exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG autostart is the Linux route")
def test_start_on_login_is_a_setting(qtbot: QtBot, isolated: Path) -> None:  # noqa: F811
    entry = Path(os.environ["XDG_CONFIG_HOME"]) / "autostart" / "deskhand.desktop"
    window = SettingsWindow(path=isolated / "config.toml")
    qtbot.addWidget(window)
    assert not window.hotkeys.autostart.isChecked()
    window.hotkeys.autostart.setChecked(True)
    assert window.save()
    assert entry.exists() and autostart.is_enabled()
    again = SettingsWindow(path=isolated / "config.toml")
    qtbot.addWidget(again)
    assert again.hotkeys.autostart.isChecked()
    again.hotkeys.autostart.setChecked(False)
    assert again.save()
    assert not entry.exists() and not autostart.is_enabled()
