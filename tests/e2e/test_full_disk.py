"""A full disk (data dir or --trace) stops the task before its next action, with one line
and exit 2: nothing is done that could not be recorded.

The disk is a real 8 MB tmpfs filled up while the fake model is thinking, so the writes
fail with the kernel's own ENOSPC; mounting needs root (the CI container runs as root),
elsewhere the tests are skipped.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from deskhand.app.store.audit_log import AuditLog
from tests.e2e.xsession import XSession, read_events, wait_for
from tests.fakeollama import FakeOllama

pytestmark = pytest.mark.desktop

SCRIPT = [
    {"do": "click", "target": "Apply"},
    {"do": "hang", "seconds": 3, "then": {"do": "click", "target": "Cancel"}},
    {"do": "click", "target": "Apply"},
    {"do": "finish", "summary": "Clicked all three."},
]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "small"
    mount.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m,mode=0700", "tmpfs", str(mount)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(folder: Path) -> Path:
    """Write zeros into ``folder`` until its filesystem has not one page left."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    failure = 0
    try:
        for size in (1 << 20, 1 << 16, 4096, 512, 1):
            while True:
                try:
                    os.write(fd, b"\0" * size)
                except OSError as exc:
                    failure = exc.errno or 0
                    break
    finally:
        os.close(fd)
    assert failure == errno.ENOSPC
    return filler


def run_until_the_disk_fills(session: XSession, ollama: FakeOllama, folder: Path, *args: str,
                             env: dict[str, str]) -> subprocess.CompletedProcess[str]:  # fmt: skip
    """Start the task; once step 1 is recorded and the model thinks about step 2, fill ``folder``."""
    exe = Path(sys.executable).with_name("deskhand")
    proc = subprocess.Popen(
        [str(exe), "do", "Click Apply, then Cancel", "--model", "qwen2.5vl:7b", "--host", ollama.url, *args],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        wait_for(lambda: len(ollama.chat_requests) >= 2, timeout=30, what="the second model request")
        filler = fill(folder)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
        proc.wait()
    filler.unlink()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def clicks(log: Path) -> list[object]:
    return [e["button"] for e in read_events(log) if e["event"] == "click"]


def one_error_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("deskhand: error: Tried to "), stderr
    return lines[0]


def test_a_full_data_dir_stops_the_task_before_its_next_action(
    screen_768: XSession, ollama: FakeOllama, small_disk: Path
) -> None:
    log = screen_768.start_form()
    ollama.script(SCRIPT)
    data = small_disk / "data"
    r = run_until_the_disk_fills(
        screen_768, ollama, small_disk, env={**screen_768.env, "DESKHAND_DATA_DIR": str(data)}
    )
    assert r.returncode == 2, r.stdout + r.stderr
    line = one_error_line(r.stderr)
    assert "record step 2 before acting on it in the audit log" in line and "full" in line, line
    assert clicks(log) == ["Apply"]  # Cancel could not be recorded first, so it was not clicked
    audit = AuditLog(data / "audit.sqlite3")
    try:
        task = audit.tasks()[0]
        steps = audit.steps(task.id)
        assert [(s.record.step, s.record.outcome_text) for s in steps] == [(1, "executed")]
    finally:
        audit.close()


def test_a_full_trace_folder_stops_the_task_before_its_next_action(
    screen_768: XSession, ollama: FakeOllama, small_disk: Path
) -> None:
    log = screen_768.start_form()
    ollama.script(SCRIPT)
    trace = small_disk / "trace"
    r = run_until_the_disk_fills(screen_768, ollama, small_disk, "--trace", str(trace), env=screen_768.env)
    assert r.returncode == 2, r.stdout + r.stderr
    line = one_error_line(r.stderr)
    assert f"in the trace folder {trace}, but No space left on device" in line, line
    # A line that still fits a page the file already has is written; whatever could not be
    # written stops the task. So every click that ran is on record, and the task stopped early.
    ran = clicks(log)
    assert ran[0] == "Apply" and len(ran) < 3, ran
    journal = [json.loads(line) for line in (trace / "actions.jsonl").read_text().splitlines()]
    assert len([e for e in journal if e["event"] == "started"]) == len(ran)
    audit = AuditLog(Path(screen_768.env["XDG_DATA_HOME"]) / "deskhand" / "audit.sqlite3")
    try:
        task = audit.tasks()[0]
        assert task.status == "error" and "No space left on device" in task.message
        outcomes = [s.record.outcome_text for s in audit.steps(task.id)]
        assert outcomes == ["executed"] * len(ran) + ["not run: it could not be recorded first"] * (
            len(ran) == 1
        )
    finally:
        audit.close()
