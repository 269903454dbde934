"""Schedules in words and cron: each accepted form, its next run, and clear refusals."""

from __future__ import annotations

from datetime import datetime

import pytest

from deskhand.core.when import ACCEPTED_FORMS, Cron, Daily, Every, Once, WhenError, parse_when

NOW = datetime(2026, 12, 3, 10, 15)  # a Thursday


def next_runs(text: str, count: int = 3, now: datetime = NOW) -> list[datetime]:
    when = parse_when(text, now)
    runs, moment = [], now
    for _ in range(count):
        moment = when.next_after(moment)  # type: ignore[assignment]
        assert moment is not None
        runs.append(moment)
    return runs


def test_every_weekday_skips_the_weekend() -> None:
    assert next_runs("every weekday 09:00") == [
        datetime(2026, 12, 4, 9, 0),  # Friday (today's 09:00 has passed)
        datetime(2026, 12, 7, 9, 0),  # Monday
        datetime(2026, 12, 8, 9, 0),
    ]


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("every day 10:30", datetime(2026, 12, 3, 10, 30)),
        ("daily 08:00", datetime(2026, 12, 4, 8, 0)),
        ("every weekend 10:00", datetime(2026, 12, 5, 10, 0)),
        ("every monday at 09:00", datetime(2026, 12, 7, 9, 0)),
        ("Every Mon,Thu 18:30", datetime(2026, 12, 3, 18, 30)),
        ("every 2h", datetime(2026, 12, 3, 12, 15)),
        ("every 30 minutes", datetime(2026, 12, 3, 10, 45)),
        ("hourly", datetime(2026, 12, 3, 11, 15)),
        ("today 17:00", datetime(2026, 12, 3, 17, 0)),
        ("tomorrow 08:30", datetime(2026, 12, 4, 8, 30)),
        ("2026-12-24 08:00", datetime(2026, 12, 24, 8, 0)),
        ("in 20m", datetime(2026, 12, 3, 10, 35)),
        ("*/15 9-17 * * mon-fri", datetime(2026, 12, 3, 10, 30)),
        ("0 9 1 * *", datetime(2027, 1, 1, 9, 0)),
        ("30 6 * * 0", datetime(2026, 12, 6, 6, 30)),  # cron's Sunday is 0
        ("30 6 * * 7", datetime(2026, 12, 6, 6, 30)),  # ...and 7
    ],
)
def test_accepted_forms(text: str, first: datetime) -> None:
    assert parse_when(text, NOW).next_after(NOW) == first


def test_a_one_off_runs_once() -> None:
    when = parse_when("tomorrow 08:30", NOW)
    assert isinstance(when, Once)
    assert when.next_after(datetime(2026, 12, 4, 8, 30)) is None


def test_cron_day_of_month_or_weekday_when_both_are_given() -> None:
    # Classic cron: the 13th of the month OR any Friday.
    assert next_runs("0 12 13 * fri", 3) == [
        datetime(2026, 12, 4, 12, 0),
        datetime(2026, 12, 11, 12, 0),
        datetime(2026, 12, 13, 12, 0),
    ]


def test_a_cron_line_that_never_matches_has_no_next_run() -> None:
    assert parse_when("0 0 30 2 *", NOW).next_after(NOW) is None


@pytest.mark.parametrize(
    "text", ["every weekday 09:00", "every 2h", "*/5 * * * *", "every sat,sun 07:15", "tomorrow 08:30"]
)
def test_the_stored_spec_reads_back_as_the_same_schedule(text: str) -> None:
    when = parse_when(text, NOW)
    again = parse_when(when.spec, datetime(2026, 12, 3, 10, 16))
    assert again.next_after(NOW) == when.next_after(NOW)
    assert type(again) is type(when) and isinstance(when, Daily | Every | Once | Cron)


def test_every_keeps_its_rhythm_from_when_it_was_made() -> None:
    when = parse_when("every 2h", NOW)
    assert when.next_after(datetime(2026, 12, 4, 3, 0)) == datetime(2026, 12, 4, 4, 15)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("next tuesday", "could not read the time"),
        ("every weekday 25:00", "no such time of day"),
        ("today 09:00", "already past"),
        ("2026-02-30 09:00", "no such date"),
        ("every 10s", "could not read"),
        ("61 * * * *", "cron line"),
        ("", "could not read"),
    ],
)
def test_unreadable_times_say_what_is_accepted(text: str, says: str) -> None:
    with pytest.raises(WhenError) as caught:
        parse_when(text, NOW)
    assert says in str(caught.value)
    if says == "could not read the time":
        assert ACCEPTED_FORMS in str(caught.value)
