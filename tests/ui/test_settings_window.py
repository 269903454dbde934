"""The Settings window against the fake Ollama: model list, pull progress and cancel, errors,
validation next to each field, and the atomic save that load_settings reads back."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from pytestqt.qtbot import QtBot

from deskhand.app.store.config import Settings, load_settings
from deskhand.app.windows.settings import SettingsWindow
from tests.fakeollama import FakeOllama
from tests.fakeollama.fixtures import unused_port

pytestmark = pytest.mark.usefixtures("private_config")

MODELS = {"qwen2.5vl:7b": True, "ui-tars-1.5:7b": True, "llama3.2:3b": False}


@pytest.fixture
def server() -> Iterator[FakeOllama]:
    with FakeOllama(models=MODELS) as fake:
        yield fake


def open_window(qtbot: QtBot, host: str, **settings: object) -> SettingsWindow:
    window = SettingsWindow(Settings(host=host, **settings))  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.models.refresh_button.isEnabled(), timeout=10_000)
    return window


def names(window: SettingsWindow) -> list[str]:
    combo = window.models.combo
    return [combo.itemData(i) for i in range(combo.count())]


def test_only_vision_models_are_offered(qtbot: QtBot, server: FakeOllama) -> None:
    window = open_window(qtbot, server.url)
    assert names(window) == ["qwen2.5vl:7b", "ui-tars-1.5:7b"]
    assert "2 vision models on" in window.models.status.text()
    assert "1 without vision hidden" in window.models.status.text()


def test_the_configured_model_stays_selected_even_if_missing(qtbot: QtBot, server: FakeOllama) -> None:
    window = open_window(qtbot, server.url, model="qwen2.5vl:32b")
    assert names(window) == ["qwen2.5vl:7b", "ui-tars-1.5:7b", "qwen2.5vl:32b"]
    assert window.models.current_model() == "qwen2.5vl:32b"
    assert "not installed there" in window.models.combo.currentText()


def test_server_down_is_said_plainly(qtbot: QtBot) -> None:
    host = f"http://127.0.0.1:{unused_port()}"
    window = open_window(qtbot, host)
    text = window.models.status.text()
    assert f"Tried to reach Ollama at {host}, but the connection was refused" in text
    assert "ollama serve" in text
    assert names(window) == []


def test_pull_shows_real_progress_then_lists_the_model(qtbot: QtBot, server: FakeOllama) -> None:
    server.set_latency(per_chunk_ms=15)
    window = open_window(qtbot, server.url)
    values: list[int] = []
    window.pull.bar.valueChanged.connect(values.append)
    window.pull.name.setText("qwen2.5vl:3b")
    with qtbot.waitSignal(window.pull.pulled, timeout=15_000) as pulled:
        qtbot.mouseClick(window.pull.pull_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not window.pull.pull_button.isEnabled())
        assert window.pull.cancel_button.isEnabled()
    assert pulled.args == ["qwen2.5vl:3b"]
    assert window.pull.status.text() == "Pulled qwen2.5vl:3b."
    assert len({v for v in values if 0 < v < 1000}) >= 3, values  # intermediate steps were shown
    assert window.pull.bar.value() == 1000
    qtbot.waitUntil(lambda: "qwen2.5vl:3b" in names(window), timeout=10_000)
    assert server.models.get("qwen2.5vl:3b") is not None


def test_pull_can_be_cancelled(qtbot: QtBot, server: FakeOllama) -> None:
    server.set_latency(per_chunk_ms=250)
    window = open_window(qtbot, server.url)
    window.pull.name.setText("qwen2.5vl:32b")
    qtbot.mouseClick(window.pull.pull_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.pull.status.text().startswith("Downloading"), timeout=10_000)
    qtbot.mouseClick(window.pull.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.pull.status.text().startswith("Cancelled"), timeout=5_000)
    assert window.pull.bar.value() == 0
    assert window.pull.pull_button.isEnabled()
    assert server.models.get("qwen2.5vl:32b") is None
    assert server.wait_for(lambda: any(r.path == "/api/pull" and r.aborted for r in server.requests))


def test_pulling_an_unknown_model_says_what_to_check(qtbot: QtBot, server: FakeOllama) -> None:
    window = open_window(qtbot, server.url)
    window.pull.name.setText("no-such-model:1b")
    qtbot.mouseClick(window.pull.pull_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.pull.pull_button.isEnabled(), timeout=10_000)
    assert "file does not exist" in window.pull.status.text()
    assert "https://ollama.com/library" in window.pull.status.text()


def test_bad_values_are_refused_next_to_their_fields(
    qtbot: QtBot, server: FakeOllama, private_config: Path
) -> None:
    window = open_window(qtbot, server.url)
    window.host.setText("ftp://example.org")
    window.hotkey_command_bar.setKeySequence(QKeySequence("A"))
    window.hotkey_stop.clear()
    window.data_dir.setText("relative/folder")
    assert not window.save()
    errors = {k: v.text() for k, v in window.errors.items() if not v.isHidden()}
    assert set(errors) == {"host", "hotkey_command_bar", "hotkey_stop", "data_dir"}
    assert "must start with http:// or https://" in errors["host"]
    assert "not a key chord" in errors["hotkey_command_bar"]
    assert "absolute folder path" in errors["data_dir"]
    assert window.status.text().startswith("Nothing was saved")
    assert not private_config.exists()


def test_the_same_hotkey_twice_is_refused(qtbot: QtBot, server: FakeOllama, private_config: Path) -> None:
    window = open_window(qtbot, server.url)
    window.hotkey_stop.setKeySequence(QKeySequence(window.hotkey_command_bar.keySequence()))
    assert not window.save()
    assert "Stop needs its own hotkey" in window.errors["hotkey_stop"].text()
    assert not private_config.exists()


def test_a_bad_host_is_refused_before_asking_it(qtbot: QtBot, server: FakeOllama) -> None:
    window = open_window(qtbot, server.url)
    window.host.setText("http://[oops")
    window.refresh_models()
    assert "not a valid URL" in window.errors["host"].text()
    assert not window.errors["host"].isHidden()


def test_save_round_trip(qtbot: QtBot, server: FakeOllama, private_config: Path, tmp_path: Path) -> None:
    window = open_window(qtbot, server.url)
    window.models.combo.setCurrentIndex(window.models.combo.findData("ui-tars-1.5:7b"))
    window.confirm_timeout.setValue(25)
    window.ask_every_action.setChecked(True)
    window.hotkey_command_bar.setFocus()
    qtbot.keyClick(
        window.hotkey_command_bar,
        Qt.Key.Key_K,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier,
    )
    window.data_dir.setText(str(tmp_path / "history"))
    window.retention_days.setValue(0)
    with qtbot.waitSignal(window.saved) as saved:
        assert window.save()
    loaded = load_settings()
    assert saved.args == [loaded]
    assert loaded.host == server.url
    assert loaded.model == "ui-tars-1.5:7b"
    assert (loaded.confirm_timeout, loaded.ask_every_action, loaded.retention_days) == (25.0, True, 0)
    assert loaded.hotkey_command_bar == "Ctrl+Alt+K"
    assert loaded.hotkey_stop == Settings().hotkey_stop
    assert loaded.data_dir == str(tmp_path / "history")
    assert stat.S_IMODE(private_config.stat().st_mode) == 0o600
    assert window.status.text() == f"Saved to {private_config}."
    assert window.retention_days.text() == "keep forever"
