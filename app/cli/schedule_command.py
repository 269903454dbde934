"""``deskhand schedule add WHEN TASK | list | remove ID | run-now ID``.

The tray app runs schedules when they are due; ``run-now`` runs one here and now in the
terminal, exactly as ``deskhand do`` would -- without ``--yes``: a scheduled task never
approves anything on its own, so risky steps are asked here.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

from deskhand.app.store.config import load_settings
from deskhand.app.store.schedule_store import ScheduleStore
from deskhand.app.store.settings_store import personal_db_path

__all__ = ["open_schedules", "run_schedule"]


def open_schedules() -> ScheduleStore:
    return ScheduleStore(personal_db_path(load_settings()))


def run_schedule(args: argparse.Namespace) -> int:
    store = open_schedules()
    if args.schedule_command == "add":
        schedule = store.add(args.when, args.task)
        sys.stdout.write(
            f"scheduled #{schedule.id}: {schedule.spec}, next {schedule.describe_next()}: {schedule.task}\n"
            "(scheduled tasks run while the Deskhand tray app is running)\n"
        )
    elif args.schedule_command == "list":
        _list(store)
    elif args.schedule_command == "remove":
        store.remove(args.id)
        sys.stdout.write(f"removed schedule #{args.id}\n")
    else:
        return _run_now(store, args.id)
    return 0


def _list(store: ScheduleStore) -> None:
    schedules = store.all()
    if not schedules:
        sys.stdout.write('no schedules (add one with `deskhand schedule add "every weekday 09:00" "…"`)\n')
    for s in schedules:
        sys.stdout.write(f"#{s.id:<4} next {s.describe_next():<16}  {s.spec:<28}  {s.task}\n")


def _run_now(store: ScheduleStore, schedule_id: int) -> int:
    from deskhand.app.cli.main import build_parser
    from deskhand.app.cli.run_command import run_do

    schedule = store.get(schedule_id)
    store.mark_ran(schedule_id, datetime.now())
    args = build_parser().parse_args(["do", schedule.task])
    args.origin = "scheduled"
    return run_do(args)
