"""`deskhand teach` refuses bad input before recording anything: one line, exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from deskhand.app.cli.main import main
from deskhand.app.platform.input_recorder import InputRecorder


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESKHAND_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("DESKHAND_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["teach", "Monday Report"], "deskhand: error: A skill name must be 1-64 lower-case letters"),
        (["teach", "monday", "--param", "team"], "deskhand: error: --param 'team': write it as KEY=VALUE."),
        (
            ["teach", "monday", "--param", "a=1", "--param", "a=2"],
            "deskhand: error: --param a is given twice.",
        ),
        (["teach"], "deskhand: error: the following arguments are required: NAME"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    argv: list[str], line: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(line) and captured.err.count("\n") == 1, captured.err


def test_without_an_x11_session_it_says_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    assert main(["teach", "monday"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "deskhand: error: Tried to record your input, but this is not an X11 session (DISPLAY is not "
        "set). Teaching works on X11 desktops; on Wayland log in to an X11 session.\n"
    )
    with pytest.raises(Exception, match="not an X11 session"):
        InputRecorder(lambda _event: None).start()
