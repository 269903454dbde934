"""Settings validation, TOML writing and the atomic save: round trips through load_settings."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from deskhand.app.store.config import Settings, load_settings
from deskhand.app.store.setting_values import canonical_hotkey
from deskhand.app.store.settings_store import InvalidSettings, audit_log_path, save_settings, to_toml, updated
from deskhand.core.errors import SetupError, UsageError


@pytest.fixture(autouse=True)
def private_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = tmp_path / "config" / "deskhand" / "config.toml"
    monkeypatch.setenv("DESKHAND_CONFIG", str(config))
    monkeypatch.setenv("DESKHAND_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    return config


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Ctrl+Alt+Space", "Ctrl+Alt+Space"),
        ("alt+ctrl+space", "Ctrl+Alt+Space"),
        ("Shift+Meta+Ctrl+k", "Meta+Ctrl+Shift+K"),
        ("Ctrl+Alt+Escape", "Ctrl+Alt+Esc"),
        ("Super+F12", "Meta+F12"),
        ("Ctrl+Alt+PageDown", "Ctrl+Alt+PgDown"),
    ],
)
def test_hotkeys_are_stored_in_qt_portable_spelling(typed: str, stored: str) -> None:
    assert canonical_hotkey(typed) == stored


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("A", "not a key chord"),
        ("Shift+A", "needs Ctrl, Alt or Meta"),
        ("Ctrl+Hyper+A", "is not a modifier"),
        ("Ctrl+Alt+Bogus", "not a key Deskhand can bind"),
        ("Ctrl+Alt+Del", "reserved by the system"),
        ("", "not a key chord"),
        ("Ctrl++", "not a key chord"),
    ],
)
def test_bad_hotkeys_are_refused_with_a_reason(typed: str, reason: str) -> None:
    with pytest.raises(InvalidSettings) as caught:
        updated(Settings(), {"hotkey_command_bar": typed})
    assert reason in caught.value.errors["hotkey_command_bar"]


@pytest.mark.parametrize(
    "host", ["http://127.0.0.1:11434", "https://gpu.example:8443/ollama", "localhost:11434", "[::1]:11434"]
)
def test_good_hosts_pass(host: str) -> None:
    assert updated(Settings(), {"host": host}).host == host


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("ftp://127.0.0.1", "must start with http"),
        ("http://127.0.0.1:99999", "not a valid URL"),
        ("http://", "not a server address"),
        ("http://local host:11434", "not a server address"),
        ("http://127.0.0.1:0", "port 0"),
    ],
)
def test_bad_hosts_are_refused(host: str, reason: str) -> None:
    with pytest.raises(InvalidSettings) as caught:
        updated(Settings(), {"host": host})
    assert reason in caught.value.errors["host"]


def test_every_bad_field_is_reported_at_once() -> None:
    with pytest.raises(InvalidSettings) as caught:
        updated(
            Settings(),
            {"host": "ftp://x", "confirm_timeout": 1, "retention_days": -1, "data_dir": "relative/dir"},
        )
    assert set(caught.value.errors) == {"host", "confirm_timeout", "retention_days", "data_dir"}
    assert "greater than or equal to 5" in caught.value.errors["confirm_timeout"]
    assert "absolute folder path" in caught.value.errors["data_dir"]


def test_the_two_hotkeys_must_differ() -> None:
    with pytest.raises(InvalidSettings) as caught:
        updated(Settings(), {"hotkey_command_bar": "Ctrl+Alt+K", "hotkey_stop": "ctrl+alt+k"})
    assert "Stop needs its own hotkey" in caught.value.errors["hotkey_stop"]


def test_unknown_settings_are_refused() -> None:
    with pytest.raises(InvalidSettings) as caught:
        updated(Settings(), {"colour": "blue"})
    assert caught.value.errors == {"colour": "not a Deskhand setting"}


def test_toml_lists_only_what_differs_from_the_defaults() -> None:
    assert to_toml(Settings()).splitlines()[1:] == []
    text = to_toml(
        updated(Settings(), {"model": "qwen2.5vl:7b", "ask_every_action": True, "data_dir": "~/h"})
    )
    assert 'model = "qwen2.5vl:7b"' in text
    assert "ask_every_action = true" in text
    assert f'data_dir = "{Path.home() / "h"}"' in text
    assert "host" not in text  # None is "not set"


def test_save_round_trip_is_private_and_loads_back(private_dirs: Path) -> None:
    chosen = updated(
        Settings(),
        {
            "host": "http://10.0.0.5:11434",
            "model": "ui-tars-1.5:7b",
            "confirm_timeout": 20.0,
            "ask_every_action": True,
            "hotkey_command_bar": "Meta+Space",
            "hotkey_stop": "Ctrl+Alt+S",
            "data_dir": str(private_dirs.parent / "history"),
            "retention_days": 0,
            "dialect": "ui-tars",
        },
    )
    written = save_settings(chosen)
    assert written == private_dirs
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert load_settings() == chosen
    assert [p.name for p in written.parent.iterdir()] == ["config.toml"]  # no temp file left


def test_saving_again_replaces_the_file(private_dirs: Path) -> None:
    save_settings(updated(Settings(), {"model": "a:1"}))
    save_settings(updated(Settings(), {"model": "b:2"}))
    assert load_settings().model == "b:2"


def test_a_failed_save_leaves_no_temp_file_and_says_what_to_do(tmp_path: Path) -> None:
    target = tmp_path / "cfg" / "config.toml"
    target.mkdir(parents=True)  # os.replace cannot put a file over a folder
    with pytest.raises(SetupError, match="the old file is unchanged"):
        save_settings(updated(Settings(), {"model": "x:1"}), target)
    assert [p.name for p in target.parent.iterdir()] == ["config.toml"]


def test_a_bad_value_in_the_file_is_one_usage_line(private_dirs: Path) -> None:
    private_dirs.parent.mkdir(parents=True)
    private_dirs.write_text('hotkey_stop = "Shift+A"\n')
    with pytest.raises(UsageError) as caught:
        load_settings()
    message = str(caught.value)
    assert "\n" not in message
    assert "`hotkey_stop`" in message and "needs Ctrl, Alt or Meta" in message


def test_history_location_prefers_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chosen = updated(Settings(), {"data_dir": str(tmp_path / "mine")})
    assert audit_log_path(chosen) == tmp_path / "data" / "audit.sqlite3"
    monkeypatch.delenv("DESKHAND_DATA_DIR")
    assert audit_log_path(chosen) == tmp_path / "mine" / "audit.sqlite3"
