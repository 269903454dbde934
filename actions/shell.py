"""Running approved shell commands and telling the model what came of them.

Everything the command does is a *result*, not an exception -- a nonzero exit, a missing
program (127, as a shell says), a timeout -- because the model has to read it and try
something else.  Only Stop raises.

A command runs as an argv list (``shlex``) unless it needs a shell: the policy says so
(pipes, ``&&``, redirections, substitutions) or it uses other shell syntax (variables,
globs, ``~``, builtins like ``cd``).  Then it runs through an explicit ``/bin/sh -c``; the
executor is only reachable through ``Approved``, so the policy has seen the whole string.

Commands start without Deskhand's own secrets in their environment (the API key
variables), and what they print passes through ``redact`` with every secret value known
where their output becomes text (``_Tail.text``, before the tail is cut, so no piece of a
key survives the cut either) -- before anything records it or shows it to the model.

Output is read by two threads that keep only a tail, so a command printing gigabytes
cannot fill memory.  The command gets its own process group; a timeout or Stop kills the
whole group.  A program left running in the background (``mousepad &``) keeps its pipes:
we stop waiting for its output shortly after the shell exits and leave it running.

If Deskhand itself dies (``kill -9``, a crash) while a command runs, the command dies with
it (Linux: ``PR_SET_PDEATHSIG``), so nothing goes on acting for a task nobody watches any
more.  That reaches the process we started -- the program, or the ``sh`` running a
command line, whose later parts then never run; a program *that* shell had already
started in turn runs to its own end.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import IO

from deskhand.actions._gate import require_approved
from deskhand.core.actions import Action, RunShell, describe
from deskhand.core.approval import Approved
from deskhand.core.errors import ExecutionFailed, Stopped
from deskhand.core.outcome import ExecResult
from deskhand.core.ports import ShouldStop
from deskhand.core.redaction import API_KEY_ENV_VARS, redact
from deskhand.core.shellrisk import classify_command

__all__ = ["ShellRunner", "needs_shell"]

_SHELL_SYNTAX = re.compile(r"[$`*?\[\]{}~#!<>|;&()\\\n]")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_BUILTINS = frozenset(
    {
        "cd", "export", "source", ".", "alias", "unalias", "set", "unset", "ulimit", "umask",
        "exit", "eval", "exec", "read", "wait", "shift", "trap", "type", "hash", "jobs", "fg",
        "bg", "pushd", "popd", "dirs", "history", "local", "declare", "let",
    }
)  # fmt: skip


def needs_shell(command: str) -> bool:
    """Whether ``command`` must go through ``/bin/sh -c`` to mean what it says."""
    if classify_command(command).needs_shell or _SHELL_SYNTAX.search(command):
        return True
    try:
        words = shlex.split(command)
    except ValueError:
        return True
    return not words or bool(_ASSIGNMENT.match(words[0])) or words[0] in _BUILTINS


@dataclass
class _Tail:
    """The last ``keep`` bytes of a stream, and how many there were in all."""

    keep: int
    data: bytearray = field(default_factory=bytearray)
    total: int = 0

    def pump(self, stream: IO[bytes]) -> None:
        fd = stream.fileno()
        try:
            while chunk := os.read(fd, 65536):
                self.total += len(chunk)
                self.data += chunk
                if len(self.data) > self.keep:
                    del self.data[: len(self.data) - self.keep]
        finally:
            stream.close()

    def text(self, limit: int, secrets: tuple[str, ...]) -> str:
        """The tail as text, ``secrets`` redacted, at most ``limit`` characters of it."""
        decoded = redact(self.data.decode("utf-8", errors="replace"), secrets)
        cut = len(self.data) < self.total or len(decoded) > limit
        decoded = decoded[-limit:]
        if cut:
            return f"[… {self.total:,} bytes in all; the last {limit:,} characters follow]\n{decoded}"
        return decoded


class ShellRunner:
    """Runs ``RunShell`` actions with a timeout in a working directory."""

    def __init__(
        self,
        *,
        timeout: float = 30.0,
        cwd: Path | None = None,
        tail_chars: int = 2000,
        background_grace: float = 0.3,
        secrets: Sequence[str] = (),
    ) -> None:
        """``secrets``: values to hide besides the API key variables' (e.g. a keyring key)."""
        self.timeout = timeout
        self.secrets = tuple(secrets)
        self.cwd = cwd or Path.home()
        self.tail_chars = tail_chars
        self.background_grace = background_grace

    def execute(self, approved: Approved[Action], *, should_stop: ShouldStop) -> ExecResult:
        action = require_approved(approved).action
        match action:
            case RunShell(command=command):
                return self.run(command, should_stop)
            case _:
                raise ExecutionFailed(f"The shell runner cannot {describe(action)}; it runs only commands.")

    def release_all(self) -> None:
        """Nothing is ever held by a shell command."""

    def run(self, command: str, should_stop: ShouldStop) -> ExecResult:
        """Run ``command`` (already approved by the caller) and describe the outcome, with
        Deskhand's secrets neither in its environment nor in what it printed."""
        env = {name: value for name, value in os.environ.items() if name not in API_KEY_ENV_VARS}
        hidden = (*self.secrets, *(v for name in API_KEY_ENV_VARS if (v := os.environ.get(name))))
        return ExecResult(feedback=self._run(command, should_stop, env, hidden))

    def _run(
        self, command: str, should_stop: ShouldStop, env: dict[str, str], hidden: tuple[str, ...]
    ) -> str:
        argv = _shell_argv(command) if needs_shell(command) else shlex.split(command)
        if not self.cwd.is_dir():  # else Popen's FileNotFoundError would read "command not found"
            raise ExecutionFailed(
                f"Tried to run a command in {self.cwd}, but that folder does not exist. "
                "Choose an existing working folder in the settings."
            )
        try:
            proc = subprocess.Popen(  # noqa: S603 (approved by the policy gate; argv or explicit sh -c)
                argv,
                cwd=self.cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
                preexec_fn=_die_with_parent(),  # only a prctl call, see there
            )
        except FileNotFoundError:
            return _format(127, "", f"{argv[0]}: command not found")
        except OSError as exc:  # not executable, bad format: what a shell reports as 126
            return _format(126, "", f"{argv[0]}: {exc.strerror}")
        keep = self.tail_chars * 4 + 16  # enough bytes for tail_chars of any UTF-8
        out, err = _Tail(keep), _Tail(keep)
        readers = [_reader(out, proc.stdout), _reader(err, proc.stderr)]
        deadline = time.monotonic() + self.timeout
        while not _exited(proc, min(0.05, max(0.0, deadline - time.monotonic()))):
            if should_stop():
                _kill_group(proc)
                raise Stopped()
            if time.monotonic() >= deadline:
                _kill_group(proc)
                for reader in readers:
                    reader.join(self.background_grace)
                head = f"timed out after {self.timeout:g} s; the command and its children were killed"
                return self._report(head, out, err, hidden)
        grace = time.monotonic() + self.background_grace
        for reader in readers:
            reader.join(max(0.0, grace - time.monotonic()))
        return self._report(f"exit code {proc.returncode}", out, err, hidden)

    def _report(self, head: str, out: _Tail, err: _Tail, hidden: tuple[str, ...]) -> str:
        stdout, stderr = out.text(self.tail_chars, hidden), err.text(self.tail_chars, hidden)
        return f"{head}\nstdout:\n{stdout}\nstderr:\n{stderr}"


def _format(code: int, stdout: str, stderr: str) -> str:
    return f"exit code {code}\nstdout:\n{stdout}\nstderr:\n{stderr}"


def _exited(proc: subprocess.Popen[bytes], within: float) -> bool:
    """Wait up to ``within`` seconds for the process; returns as soon as it exits."""
    try:
        proc.wait(within)
    except subprocess.TimeoutExpired:
        return False
    return True


def _shell_argv(command: str) -> list[str]:
    if sys.platform == "win32":
        return [os.environ.get("COMSPEC", "cmd.exe"), "/d", "/c", command]
    return ["/bin/sh", "-c", command]


def _die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` that has the kernel kill the child when Deskhand dies (Linux).

    ``PR_SET_PDEATHSIG`` fires when the thread that started the child ends; the loop's
    thread waits for the command, so it ends only with the process.  The function is built
    before the fork and does nothing but two system calls in the child (no imports, no
    locks).  If Deskhand died before the call took effect the child is an orphan already
    and kills itself.  Elsewhere (no prctl) it is ``None``.
    """
    if not sys.platform.startswith("linux"):
        return None
    prctl = _prctl()
    pr_set_pdeathsig = 1
    parent = os.getpid()

    def preexec() -> None:
        prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)

    return preexec


@cache
def _prctl() -> Callable[..., int]:
    import ctypes

    prctl: Callable[..., int] = ctypes.CDLL(None, use_errno=True).prctl
    return prctl


def _reader(tail: _Tail, stream: IO[bytes] | None) -> threading.Thread:
    if stream is None:  # pragma: no cover - PIPE always gives a stream
        raise AssertionError("stdout/stderr were not piped")
    thread = threading.Thread(target=tail.pump, args=(stream,), name="deskhand-shell-output", daemon=True)
    thread.start()
    return thread


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Terminate the command's whole process group; kill what is left after 1 s."""
    if sys.platform == "win32":
        proc.kill()
        proc.wait()
        return
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    with suppress(subprocess.TimeoutExpired):
        proc.wait(1.0)
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
