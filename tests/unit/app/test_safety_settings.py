"""The safety keys of the config file: unlocked rules, target checks, how long to wait."""

from __future__ import annotations

from pathlib import Path

import pytest

from deskhand.app.store.config import load_settings
from deskhand.app.wiring import element_inspector
from deskhand.core.errors import UsageError
from deskhand.core.policy import UNLOCKABLE_RULES


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_unlockable_rules_load_and_unknown_ones_are_one_line_errors(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, 'unlocked_rules = ["power", "hotkey-kill-session"]\n'))
    assert settings.unlocked_rules == ("power", "hotkey-kill-session")
    with pytest.raises(UsageError) as caught:
        load_settings(write(tmp_path, 'unlocked_rules = ["gui-send"]\n'))  # a confirm rule: nothing to unlock
    message = str(caught.value)
    assert "\n" not in message and "`unlocked_rules.0`" in message and "'gui-send'" in message
    assert all(rule in message for rule in UNLOCKABLE_RULES)  # says what may be chosen


@pytest.mark.parametrize("text", ["model_wait_seconds = -1\n", "model_wait_seconds = 99999\n",
                                  'inspect_targets = "maybe"\n'])  # fmt: skip
def test_bad_values_are_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(UsageError):
        load_settings(write(tmp_path, text))


def test_target_checks_can_be_switched_off(tmp_path: Path) -> None:
    assert element_inspector(load_settings(write(tmp_path, "inspect_targets = false\n"))) is None
    defaults = load_settings(write(tmp_path, ""))
    assert defaults.inspect_targets and defaults.model_wait_seconds == 20.0 and defaults.unlocked_rules == ()


def test_the_time_budget_is_a_setting(tmp_path: Path) -> None:
    assert load_settings(write(tmp_path, "max_task_seconds = 600\n")).max_task_seconds == 600
    with pytest.raises(UsageError):
        load_settings(write(tmp_path, "max_task_seconds = 1\n"))


@pytest.mark.parametrize("value", ["sk-proj-4fQ9xA", "hf_abcdefghij", "Zm9vYmFyQmF6UXV4MTIzNDU2Nzg5MDEy"])
def test_an_api_key_pasted_as_keyring_name_is_refused(tmp_path: Path, value: str) -> None:
    with pytest.raises(UsageError) as caught:
        load_settings(write(tmp_path, f'api_key_keyring = "{value}"\n'))
    assert "looks like an API key" in str(caught.value) and value not in str(caught.value)
    assert load_settings(write(tmp_path, 'api_key_keyring = "gpu-box"\n')).api_key_keyring == "gpu-box"


def test_doctor_warns_when_nothing_can_read_what_a_click_lands_on(monkeypatch: pytest.MonkeyPatch) -> None:
    from deskhand.app.cli import doctor
    from deskhand.app.store.config import Settings
    from deskhand.vision.inspect import AtspiInspector, OcrInspector

    monkeypatch.setattr("deskhand.app.wiring.accessibility_on", lambda: False)
    monkeypatch.setattr(AtspiInspector, "applications", lambda self: None)
    monkeypatch.setattr(OcrInspector, "version", lambda self: None)
    with pytest.raises(doctor.Degraded, match="risky buttons would not be recognised"):
        doctor._risk_checks(Settings())
    monkeypatch.setattr(OcrInspector, "version", lambda self: "tesseract 5.3.0")
    monkeypatch.setattr(OcrInspector, "reads_labels", lambda self: False)  # e.g. no language data
    with pytest.raises(doctor.Degraded, match=r"could not read a test label.*labels cannot be read"):
        doctor._risk_checks(Settings())
    monkeypatch.setattr(OcrInspector, "reads_labels", lambda self: True)
    assert doctor._risk_checks(Settings()) == "no accessibility bus; OCR: tesseract 5.3.0"
    assert doctor._risk_checks(Settings(inspect_targets=False)).startswith("off")
