"""What the CLI prints of model-, screen- and server-derived text: control characters shown
as escapes, never sent to the terminal (issue 20 item 4)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from deskhand.app.cli.main import main
from deskhand.app.cli.terminal import StepPrinter, TerminalApprover, printable
from deskhand.core.actions import Decision, RunShell, TypeText
from deskhand.core.approval import UserAnswer
from deskhand.core.verdict import Level, Verdict
from tests.unit.app.audit_samples import observation


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain words, ünïcödé ✓", "plain words, ünïcödé ✓"),
        ("rm ~/keep.txt #\x1b[2K\x1b[1Gls", "rm ~/keep.txt #\\x1b[2K\\x1b[1Gls"),
        ("a\nb\tc\rd", "a\\nb\\tc\\rd"),
        ("bell\x07 del\x7f csi\x9b nul\x00", "bell\\x07 del\\x7f csi\\x9b nul\\x00"),
        ("abc\u202egnp.exe", "abc\\u202egnp.exe"),  # a right-to-left override
        ("no\u00a0break", "no\\xa0break"),  # looks like a space, is not one
    ],
)
def test_printable_shows_control_characters_as_escapes(text: str, shown: str) -> None:
    assert printable(text) == shown


def confirm(action: RunShell | TypeText, reason: str, reply: str) -> tuple[UserAnswer, str]:
    out = io.StringIO()
    approver = TerminalApprover(assume_yes=False, stdin=io.StringIO(reply), out=out)
    answer = approver.confirm(action, Verdict(level=Level.CONFIRM, reason=reason), observation(1, (0, 0, 0)))
    return answer, out.getvalue()


def test_a_command_cannot_repaint_its_own_confirmation() -> None:
    answer, out = confirm(RunShell(command="rm ~/keep.txt #\x1b[2K\x1b[1Gls -l"), "deletes files", "n\n")
    assert answer is UserAnswer.DENY
    assert out == (
        "  ? run `rm ~/keep.txt #\\x1b[2K\\x1b[1Gls -l`\n"
        "    needs your OK: deletes files\n"
        "    Allow? [y]es / [a]lways for this task / [N]o: "
    )


def test_a_newline_in_a_command_shows_as_two_commands_would() -> None:
    _, out = confirm(RunShell(command="ls\nrm -r ~/x"), 'the button "Del\x1b[8mete" \u202eis risky', "y\n")
    assert out.splitlines()[:2] == [
        "  ? run `ls\\nrm -r ~/x`",
        '    needs your OK: the button "Del\\x1b[8mete" \\u202eis risky',
    ]


def test_the_models_thought_and_question_are_printable() -> None:
    out = io.StringIO()
    StepPrinter(out).decided(3, Decision(thought="Looks\x1b[2J fine\nnow", actions=(TypeText(text="x"),)))
    approver = TerminalApprover(assume_yes=False, stdin=io.StringIO("\n"), out=out)
    assert approver.answer("Which\x1b]52;c;Zm9v\x07 file?") is None
    assert out.getvalue() == (
        "step 3: Looks\\x1b[2J fine now\n"
        "  ? The model asks: Which\\x1b]52;c;Zm9v\\x07 file?\n    Your answer (empty to end the task): "
    )


def test_an_error_line_is_printable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('"\\u001b[2Kzzz" = 1\n')
    monkeypatch.setenv("DESKHAND_CONFIG", str(config))
    assert main(["history"]) == 2
    assert capsys.readouterr().err == (
        f"deskhand: error: The config file {config} has an unknown setting `\\x1b[2Kzzz`. Delete it "
        "(the settings are listed in app/store/config.py, and the common ones in the README).\n"
    )
