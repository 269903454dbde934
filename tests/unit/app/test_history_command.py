"""`deskhand history` output over a real audit log, and the step text the window shares."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from deskhand.app.cli.history_command import run_history
from deskhand.app.store.audit_log import AuditLog
from deskhand.app.store.history_views import format_duration, step_view
from deskhand.core.errors import UsageError
from tests.unit.app.audit_samples import CLICK_AT, crashed_task, fill


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DESKHAND_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DESKHAND_CONFIG", str(tmp_path / "config.toml"))
    return tmp_path / "data"


@pytest.fixture
def filled(data_dir: Path) -> tuple[int, int]:
    log = AuditLog(data_dir / "audit.sqlite3")
    ids = fill(log)
    log.close()
    return ids


def history(capsys: pytest.CaptureFixture[str], task_id: int | None = None, limit: int | None = None) -> str:
    assert run_history(argparse.Namespace(task_id=task_id, limit=limit)) == 0
    return capsys.readouterr().out


def test_tasks_are_listed_newest_first(filled: tuple[int, int], capsys: pytest.CaptureFixture[str]) -> None:
    older, newer = filled
    lines = history(capsys).splitlines()
    assert lines[0].split() == ["ID", "STARTED", "STATUS", "STEPS", "TIME", "TASK"]
    assert lines[1].split()[0] == str(newer) and lines[1].endswith("Open the pod bay doors")
    assert lines[2].split()[0] == str(older) and lines[2].endswith("Click OK then type hello")
    assert " finished " in lines[2] and "    3 " in lines[2]
    assert " failed " in lines[1] and "    0 " in lines[1]


def test_limit_keeps_the_newest(filled: tuple[int, int], capsys: pytest.CaptureFixture[str]) -> None:
    lines = history(capsys, limit=1).splitlines()
    assert len(lines) == 2 and lines[1].endswith("Open the pod bay doors")


def test_one_task_shows_each_step(filled: tuple[int, int], capsys: pytest.CaptureFixture[str]) -> None:
    out = history(capsys, task_id=filled[0])
    assert out.startswith(f"Task {filled[0]}: Click OK then type hello\n")
    assert "model     qwen2.5vl:7b (qwen2.5-vl) on http://h:1" in out
    assert "status    finished: Typed it." in out
    assert f"actions   click at ({CLICK_AT[0]:.0f}, {CLICK_AT[1]:.0f})" in out
    assert "verdicts  auto: pointer and waiting actions are reversible" in out
    assert "answers   deny" in out
    assert "outcome   denied by the user: typing text" in out
    assert "timings   capture 3 · encode 4 · model 812 · parse 0 · total 900 ms" in out
    assert [line.split()[:2] for line in out.splitlines() if line.startswith("step ")] == [
        ["step", "1"],
        ["step", "2"],
        ["step", "3"],
    ]


def test_a_task_without_steps_says_so(filled: tuple[int, int], capsys: pytest.CaptureFixture[str]) -> None:
    out = history(capsys, task_id=filled[1])
    assert "status    failed: Tried to reach Ollama" in out
    assert out.endswith("(no steps were recorded)\n")


def test_an_unknown_task_is_a_usage_error(filled: tuple[int, int]) -> None:
    with pytest.raises(UsageError, match=r"There is no task 999 in the history at .*`deskhand history`"):
        run_history(argparse.Namespace(task_id=999, limit=None))


def test_no_history_yet_creates_nothing(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert history(capsys).startswith("No tasks recorded yet")
    assert not data_dir.exists()


def test_step_view_marks_pointer_targets_in_image_pixels() -> None:
    from tests.unit.app.audit_samples import record

    drag = {"kind": "drag", "start": {"x": 1, "y": 2}, "end": {"x": 30, "y": 40}}
    view = step_view(record(4, [drag, {"kind": "hotkey", "keys": ["ctrl", "s"]}], thought="t", outcome="o"))
    assert view.marks == [(1.0, 2.0), (30.0, 40.0)]
    assert view.actions == ["drag from (1, 2) to (30, 40)", "press ctrl+s"]
    unknown = step_view(record(5, [{"kind": "teleport"}], thought="", outcome="o"))
    assert unknown.actions == ['{"kind": "teleport"}']


@pytest.mark.parametrize(("seconds", "text"), [(None, "-"), (3.25, "3.2 s"), (75, "1 min 15 s")])
def test_durations_read_naturally(seconds: float | None, text: str) -> None:
    assert format_duration(seconds) == text


def test_multi_line_values_keep_the_columns_and_escapes_are_shown(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.unit.app.audit_samples import observation, record

    log = AuditLog(data_dir / "audit.sqlite3")
    task = log.begin_task(
        "List\x1b[2J it\nplease", model="qwen2.5vl:7b", dialect="qwen2.5-vl", host="http://h:1"
    )
    shell = {"kind": "run_shell", "command": "ls"}
    outcome = "executed: exit code 0\nstdout:\na.txt\n\x1b]0;pwned\x07b.txt\n\nstderr:\n"
    task.record(record(1, [shell], thought="First\nlook.", outcome=outcome), observation(1, (9, 9, 9)))
    task.finish("finished", "Listed two files:\na.txt\nb.txt\r\n")
    log.close()
    lines = history(capsys, task_id=task.task_id).splitlines()
    assert lines[0] == f"Task {task.task_id}: List\\x1b[2J it please"
    assert lines[3:6] == ["  status    finished: Listed two files:", "            a.txt", "            b.txt"]
    assert lines[7:9] == ["  thought   First", "            look."]
    assert lines[11:17] == [
        "  outcome   executed: exit code 0",
        "            stdout:",
        "            a.txt",
        "            \\x1b]0;pwned\\x07b.txt",
        "",
        "            stderr:",
    ]
    assert lines[17].startswith("  timings   capture 3")
    assert history(capsys).splitlines()[1].endswith("  List\\x1b[2J it please")


def test_an_action_a_crash_cut_short_is_on_record(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    task_id = crashed_task(data_dir / "audit.sqlite3")
    out = history(capsys, task_id=task_id)  # opening the log marks the task interrupted
    assert "status    interrupted: Deskhand ended before the task did." in out
    step_1, step_2 = out.split("\nstep 2")
    assert "outcome   executed" in step_1 and "not finished" not in step_1
    assert ", not finished)" in step_2.splitlines()[0]
    assert "actions   type 'a long report'" in step_2
    assert "answers   allow once" in step_2
    assert "outcome   started, not finished (interrupted)" in step_2
    assert f"{task_id}  " in history(capsys) and " interrupted " in history(capsys)
