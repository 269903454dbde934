"""Memory and schedules on real SQLite: what is kept, refused, due, missed and skipped."""

from __future__ import annotations

import stat
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from deskhand.app.store.memory_store import MemoryStore
from deskhand.app.store.schedule_store import Schedule, ScheduleStore
from deskhand.app.tray.scheduler import ScheduleRunner
from deskhand.core.errors import ExecutionFailed, UsageError

NOW = datetime(2026, 12, 3, 8, 59)


def test_memory_is_private_and_refuses_secrets(tmp_path: Path) -> None:
    store = MemoryStore(tmp_path / "data" / "personal.sqlite3")
    assert store.add("  my editor   is mousepad ") == 1
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "data" / "personal.sqlite3").stat().st_mode) == 0o600
    with pytest.raises(UsageError, match="never keeps secrets"):
        store.add("github token ghp_0123456789abcdefghijABCDEFGHIJ")
    with pytest.raises(ExecutionFailed, match="never keeps secrets"):
        store.remember("password: hunter2")
    assert [f.text for f in store.facts()] == ["my editor is mousepad"]
    assert store.export_text() == "my editor is mousepad\n"


def test_memory_recall_forget_and_clear(tmp_path: Path) -> None:
    store = MemoryStore(tmp_path / "personal.sqlite3")
    store.add("reports go to ~/Reports")
    model_fact = store.remember("the printer is called Laser-2")
    assert [f.source for f in store.facts()] == ["user", "model"]
    assert [f.id for f in store.recall("send the reports to the printer")] == [1, model_fact]
    assert store.forget(1) and not store.forget(1)
    assert store.clear() == 1 and store.facts() == []


def test_a_schedule_is_due_at_its_time_and_then_moves_on(tmp_path: Path) -> None:
    store = ScheduleStore(tmp_path / "personal.sqlite3")
    s = store.add("every weekday 09:00", "Write the report", NOW)
    assert s.spec == "every weekday 09:00" and s.describe_next() == "2026-12-03 09:00"
    assert store.due(NOW) == []
    at_nine = NOW + timedelta(minutes=1)
    assert [d.id for d in store.due(at_nine)] == [s.id]
    after = store.mark_ran(s.id, at_nine)
    assert after.describe_next() == "2026-12-04 09:00" and after.last_run_at == at_nine.timestamp()


def test_the_runner_waits_while_busy_and_runs_a_missed_schedule_once(tmp_path: Path) -> None:
    store = ScheduleStore(tmp_path / "personal.sqlite3")
    s = store.add("every 1h", "check mail", NOW)
    started: list[Schedule] = []
    busy = True
    now = NOW + timedelta(hours=5, minutes=30)  # five runs missed

    def start(schedule: Schedule) -> bool:
        if busy:
            return False
        started.append(schedule)
        return True

    runner = ScheduleRunner(store, start, lambda: now)
    assert [m.id for m in runner.missed()] == [s.id]
    assert runner.tick() is None and store.get(s.id).last_run_at is None  # still due
    busy = False
    assert runner.tick() is not None and [x.id for x in started] == [s.id]
    assert runner.tick() is None and len(started) == 1  # once, not five times
    assert store.get(s.id).next_run_at == (NOW + timedelta(hours=6)).timestamp()


def test_skipping_missed_runs_moves_them_to_their_next_time(tmp_path: Path) -> None:
    store = ScheduleStore(tmp_path / "personal.sqlite3")
    s = store.add("every day 09:00", "water plants", NOW)
    later = NOW + timedelta(days=2)
    runner = ScheduleRunner(store, lambda _: pytest.fail("must not run"), lambda: later)
    runner.skip(runner.missed())
    assert store.get(s.id).describe_next() == "2026-12-05 09:00"
    assert store.get(s.id).last_run_at is None


def test_a_one_off_is_done_after_its_run(tmp_path: Path) -> None:
    store = ScheduleStore(tmp_path / "personal.sqlite3")
    s = store.add("tomorrow 08:30", "wake me", NOW)
    assert store.mark_ran(s.id, datetime(2026, 12, 4, 8, 30)).describe_next() == "done"


@pytest.mark.parametrize(
    ("when", "task", "says"),
    [
        ("soonish", "x", "could not read the time 'soonish'"),
        ("every day 09:00", "  ", "empty task"),
        ("every day 09:00", "/monday-report team=ops", "skills are not available"),
    ],
)
def test_bad_schedules_are_usage_errors(tmp_path: Path, when: str, task: str, says: str) -> None:
    with pytest.raises(UsageError, match=says):
        ScheduleStore(tmp_path / "p.sqlite3").add(when, task, NOW)
