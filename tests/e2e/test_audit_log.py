"""Every task lands in the audit log; a kill -9 mid-task loses no committed step."""

from __future__ import annotations

import os
import signal
import stat
import sys
from pathlib import Path

import pytest

from deskhand.app.store.audit_log import AuditLog
from tests.e2e.xsession import XSession, deskhand, killed, pids_of, read_events, task_started, wait_for
from tests.fakeollama import FakeOllama

pytestmark = pytest.mark.desktop


def audit_path(session: XSession) -> Path:
    return Path(session.env["XDG_DATA_HOME"]) / "deskhand" / "audit.sqlite3"


def test_task_steps_and_screenshots_are_kept_privately(screen_768: XSession, ollama: FakeOllama) -> None:
    screen_768.start_form()
    ollama.script([{"do": "click", "target": "Apply"}, {"do": "finish", "summary": "Applied."}])
    r = deskhand(screen_768, "do", "Click Apply", "--model", "qwen2.5vl:7b", "--host", ollama.url)
    assert r.returncode == 0, r.stdout + r.stderr
    path = audit_path(screen_768)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    log = AuditLog(path)
    newest = log.tasks()[0]
    assert (newest.task, newest.status, newest.steps) == ("Click Apply", "finished", 2)
    assert "Applied." in newest.message
    steps = log.steps(newest.id)
    assert steps[0].record.to_json_dict()["actions"][0]["kind"] == "click"
    assert steps[0].screenshot[:2] == b"\xff\xd8"
    assert steps[0].record.timings_ms["total"] > 0
    log.close()


def test_kill_9_mid_task_keeps_committed_steps(screen_768: XSession, ollama: FakeOllama) -> None:
    screen_768.start_form()
    ollama.script([
        {"do": "click", "target": "Apply"},
        {"do": "click", "target": "Cancel"},
        {"do": "hang", "seconds": 60},
    ])  # fmt: skip
    killed(task_started(screen_768, ollama, "click around", requests=3))
    log = AuditLog(audit_path(screen_768))  # reopening marks the task interrupted
    task = next(t for t in log.tasks() if t.task == "click around")
    assert task.status == "interrupted"
    assert [s.record.step for s in log.steps(task.id)] == [1, 2]
    assert log._db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    log.close()


def test_history_command_lists_and_replays(screen_768: XSession, ollama: FakeOllama) -> None:
    screen_768.start_form()
    ollama.script([{"do": "click", "target": "Cancel"}, {"do": "finish", "summary": "Cancelled."}])
    assert (
        deskhand(
            screen_768, "do", "Press Cancel", "--model", "ui-tars-1.5:7b", "--host", ollama.url
        ).returncode
        == 0
    )
    listing = deskhand(screen_768, "history")
    assert listing.returncode == 0, listing.stderr
    newest = listing.stdout.splitlines()[1]
    assert "Press Cancel" in newest and "finished" in newest
    task_id = newest.split()[0]
    steps = deskhand(screen_768, "history", task_id)
    assert steps.returncode == 0, steps.stderr
    assert "click" in steps.stdout and "Cancelled." in steps.stdout
    missing = deskhand(screen_768, "history", "99999")
    assert missing.returncode == 2 and missing.stderr.startswith("deskhand: error:")


HELD = """
from Xlib import X
from Xlib.display import Display
d = Display()
keymap = d.query_keymap()
shift = d.keysym_to_keycode(0xFFE1)  # Shift_L
print(bool(keymap[shift // 8] & (1 << (shift % 8))), bool(d.screen().root.query_pointer().mask & X.Button1Mask))
"""


def test_after_a_crash_the_next_start_lets_go_of_held_keys_and_buttons(
    screen_768: XSession, ollama: FakeOllama
) -> None:
    screen_768.start_form()
    ollama.script([{"do": "hang", "seconds": 60}])
    proc = task_started(screen_768, ollama, "drag something")
    # Killed in the middle of a shift-drag: the button and the key stay down for the desktop.
    screen_768.run(["xdotool", "keydown", "shift", "mousedown", "1"])
    killed(proc)
    held = screen_768.run([sys.executable, "-c", HELD], text=True)
    assert held.stdout.split() == ["True", "True"], held
    ollama.script([{"do": "finish", "summary": "ok"}])
    r = deskhand(screen_768, "do", "anything", "--model", "qwen2.5vl:7b", "--host", ollama.url)
    assert r.returncode == 0, r.stdout + r.stderr
    held = screen_768.run([sys.executable, "-c", HELD], text=True)
    assert held.stdout.split() == ["False", "False"], held


HELD_KEYS = """
import sys
from Xlib import XK
from Xlib.display import Display
d = Display()
keymap = d.query_keymap()
for name in sys.argv[1:]:
    code = d.keysym_to_keycode(XK.string_to_keysym(name))
    print(name, bool(keymap[code // 8] & (1 << (code % 8))))
"""


def test_after_a_crash_mid_typing_the_next_start_lets_go_of_the_letter_key(
    screen_768: XSession, ollama: FakeOllama
) -> None:
    screen_768.start_form()
    ollama.script([{"do": "hang", "seconds": 60}])
    proc = task_started(screen_768, ollama, "type a report")
    # Killed between the press and the release of a letter while typing: the key stays down.
    screen_768.run(["xdotool", "keydown", "q", "keydown", "7"])
    killed(proc)
    held = screen_768.run([sys.executable, "-c", HELD_KEYS, "q", "7", "Return"], text=True)
    assert held.stdout.split() == ["q", "True", "7", "True", "Return", "False"], held
    ollama.script([{"do": "finish", "summary": "ok"}])
    r = deskhand(screen_768, "do", "anything", "--model", "qwen2.5vl:7b", "--host", ollama.url)
    assert r.returncode == 0, r.stdout + r.stderr
    held = screen_768.run([sys.executable, "-c", HELD_KEYS, "q", "7", "Return"], text=True)
    assert held.stdout.split() == ["q", "False", "7", "False", "Return", "False"], held


def test_kill_9_mid_action_leaves_it_on_record_and_ends_its_command(
    screen_768: XSession, ollama: FakeOllama
) -> None:
    log = screen_768.start_form()
    command = ["sleep", "97.25"]  # a duration no other process on this machine uses
    ollama.script([{"do": "click", "target": "Apply"}, {"do": "shell", "command": " ".join(command)}])
    proc = task_started(screen_768, ollama, "apply, then wait", "--yes", requests=2)
    try:
        wait_for(lambda: bool(pids_of(command)), timeout=30, what="the shell command to start")
        killed(proc)
        # The command dies with Deskhand: nothing goes on acting for a task nobody watches.
        wait_for(lambda: not pids_of(command), timeout=5, what="the command to end with Deskhand")
    finally:
        proc.kill()
        for pid in pids_of(command):
            os.kill(pid, signal.SIGKILL)
    assert [e["button"] for e in read_events(log) if e["event"] == "click"] == ["Apply"]
    listing = deskhand(screen_768, "history")  # opening the log marks the task interrupted
    row = next(line for line in listing.stdout.splitlines() if "apply, then wait" in line)
    assert " interrupted " in row, listing.stdout
    detail = deskhand(screen_768, "history", row.split()[0]).stdout
    step_1, step_2 = detail.split("\nstep 2")
    assert "click at" in step_1 and "outcome   executed" in step_1
    assert ", not finished)" in step_2.splitlines()[0]
    assert "actions   run `sleep 97.25`" in step_2, detail
    assert "verdicts  auto: " in step_2
    assert "outcome   started, not finished (interrupted)" in step_2, detail
