"""ShellRunner: every outcome is feedback for the model, only Stop raises."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from deskhand.actions.shell import ShellRunner, needs_shell
from deskhand.core.errors import ExecutionFailed, Stopped
from tests.desktop.conftest import never, wait_until
from tests.e2e.xsession import pids_of

pytestmark = pytest.mark.desktop


@pytest.mark.parametrize(
    ("command", "shell"),
    [
        ("echo hello", False),
        ("ls -la /tmp", False),
        ("printf '%s' 'a b'", False),
        ("echo a | wc -c", True),
        ("cd /tmp && ls", True),
        ("echo $HOME", True),
        ("ls *.txt", True),
        ("ls ~", True),
        ("FOO=1 env", True),
        ("cd /tmp", True),
        ("echo 'unterminated", True),
        ("echo hi > out.txt", True),
    ],
)
def test_needs_shell(command: str, shell: bool):
    assert needs_shell(command) is shell


def test_argv_command(tmp_path: Path):
    feedback = ShellRunner(cwd=tmp_path).run("printf '%s|' 'a b' c", never).feedback
    assert feedback == "exit code 0\nstdout:\na b|c|\nstderr:\n"


def test_default_cwd_is_home_and_configurable(tmp_path: Path):
    assert f"stdout:\n{Path.home()}\n" in ShellRunner().run("pwd", never).feedback
    assert f"stdout:\n{tmp_path}\n" in ShellRunner(cwd=tmp_path).run("pwd", never).feedback


def test_shell_command_with_pipes(tmp_path: Path):
    feedback = ShellRunner(cwd=tmp_path).run("printf 'a\\nb\\nc\\n' | wc -l && echo done >&2", never).feedback
    assert feedback == "exit code 0\nstdout:\n3\n\nstderr:\ndone\n"


def test_nonzero_exit_is_a_result(tmp_path: Path):
    feedback = ShellRunner(cwd=tmp_path).run("ls /definitely/not/here", never).feedback
    assert feedback.startswith("exit code 2\nstdout:\n\nstderr:\nls: cannot access")


def test_missing_program_is_exit_127():
    feedback = ShellRunner().run("no-such-program-deskhand --flag", never).feedback
    assert feedback == "exit code 127\nstdout:\n\nstderr:\nno-such-program-deskhand: command not found"
    via_shell = ShellRunner().run("no-such-program-deskhand | cat; exit 127", never).feedback
    assert via_shell.startswith("exit code 127")


def test_program_that_cannot_run_is_exit_126(tmp_path: Path):
    script = tmp_path / "not-executable"
    script.write_text("#!/bin/sh\necho hi\n")
    feedback = ShellRunner(cwd=tmp_path).run(str(script), never).feedback
    assert feedback == f"exit code 126\nstdout:\n\nstderr:\n{script}: Permission denied"


def test_missing_working_folder_is_an_execution_failure(tmp_path: Path):
    with pytest.raises(ExecutionFailed, match="does not exist"):
        ShellRunner(cwd=tmp_path / "gone").run("true", never)


def test_timeout_kills_the_whole_group(tmp_path: Path):
    pidfile = tmp_path / "pid"
    runner = ShellRunner(timeout=0.5, cwd=tmp_path)
    start = time.monotonic()
    feedback = runner.run(f"sleep 30 & echo $! > {pidfile}; echo started; wait", never).feedback
    assert time.monotonic() - start < 5
    assert feedback.startswith(
        "timed out after 0.5 s; the command and its children were killed\nstdout:\nstarted\n"
    )
    pid = int(pidfile.read_text())
    wait_until(lambda: not _alive(pid), 5, "the background sleep to be killed")


def test_stop_kills_and_raises(tmp_path: Path):
    deadline = time.monotonic() + 0.3
    start = time.monotonic()
    with pytest.raises(Stopped):
        ShellRunner(cwd=tmp_path).run("sleep 30", lambda: time.monotonic() > deadline)
    assert time.monotonic() - start < 5


def test_output_tail_is_capped_and_says_so(tmp_path: Path):
    feedback = ShellRunner(cwd=tmp_path, tail_chars=2000).run("seq 1 100000", never).feedback
    stdout = feedback.split("stdout:\n", 1)[1].split("\nstderr:\n", 1)[0]
    note, tail = stdout.split("\n", 1)
    assert note == "[… 588,895 bytes in all; the last 2,000 characters follow]"
    assert len(tail) == 2000 and tail.endswith("99999\n100000\n")


def test_undecodable_output_is_replaced(tmp_path: Path):
    feedback = ShellRunner(cwd=tmp_path).run("printf 'ok \\377\\376 end'", never).feedback
    assert "ok \ufffd\ufffd end" in feedback


def test_background_program_does_not_hold_the_result(tmp_path: Path):
    pidfile = tmp_path / "pid"
    start = time.monotonic()
    feedback = ShellRunner(cwd=tmp_path).run(f"sleep 20 & echo $! > {pidfile}; echo launched", never).feedback
    assert time.monotonic() - start < 3
    assert feedback.startswith("exit code 0\nstdout:\nlaunched\n")
    pid = int(pidfile.read_text())
    assert _alive(pid), "a program the command started in the background keeps running"
    os.kill(pid, 9)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat")
    return not (status.exists() and status.read_text().split(")")[-1].split()[0] == "Z")


KEY = "sk-test-Zq81hPq0v7LmN3xYt5RkWd2"


def test_deskhands_api_keys_are_not_in_a_commands_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("DESKHAND_API_KEY", KEY + "2")
    monkeypatch.setenv("DESKHAND_UNRELATED", "kept")
    feedback = (
        ShellRunner(cwd=tmp_path).run("printenv OPENAI_API_KEY DESKHAND_API_KEY; env | sort", never).feedback
    )
    assert "OPENAI_API_KEY" not in feedback and "DESKHAND_API_KEY" not in feedback
    assert "DESKHAND_UNRELATED=kept" in feedback  # the rest of the environment is passed on


def test_a_secret_found_elsewhere_is_redacted_from_the_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    keyring_key = "kr-Vb29cXs8aLq0PmTz"
    (tmp_path / ".profile").write_text(f"export OPENAI_API_KEY={KEY}\nexport OTHER={keyring_key}x\n")
    runner = ShellRunner(cwd=tmp_path, secrets=(keyring_key,))
    feedback = runner.run(
        "cat .profile; cat .profile >&2; tr '\\0' '\\n' < /proc/$PPID/environ", never
    ).feedback
    assert KEY not in feedback and keyring_key not in feedback
    assert feedback.startswith(
        "exit code 0\nstdout:\nexport OPENAI_API_KEY=[redacted]\nexport OTHER=[redacted]x\n"
    )
    assert "stderr:\nexport OPENAI_API_KEY=[redacted]\nexport OTHER=[redacted]x\n" in feedback


def test_a_key_is_redacted_before_the_tail_is_cut(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESKHAND_API_KEY", KEY)
    (tmp_path / "out.txt").write_text("x" * 5000 + KEY + "y" * 85)
    feedback = ShellRunner(cwd=tmp_path, tail_chars=100).run("cat out.txt", never).feedback
    # The last 100 characters would start inside the key; redacted first, none of it is left.
    assert feedback.endswith("\n" + "x" * 5 + "[redacted]" + "y" * 85 + "\nstderr:\n")


RUN_AND_HANG = """
import sys
from deskhand.actions.shell import ShellRunner
ShellRunner(timeout=300).run(sys.argv[1], lambda: False)
"""


@pytest.mark.parametrize("command", ["sleep 96.5", "sleep 96.75 && echo never"])
def test_a_command_dies_with_deskhand(command: str) -> None:
    """kill -9 of Deskhand mid-command: the program (or the shell running the line) dies too."""
    program = ["sleep", "96.5"] if "&&" not in command else ["/bin/sh", "-c", command]
    deskhand = subprocess.Popen([sys.executable, "-c", RUN_AND_HANG, command])
    try:
        wait_until(lambda: bool(pids_of(program)), timeout=20)
        deskhand.send_signal(signal.SIGKILL)
        deskhand.wait(timeout=10)
        wait_until(lambda: not pids_of(program), timeout=5)
    finally:
        deskhand.kill()
        deskhand.wait()
        for pid in pids_of(program) + pids_of(["sleep", "96.75"]):
            os.kill(pid, signal.SIGKILL)
