"""``--trace DIR`` files are private like the audit log: folder 0700, files 0600."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from deskhand.app.store.tracefile import TraceDirectory
from tests.unit.app.audit_samples import observation, record


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The umask most desktops run with (022), whatever the test runner's is."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_trace_folder_and_files_are_private(tmp_path: Path, usual_umask: None) -> None:
    folder = tmp_path / "runs" / "trace"
    trace = TraceDirectory(folder)
    trace.record(record(1, [], thought="look", outcome="no action"), observation(1, (1, 2, 3)))
    trace.finish({"status": "finished"})
    assert mode(folder) == 0o700
    assert mode(folder.parent) == 0o700  # made for the trace, so private too
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["actions.jsonl", "step-001.jpg", "steps.jsonl", "task.json"]
    assert {p.name: mode(p) for p in folder.iterdir()} == dict.fromkeys(files, 0o600)


def test_an_existing_folder_keeps_its_mode_and_files_become_private(
    tmp_path: Path, usual_umask: None
) -> None:
    folder = tmp_path / "mine"
    folder.mkdir(mode=0o755)
    (folder / "steps.jsonl").write_text("")
    os.chmod(folder / "steps.jsonl", 0o644)  # left by an older Deskhand
    trace = TraceDirectory(folder)
    trace.record(record(1, [], thought="look", outcome="no action"), observation(1, (1, 2, 3)))
    trace.finish({"status": "finished"})
    assert mode(folder) == 0o755  # the user's own folder: not ours to change
    assert {p.name: mode(p) for p in folder.iterdir()} == dict.fromkeys(
        ["actions.jsonl", "step-001.jpg", "steps.jsonl", "task.json"], 0o600
    )
