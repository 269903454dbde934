"""Safety through `deskhand do`, as a user meets it: risky buttons and password fields ask
first (naming what was found there), a model repeating a dead click is stopped, and a
model server that fails or restarts mid-task pauses the task instead of losing it."""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest

from deskhand.app.store.audit_log import AuditLog
from tests.e2e.conftest import MODELS
from tests.e2e.window_ready import wait_until_ready
from tests.e2e.xsession import (
    XSession,
    a11y_session,
    deskhand,
    read_events,
    settings,
    steps_of,
    wait_for,
)
from tests.fakeollama import FakeOllama

pytestmark = pytest.mark.desktop

RISKY_WINDOW = Path(__file__).parents[1] / "desktop" / "apps" / "risky_window.py"
MODEL = ("--model", "qwen2.5vl:7b")


@pytest.fixture(scope="module")
def desktop() -> Iterator[XSession]:
    """A 1080p session with an accessibility bus."""
    with a11y_session(1920, 1080) as session:
        yield session


def start_risky_window(session: XSession) -> Path:
    log = session.tmp / f"risky-{time.monotonic_ns()}.jsonl"
    log.touch()
    session.start_app([sys.executable, str(RISKY_WINDOW), str(log)])
    wait_for(lambda: bool(log.read_text().strip()), 15, "the risky window")
    wait_until_ready(session, "Risky window", read_events(log)[0]["centres"])  # type: ignore[arg-type]
    return log


def clicked(log: Path) -> list[object]:
    return [e["label"] for e in read_events(log) if e["type"] == "clicked"]


def test_a_click_on_a_risky_button_asks_first_and_names_it(desktop: XSession, ollama: FakeOllama) -> None:
    log = start_risky_window(desktop)
    trace = desktop.tmp / "trace-risky"
    ollama.script([
        {"do": "click", "target": "Delete account"},
        {"do": "click", "target": "Buy now"},
        {"do": "click", "target": "Cancel", "index": 0},
        {"do": "finish", "summary": "done"},
    ])  # fmt: skip
    r = deskhand(desktop, "do", "tidy my account", *MODEL, "--host", ollama.url, "--trace", str(trace),
                 stdin="n\ny\n")  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    steps = steps_of(trace)
    assert steps[0]["verdicts"][0]["level"] == "confirm"  # type: ignore[index]
    assert '"Delete account"' in steps[0]["verdicts"][0]["reason"]  # type: ignore[index]
    assert "Delete account" in str(steps[0]["targets"][0])  # type: ignore[index]
    assert "needs your OK" in r.stdout and '"Delete account"' in r.stdout
    assert "denied by the user" in str(steps[0]["outcome"])
    assert '"Buy now"' in steps[1]["verdicts"][0]["reason"]  # type: ignore[index]
    assert steps[2]["verdicts"][0]["level"] == "auto"  # type: ignore[index]  # plain Cancel
    assert clicked(log) == ["Buy now", "Cancel"]  # the denied click never happened


def test_typing_into_a_password_field_asks_first(desktop: XSession, ollama: FakeOllama) -> None:
    log = start_risky_window(desktop)
    x, y = json.loads(log.read_text().splitlines()[0])["centres"]["password"]
    trace = desktop.tmp / "trace-password"
    ollama.script([
        {"do": "click", "at": [x * 1316 / 1920, y * 728 / 1080]},  # screen -> the image qwen2.5-vl sees
        {"do": "type", "text": "hunter2"},
        {"do": "finish", "summary": "did not type it"},
    ])  # fmt: skip
    r = deskhand(desktop, "do", "log in", *MODEL, "--host", ollama.url, "--trace", str(trace), stdin="n\n")
    assert r.returncode == 0, r.stdout + r.stderr
    typing = steps_of(trace)[1]
    assert typing["verdicts"][0]["level"] == "confirm", typing  # type: ignore[index]
    assert "password" in typing["verdicts"][0]["reason"]  # type: ignore[index]
    assert [e for e in read_events(log) if e["type"] == "password"] == []  # nothing typed


def test_a_model_repeating_a_dead_click_is_told_then_stopped(desktop: XSession, ollama: FakeOllama) -> None:
    desktop.start_form()
    trace = desktop.tmp / "trace-repeat"
    dead = {"do": "click", "at": [60, 60]}  # the empty desktop: after the first click (which
    ollama.script([dead, dead, dead, dead, {"do": "finish"}])  # unfocuses the form) no change
    r = deskhand(desktop, "do", "press the thing", *MODEL, "--host", ollama.url, "--trace", str(trace))
    assert r.returncode == 1, r.stdout + r.stderr
    assert "kept repeating click at" in r.stdout and "changed nothing" in r.stdout
    steps = steps_of(trace)
    assert len(steps) == 4 and str(steps[2]["outcome"]).startswith("not repeated:")
    assert [s["outcome"] for s in steps[:2]] == ["executed", "executed"]
    told = json.dumps(ollama.chat_requests[3].body["messages"])
    assert "not repeated" in told and "try something else" in told


def test_a_server_error_mid_task_pauses_and_the_task_resumes(desktop: XSession, ollama: FakeOllama) -> None:
    form = desktop.start_form()
    ollama.script([
        {"do": "click", "target": "Apply"},
        {"do": "error", "status": 500, "message": "model runner crashed"},
        {"do": "cut", "text": "<tool_call>{\"name\": \"computer_use\", \"argu"},
        {"do": "click", "target": "Cancel"},
        {"do": "finish", "summary": "both clicked"},
    ])  # fmt: skip
    r = deskhand(desktop, "do", "apply then cancel", *MODEL, "--host", ollama.url)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stderr.count("Paused:") == 2 and "model runner crashed" in r.stderr
    assert "Resumed" in r.stderr
    assert [e["button"] for e in read_events(form) if e["event"] == "click"] == ["Apply", "Cancel"]


def _start_task(session: XSession, url: str, task: str) -> subprocess.Popen[str]:
    exe = Path(sys.executable).with_name("deskhand")
    return subprocess.Popen(
        [str(exe), "do", task, *MODEL, "--host", url], env=session.env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def test_ollama_restarting_mid_task_loses_nothing(desktop: XSession) -> None:
    form = desktop.start_form()
    with FakeOllama(models=MODELS) as first:
        first.script([{"do": "click", "target": "Apply"}, {"do": "hang", "seconds": 60}])
        proc = _start_task(desktop, first.url, "apply, then cancel")
        wait_for(lambda: len(first.chat_requests) >= 2, 30, "the second model request")
        port = first.port
    time.sleep(1.5)  # stays: the server is down for a while, and the task must wait it out
    with FakeOllama(models=MODELS, port=port) as second:
        second.script([{"do": "click", "target": "Cancel"}, {"do": "finish", "summary": "done"}])
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, out + err
    assert "Paused:" in err and "Resumed" in err
    assert [e["button"] for e in read_events(form) if e["event"] == "click"] == ["Apply", "Cancel"]


def test_a_server_that_stays_away_ends_the_task_with_exit_2_and_keeps_its_steps(desktop: XSession) -> None:
    desktop.start_form()
    with settings(desktop, "model_wait_seconds = 2\n"):
        with FakeOllama(models=MODELS) as server:
            server.script([{"do": "click", "target": "Apply"}, {"do": "hang", "seconds": 60}])
            proc = _start_task(desktop, server.url, "apply and wait")
            wait_for(lambda: len(server.chat_requests) >= 2, 30, "the second model request")
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2, out + err
    # The patience is 2 s of wall-clock time; the last try may add up to a second
    # (``LAST_TRY``), and the message says the seconds really waited.
    gave_up = re.search(r"Gave up after waiting (\d+) s", err)
    assert gave_up is not None and 2 <= int(gave_up.group(1)) <= 4, err
    assert err.strip().splitlines()[-1].startswith("deskhand: error:")
    log = AuditLog(Path(desktop.env["XDG_DATA_HOME"]) / "deskhand" / "audit.sqlite3")
    task = next(t for t in log.tasks() if t.task == "apply and wait")
    assert task.status == "error" and len(log.steps(task.id)) == 1
    log.close()


def deskhand_on_a_terminal(session: XSession, *args: str, typed: str) -> tuple[int, str]:
    """Run the CLI with a pseudo-terminal as stdin, on which a person has typed ``typed``."""
    exe = Path(sys.executable).with_name("deskhand")
    main, side = os.openpty()
    try:
        os.write(main, typed.encode())
        done = subprocess.run([str(exe), *args], env=session.env, stdin=side, capture_output=True,
                              text=True, timeout=120, check=False)  # fmt: skip
    finally:
        os.close(side)
        os.close(main)
    return done.returncode, done.stdout + done.stderr


def test_an_unlocked_rule_asks_a_person_and_yes_never_answers_it(
    desktop: XSession, ollama: FakeOllama
) -> None:
    documents = Path(desktop.env["HOME"]) / "Documents"
    (documents / "old").mkdir(parents=True, exist_ok=True)
    wipe = {"do": "shell", "command": "rm -rf ~/Documents"}
    ollama.script([wipe, {"do": "finish"}])
    r = deskhand(desktop, "do", "tidy my documents", *MODEL, "--host", ollama.url, "--yes")
    assert r.returncode == 0 and "blocked by policy" in r.stdout, r.stdout + r.stderr  # --yes is no key
    with settings(desktop, 'unlocked_rules = ["wipe-tree"]\n'):
        ollama.script([wipe, {"do": "finish"}])
        r = deskhand(desktop, "do", "tidy my documents", *MODEL, "--host", ollama.url, "--yes", stdin="y\n")
        assert r.returncode == 0, r.stdout + r.stderr
        assert "needs your OK" in r.stdout and "unlocked in settings" in r.stdout
        assert "allowed by --yes" not in r.stdout and "no terminal asks one: denied" in r.stdout
        assert documents.is_dir()  # neither --yes nor a piped "y" is a person
        ollama.script([wipe, {"do": "finish"}])
        code, out = deskhand_on_a_terminal(
            desktop, "do", "tidy my documents", *MODEL, "--host", ollama.url, "--yes", typed="y\n"
        )
    assert code == 0, out
    assert "--yes does not answer for unlocked rule 'wipe-tree'" in out and "outcome: executed" in out
    assert not documents.exists()  # the person at the terminal said yes


# What the step record does not time in a step's own work: building the prompt, the wait for
# the model load (first step), the request's way to the fake, writing the record -- about 50 ms
# on an idle machine.  Far below a 4 s wait, so a loop giving up one step early still fails.
UNTIMED_SLACK = 0.5


def test_the_time_budget_ends_a_task_that_keeps_waiting(desktop: XSession, ollama: FakeOllama) -> None:
    ollama.script([{"do": "wait", "seconds": 4}] * 6 + [{"do": "finish"}])
    trace = desktop.tmp / "trace-budget"
    with settings(desktop, "max_task_seconds = 10\n"):
        started = time.monotonic()
        r = deskhand(
            desktop, "do", "wait for the download", *MODEL, "--host", ollama.url, "--trace", str(trace)
        )
        elapsed = time.monotonic() - started
    assert r.returncode == 1, r.stdout + r.stderr
    assert "gave_up: Ran out of time (10 s)." in r.stdout
    assert elapsed >= 10  # it did not give up before the budget ran out
    # How many steps fit depends on the machine's speed; when they ran does not.  On the fake's
    # clock, each step began (right after the loop checked the budget) its capture and encode
    # before its model request arrived, and the loop checked again the step's total after that.
    steps, requests = steps_of(trace), ollama.chat_requests
    assert len(steps) == len(requests), (steps, requests)
    timings = [cast(dict[str, float], s["timings_ms"]) for s in steps]
    began = [q.arrived - (t["capture"] + t["encode"]) / 1000 for q, t in zip(requests, timings, strict=True)]
    since = [b - began[0] for b in began]  # seconds into the budget, which began with the first step
    checked_last = since[-1] + timings[-1]["total"] / 1000
    arrivals = [q.arrived for q in requests]
    assert all(b - a >= 4 for a, b in itertools.pairwise(arrivals)), arrivals  # each wait ran in full
    assert since[-1] <= 10 + UNTIMED_SLACK, since  # no step began after the budget ran out
    assert checked_last >= 10 - UNTIMED_SLACK, (checked_last, since)  # it gave up only once it had run out


def test_a_slow_server_pauses_the_task_until_it_answers(desktop: XSession, ollama: FakeOllama) -> None:
    form = desktop.start_form()
    ollama.script([
        {"do": "hang", "seconds": 6, "then": {"do": "finish", "summary": "too late"}},  # stuck
        {"do": "click", "target": "Apply"},
        {"do": "finish", "summary": "applied"},
    ])  # fmt: skip
    with settings(desktop, "first_token_timeout = 2\n"):
        r = deskhand(desktop, "do", "apply", *MODEL, "--host", ollama.url)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Paused:" in r.stderr and "waited 2 s" in r.stderr and "Resumed" in r.stderr
    assert r.stdout.strip().endswith("applied")
    assert [e["button"] for e in read_events(form) if e["event"] == "click"] == ["Apply"]
