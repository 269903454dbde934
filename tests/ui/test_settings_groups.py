"""The Settings window's Safety, Voice and Model-server fields: each shows the config value,
saves what load_settings reads back, offers only what Settings accepts, and a refused value
leaves the file as it was with the model's one-line reason under the field."""

from __future__ import annotations

import tomllib
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from deskhand.app.store.config import Settings, load_settings
from deskhand.app.windows.settings import SettingsWindow
from deskhand.app.windows.settings_fields import key_text
from deskhand.core.policy import UNLOCKABLE_RULES
from deskhand.vision.ollama_model import ModelInfo, ProgressCallback

CTRL_ALT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
CHECKED = Qt.CheckState.Checked


class NoModels:
    """A model server with nothing installed, that remembers which hosts were asked."""

    def __init__(self) -> None:
        self.hosts: list[str] = []

    def __call__(self, host: str) -> NoModels:
        self.hosts.append(host)
        return self

    def list_models(self) -> list[ModelInfo]:
        return []

    def server_version(self) -> str:
        return "0.0-fake"

    def pull(self, name: str, on_progress: ProgressCallback, *, should_stop: object = None) -> None:
        raise AssertionError("these tests never pull")


@pytest.fixture
def config(isolated: Path) -> Path:
    return isolated / "config.toml"  # DESKHAND_CONFIG (tests/ui/conftest.py)


@pytest.fixture
def server() -> NoModels:
    return NoModels()


@pytest.fixture
def open_window(qtbot: QtBot, server: NoModels) -> Iterator[Callable[..., SettingsWindow]]:
    windows: list[SettingsWindow] = []

    def open_(**values: Any) -> SettingsWindow:
        window = SettingsWindow(Settings(**values), server_factory=server)
        qtbot.addWidget(window)
        windows.append(window)
        window.show()
        qtbot.waitUntil(window.models.refresh_button.isEnabled, timeout=10_000)
        return window

    yield open_
    for window in windows:  # closed, as the tray closes it, before Python lets go of it
        window.close()


def pick(combo: QComboBox, value: str) -> None:
    index = combo.findData(value)
    assert index >= 0, f"{value!r} is not offered"
    combo.setCurrentIndex(index)


def press_chord(qtbot: QtBot, window: SettingsWindow, key: Qt.Key) -> None:
    edit = window.voice.hotkey_push_to_talk
    edit.clear()
    edit.setFocus()
    qtbot.keyClick(edit, key, CTRL_ALT)


NOT_DEFAULTS: dict[str, Any] = {
    "inspect_targets": False,
    "unlocked_rules": ("power", "privilege"),
    "model_wait_seconds": 45.0,
    "recognizer": "pocketsphinx",
    "whisper_model_size": "small",
    "whisper_device": "cpu",
    "listen_for_stop": True,
    "listen_for_confirmation": True,
    "spoken_feedback": True,
    "hotkey_push_to_talk": "Ctrl+Shift+P",
    "voice_review_seconds": 5.5,
    "backend": "openai",
    "api_key_keyring": "gpu-box",
    "planner_model": "qwen3:4b",
    "max_image_pixels": 1_003_520,
    "detail": "high",
}


def shown(window: SettingsWindow) -> dict[str, Any]:
    """What each new control displays, in the Settings spelling."""
    safety, voice, server = window.safety, window.voice, window.server
    pixels = server.max_image_pixels.text()
    return {
        "inspect_targets": safety.inspect_targets.isChecked(),
        "unlocked_rules": safety.unlocked_rules.checked(),
        "model_wait_seconds": safety.model_wait_seconds.value(),
        "recognizer": voice.recognizer.currentData(),
        "whisper_model_size": voice.whisper_model_size.currentData(),
        "whisper_device": voice.whisper_device.currentData(),
        "listen_for_stop": voice.listen_for_stop.isChecked(),
        "listen_for_confirmation": voice.listen_for_confirmation.isChecked(),
        "spoken_feedback": voice.spoken_feedback.isChecked(),
        "hotkey_push_to_talk": key_text(voice.hotkey_push_to_talk),
        "voice_review_seconds": voice.voice_review_seconds.value(),
        "backend": server.backend.currentData(),
        "api_key_keyring": server.api_key_keyring.text() or None,
        "planner_model": server.planner_model.text() or None,
        "max_image_pixels": int(pixels) if pixels else None,
        "detail": server.detail.currentData(),
    }


def test_each_control_shows_the_config_value(open_window: Callable[..., SettingsWindow]) -> None:
    assert shown(open_window()) == {k: getattr(Settings(), k) for k in NOT_DEFAULTS}
    assert shown(open_window(**NOT_DEFAULTS)) == NOT_DEFAULTS


Change = Callable[[SettingsWindow, QtBot], None]
CHANGES: list[tuple[str, Change, object]] = [
    ("inspect_targets", lambda w, bot: bot.mouseClick(w.safety.inspect_targets, Qt.MouseButton.LeftButton), False),
    ("unlocked_rules", lambda w, _: w.safety.unlocked_rules.item("privilege").setCheckState(CHECKED), ["privilege"]),
    ("model_wait_seconds", lambda w, _: w.safety.model_wait_seconds.setValue(120), 120.0),
    ("model_wait_seconds", lambda w, _: w.safety.model_wait_seconds.setValue(0), 0.0),
    ("recognizer", lambda w, _: pick(w.voice.recognizer, "pocketsphinx"), "pocketsphinx"),
    ("whisper_model_size", lambda w, _: pick(w.voice.whisper_model_size, "large-v3"), "large-v3"),
    ("whisper_device", lambda w, _: pick(w.voice.whisper_device, "cuda"), "cuda"),
    ("listen_for_stop", lambda w, bot: bot.mouseClick(w.voice.listen_for_stop, Qt.MouseButton.LeftButton), True),
    ("listen_for_confirmation", lambda w, _: w.voice.listen_for_confirmation.setChecked(True), True),
    ("spoken_feedback", lambda w, _: w.voice.spoken_feedback.setChecked(True), True),
    ("hotkey_push_to_talk", lambda w, bot: press_chord(bot, w, Qt.Key.Key_P), "Ctrl+Alt+P"),
    ("voice_review_seconds", lambda w, _: w.voice.voice_review_seconds.setValue(7.5), 7.5),
    ("backend", lambda w, _: pick(w.server.backend, "openai"), "openai"),
    ("api_key_keyring", lambda w, _: w.server.api_key_keyring.setText("  gpu-box "), "gpu-box"),
    ("planner_model", lambda w, _: w.server.planner_model.setText(" qwen3:4b "), "qwen3:4b"),
    ("max_image_pixels", lambda w, _: w.server.max_image_pixels.setText("1003520"), 1_003_520),
    ("max_image_pixels", lambda w, _: w.server.max_image_pixels.setText("1,003,520"), 1_003_520),
    ("detail", lambda w, _: pick(w.server.detail, "high"), "high"),
]  # fmt: skip


@pytest.mark.parametrize(("key", "change", "in_toml"), CHANGES, ids=[c[0] for c in CHANGES])
def test_a_change_is_saved_as_toml_that_load_settings_reads_back(
    open_window: Callable[..., SettingsWindow],
    qtbot: QtBot,
    config: Path,
    key: str,
    change: Change,
    in_toml: object,
) -> None:
    window = open_window()
    change(window, qtbot)
    with qtbot.waitSignal(window.saved) as saved:
        assert window.save(), window.status.text()
    assert tomllib.loads(config.read_text(encoding="utf-8")) == {key: in_toml}  # and nothing else
    loaded = load_settings()
    expected = tuple(in_toml) if isinstance(in_toml, list) else in_toml
    assert getattr(loaded, key) == expected
    assert saved.args == [loaded]


def test_unlocking_every_rule_and_back(open_window: Callable[..., SettingsWindow], config: Path) -> None:
    window = open_window(unlocked_rules=("power",))
    rules = window.safety.unlocked_rules
    for rule_id in UNLOCKABLE_RULES:
        rules.item(rule_id).setCheckState(CHECKED)
    assert window.save()
    assert load_settings().unlocked_rules == tuple(UNLOCKABLE_RULES)
    for rule_id in UNLOCKABLE_RULES:
        rules.item(rule_id).setCheckState(Qt.CheckState.Unchecked)
    assert window.save()
    assert load_settings().unlocked_rules == ()
    assert "unlocked_rules" not in tomllib.loads(config.read_text(encoding="utf-8"))


BAD: list[tuple[str, Change, str]] = [
    ("hotkey_push_to_talk", lambda w, bot: press_chord(bot, w, Qt.Key.Key_End), "Ctrl+Alt+End is already the stop hotkey"),
    ("hotkey_push_to_talk", lambda w, bot: press_chord(bot, w, Qt.Key.Key_Space), "Ctrl+Alt+Space is already the command bar hotkey"),
    ("hotkey_push_to_talk", lambda w, _: w.voice.hotkey_push_to_talk.clear(), "'' is not a key chord"),
    ("hotkey_push_to_talk", lambda w, _: w.voice.hotkey_push_to_talk.setKeySequence(QKeySequence("V")), "not a key chord"),
    ("max_image_pixels", lambda w, _: w.server.max_image_pixels.setText("100"), "Input should be greater than or equal to 4096"),
    ("max_image_pixels", lambda w, _: w.server.max_image_pixels.setText("99999999999"), "Input should be less than or equal to 67108864"),
    ("max_image_pixels", lambda w, _: w.server.max_image_pixels.setText("lots"), "Input should be a valid integer"),
    ("api_key_keyring", lambda w, _: w.server.api_key_keyring.setText("sk-proj-4fQ9x"), "looks like an API key itself"),
    ("api_key_keyring", lambda w, _: w.server.api_key_keyring.setText("Zm9vYmFyQmF6UXV4MTIzNDU2Nzg5MDEy"), "looks like an API key itself"),
]  # fmt: skip


@pytest.mark.parametrize(("key", "change", "reason"), BAD, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)])
def test_a_refused_value_shows_one_line_and_writes_nothing(
    open_window: Callable[..., SettingsWindow],
    qtbot: QtBot,
    config: Path,
    key: str,
    change: Change,
    reason: str,
) -> None:
    window = open_window(spoken_feedback=True)
    assert window.save()
    before = config.read_bytes()
    window.voice.spoken_feedback.setChecked(False)  # a valid change that must not be saved either
    change(window, qtbot)
    saved: list[object] = []
    window.saved.connect(saved.append)
    assert not window.save()
    error = window.errors[key]
    assert not error.isHidden()
    assert reason in error.text()
    assert "\n" not in error.text()
    shown_errors = [k for k, label in window.errors.items() if not label.isHidden()]
    assert shown_errors == [key]
    assert window.status.text().startswith("Nothing was saved")
    assert config.read_bytes() == before
    assert saved == []
    assert load_settings().spoken_feedback is True


def test_only_values_settings_accepts_are_offered(open_window: Callable[..., SettingsWindow]) -> None:
    window = open_window()
    wait, review = window.safety.model_wait_seconds, window.voice.voice_review_seconds
    assert (wait.minimum(), wait.maximum()) == (0, 3600)
    assert wait.text() == "20 s"
    wait.setValue(0)
    assert wait.text() == "do not wait"
    assert (review.minimum(), review.maximum()) == (0.5, 30)
    combos = {
        "recognizer": window.voice.recognizer,
        "whisper_model_size": window.voice.whisper_model_size,
        "whisper_device": window.voice.whisper_device,
        "backend": window.server.backend,
        "detail": window.server.detail,
    }
    for name, combo in combos.items():
        offered = tuple(combo.itemData(i) for i in range(combo.count()))
        assert offered == typing.get_args(Settings.model_fields[name].annotation), name
    assert window.server.backend.itemText(1).startswith("OpenAI-compatible")
    rules = window.safety.unlocked_rules
    ids = [rules.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(rules.list.count())]
    assert ids == list(UNLOCKABLE_RULES)
    assert rules.checked() == ()
    for rule_id, summary in UNLOCKABLE_RULES.items():
        assert rules.item(rule_id).text() == f"{rule_id} — {summary}"


def test_unlocking_a_rule_warns_that_it_will_ask(open_window: Callable[..., SettingsWindow]) -> None:
    window = open_window()
    rules = window.safety.unlocked_rules
    assert rules.warning.isHidden()
    rules.item("power").setCheckState(CHECKED)
    assert not rules.warning.isHidden()
    text = rules.warning.text()
    assert "power" in text
    assert "ASK" in text
    assert "instead of being refused" in text
    assert "never run silently" in text
    rules.item("power").setCheckState(Qt.CheckState.Unchecked)
    assert rules.warning.isHidden()
    assert not open_window(unlocked_rules=("credentials",)).safety.unlocked_rules.warning.isHidden()


def test_hand_edited_fractions_survive_an_unrelated_save(
    open_window: Callable[..., SettingsWindow], config: Path
) -> None:
    window = open_window(model_wait_seconds=7.25, confirm_timeout=12.5, voice_review_seconds=2.25)
    window.voice.spoken_feedback.setChecked(True)
    assert window.save()
    loaded = load_settings()
    assert (loaded.model_wait_seconds, loaded.confirm_timeout, loaded.voice_review_seconds) == (
        7.25,
        12.5,
        2.25,
    )
    window.safety.model_wait_seconds.setValue(9)
    assert window.save()
    assert load_settings().model_wait_seconds == 9.0


def test_the_openai_backend_changes_the_server_fields(
    open_window: Callable[..., SettingsWindow], server: NoModels, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("OLLAMA_HOST", raising=False)
    window = open_window()
    group = window.server
    assert group.form.labelForField(group.host).text() == "Ollama host"
    assert group.pull.isEnabled()
    asked = len(server.hosts)
    pick(group.backend, "openai")
    assert group.form.labelForField(group.host).text() == "Server base URL"
    assert group.host.placeholderText().endswith("/v1")
    assert not group.pull.isEnabled()
    assert "comes from Ollama only" in window.models.status.text()
    assert len(server.hosts) == asked  # an OpenAI server is not asked Ollama's questions
    pick(group.backend, "ollama")
    assert group.pull.isEnabled()
    assert group.host.placeholderText() == "http://127.0.0.1:11434"


def test_whisper_choices_follow_the_recognizer(open_window: Callable[..., SettingsWindow]) -> None:
    window = open_window(recognizer="pocketsphinx")
    voice = window.voice
    assert not voice.whisper_model_size.isEnabled()
    assert not voice.whisper_device.isEnabled()
    pick(voice.recognizer, "whisper")
    assert voice.whisper_model_size.isEnabled()
    assert voice.whisper_device.isEnabled()
