"""A bad config file or a mistyped flag: one line, exit code 2, and what to do (issue 20
item 6, issue 21 item 17) -- never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from deskhand.app.cli.main import main


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    captured = capsys.readouterr()
    assert captured.out == ""
    return code, captured.err


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config.toml"
    monkeypatch.setenv("DESKHAND_CONFIG", str(path))
    monkeypatch.setenv("DESKHAND_DATA_DIR", str(tmp_path / "data"))
    return path


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (
            bytes(range(256)),
            "but it is not UTF-8 text (byte 0x80 at offset 128). Save it as UTF-8, or delete it.",
        ),
        (
            b'model = "caf\xe9"\n',
            "but it is not UTF-8 text (byte 0xe9 at offset 12). Save it as UTF-8, or delete it.",
        ),
        (
            b"unlocked_rules = " + b"[" * 5000 + b"]" * 5000,
            "but its arrays or tables are nested too deeply to be settings. Fix or delete it.",
        ),
        (
            b"model = " + b"{a = " * 3000 + b"1" + b"}" * 3000,
            "but its arrays or tables are nested too deeply to be settings. Fix or delete it.",
        ),
    ],
    ids=["binary", "latin-1", "nested-arrays", "nested-tables"],
)
def test_an_unreadable_config_file_is_one_line_and_exit_2(
    content: bytes, why: str, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config.write_bytes(content)
    assert run(["history"], capsys) == (
        2,
        f"deskhand: error: Tried to read the config file {config}, {why}\n",
    )


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        ("modle = 'qwen2.5vl:7b'", "`modle`. Did you mean `model`? Rename or delete it."),
        ("max_step = 3", "`max_step`. Did you mean `max_steps`? Rename or delete it."),
        (
            "frobnicate = true",
            "`frobnicate`. Delete it (the settings are listed in app/store/config.py, and the common ones in the README).",
        ),
    ],
)
def test_an_unknown_setting_suggests_the_one_meant(
    line: str, hint: str, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config.write_text(line + "\n")
    expected = f"deskhand: error: The config file {config} has an unknown setting {hint}\n"
    assert run(["history"], capsys) == (2, expected)


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (
            ["do", "x", "--modle", "m"],
            "unrecognized arguments: --modle m; did you mean --model? (see `deskhand do --help`)",
        ),
        (
            ["do", "x", "--max-stesp=3"],
            "unrecognized arguments: --max-stesp=3; did you mean --max-steps? (see `deskhand do --help`)",
        ),
        (
            ["history", "--limt", "3"],
            "unrecognized arguments: --limt; did you mean --limit? (see `deskhand history --help`)",
        ),
        (["pull", "x", "--zzzz"], "unrecognized arguments: --zzzz (see `deskhand pull --help`)"),
        (["--bogus"], "unrecognized arguments: --bogus (see `deskhand --help`)"),
    ],
)
def test_a_mistyped_flag_points_to_its_commands_help(
    argv: list[str], error: str, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(argv, capsys) == (2, f"deskhand: error: {error}\n")
