"""`deskhand memory …` and `deskhand schedule …` as a user types them: output and exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from deskhand.app.cli.main import main
from deskhand.core.when import ACCEPTED_FORMS


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DESKHAND_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DESKHAND_CONFIG", str(tmp_path / "config.toml"))
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_memory_add_list_export_forget_clear(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "memory", "add", "my editor is mousepad") == (
        0,
        "remembered #1: my editor is mousepad\n",
        "",
    )
    run(capsys, "memory", "add", "reports go to ~/Reports")
    code, out, _ = run(capsys, "memory", "list")
    assert code == 0 and "#1" in out and "my editor is mousepad" in out and "reports go to ~/Reports" in out
    assert run(capsys, "memory", "export") == (0, "my editor is mousepad\nreports go to ~/Reports\n", "")
    assert run(capsys, "memory", "forget", "1") == (0, "forgot #1\n", "")
    assert run(capsys, "memory", "clear") == (0, "forgot 1 facts\n", "")


def test_memory_refuses_a_secret_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "memory", "add", "my token is ghp_0123456789abcdefghijABCDEFGHIJ")
    assert code == 2 and out == ""
    assert err == (
        "deskhand: error: Tried to remember a note, but it seems to contain a GitHub token. "
        "Deskhand never keeps secrets in memory; leave the secret out.\n"
    )


def test_forgetting_what_is_not_there_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "memory", "forget", "7")
    assert code == 2 and err.count("\n") == 1 and "no remembered fact #7" in err


def test_schedule_add_list_remove(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schedule", "add", "every weekday 09:00", "Write the report")
    assert code == 0 and out.startswith("scheduled #1: every weekday 09:00, next ")
    code, out, _ = run(capsys, "schedule", "list")
    assert code == 0 and "every weekday 09:00" in out and "Write the report" in out
    assert run(capsys, "schedule", "remove", "1") == (0, "removed schedule #1\n", "")
    assert "no schedules" in run(capsys, "schedule", "list")[1]


def test_an_unreadable_when_is_one_line_listing_the_accepted_forms(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "schedule", "add", "whenever you like", "Water the plants")
    assert code == 2 and out == ""
    assert err == (
        f"deskhand: error: Tried to add a schedule, but could not read the time 'whenever you like'; "
        f"use one of {ACCEPTED_FORMS}.\n"
    )


def test_a_missing_schedule_action_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "schedule")
    assert code == 2 and err.startswith("deskhand: error: ") and err.count("\n") == 1
