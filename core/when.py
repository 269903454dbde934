"""When a scheduled task runs: plain phrases ("every weekday 09:00") and cron lines.

Everything is in the user's local wall-clock time, as naive ``datetime`` values: a
schedule says "09:00" meaning the clock on the wall.  ``parse_when`` reads what the user
typed, relative to ``now`` ("tomorrow 08:30" becomes a date), and every form can give its
next run after any moment (``When.next_after``) and its own canonical text (``spec``), which
is what the store keeps -- so a one-off "tomorrow" stays the day it meant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from deskhand.core.errors import UsageError

__all__ = ["ACCEPTED_FORMS", "Cron", "Daily", "Every", "Once", "When", "WhenError", "parse_when"]

ACCEPTED_FORMS = (
    '"every day 09:00", "every weekday 09:00", "every weekend 10:00", "every monday 09:00", '
    '"every mon,thu 18:30", "every 2h", "every 30m", "every 1d", "today 17:00", "tomorrow 08:30", '
    '"2026-12-24 08:00", "in 20m", or a cron line such as "*/15 9-17 * * mon-fri"'
)
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_UNITS = {"m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60, "h": 3600, "hour": 3600,
          "hours": 3600, "hr": 3600, "hrs": 3600, "d": 86400, "day": 86400, "days": 86400}  # fmt: skip
_CLOCK = r"(?:at\s+)?(\d{1,2}):(\d{2})"


class WhenError(UsageError, ValueError):
    """The text is not a schedule Deskhand understands; the message lists the accepted forms."""


@dataclass(frozen=True, slots=True)
class Daily:
    """At a time of day on some weekdays (0 = Monday)."""

    at: time
    weekdays: frozenset[int]

    def next_after(self, moment: datetime) -> datetime | None:
        day = moment.date()
        for offset in range(8):
            candidate = datetime.combine(day + timedelta(days=offset), self.at)
            if candidate > moment and candidate.weekday() in self.weekdays:
                return candidate
        return None  # pragma: no cover - weekdays is never empty

    @property
    def spec(self) -> str:
        days = sorted(self.weekdays)
        if days == list(range(7)):
            which = "day"
        elif days == list(range(5)):
            which = "weekday"
        elif days == [5, 6]:
            which = "weekend"
        else:
            which = ",".join(_DAYS[d] for d in days)
        return f"every {which} {self.at:%H:%M}"


@dataclass(frozen=True, slots=True)
class Every:
    """Every ``seconds``, counted from ``anchor`` (when the schedule was made)."""

    seconds: int
    anchor: datetime

    def next_after(self, moment: datetime) -> datetime | None:
        if moment < self.anchor:
            return self.anchor + timedelta(seconds=self.seconds)
        periods = int((moment - self.anchor).total_seconds() // self.seconds) + 1
        return self.anchor + timedelta(seconds=periods * self.seconds)

    @property
    def spec(self) -> str:
        for unit, size in (("d", 86400), ("h", 3600)):
            if self.seconds % size == 0:
                return f"every {self.seconds // size}{unit} from {self.anchor:%Y-%m-%d %H:%M}"
        return f"every {self.seconds // 60}m from {self.anchor:%Y-%m-%d %H:%M}"


@dataclass(frozen=True, slots=True)
class Once:
    at: datetime

    def next_after(self, moment: datetime) -> datetime | None:
        return self.at if self.at > moment else None

    @property
    def spec(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M}"


@dataclass(frozen=True, slots=True)
class Cron:
    """A classic five-field cron line (minute hour day-of-month month day-of-week)."""

    text: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Monday, as datetime counts
    any_day: bool  # day-of-month was "*"
    any_weekday: bool  # day-of-week was "*"

    def _day_matches(self, day: date) -> bool:
        by_month_day, by_weekday = day.day in self.days, day.weekday() in self.weekdays
        if self.any_day or self.any_weekday:  # cron: both restricted means either may match
            return by_month_day and by_weekday
        return by_month_day or by_weekday

    def next_after(self, moment: datetime) -> datetime | None:
        day = moment.date()
        for _ in range(366 * 5):  # a line like "0 0 30 2 *" never matches: give up after 5 years
            if day.month in self.months and self._day_matches(day):
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        candidate = datetime.combine(day, time(hour, minute))
                        if candidate > moment:
                            return candidate
            day += timedelta(days=1)
        return None

    @property
    def spec(self) -> str:
        return self.text


When = Daily | Every | Once | Cron


def parse_when(text: str, now: datetime) -> When:
    """Read a schedule; raises ``WhenError`` naming the accepted forms."""
    phrase = " ".join(text.strip().lower().split())
    for reader in (_daily, _every, _relative_day, _date_time, _in, _cron):
        when = reader(phrase, now)
        if when is not None:
            return when
    raise WhenError(f"could not read the time {text.strip()!r}; use one of {ACCEPTED_FORMS}")


def _clock(hour: str, minute: str, text: str) -> time:
    h, m = int(hour), int(minute)
    if h > 23 or m > 59:
        raise WhenError(f"{text!r} has no such time of day ({h:02d}:{m:02d}); use 00:00 to 23:59")
    return time(h, m)


_DAY_NAMES = {
    **{name: i for i, name in enumerate(_DAYS)},
    **{name: i for i, name in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))},
    "tues": 1, "weds": 2, "thur": 3, "thurs": 3,
}  # fmt: skip


def _weekdays(word: str) -> frozenset[int] | None:
    named = {"day": range(7), "weekday": range(5), "weekend": (5, 6)}
    if word in named:
        return frozenset(named[word])
    days = set()
    for part in word.split(","):
        name = part.removesuffix("s") if part.endswith("days") else part  # "every mondays"
        if name not in _DAY_NAMES:
            return None
        days.add(_DAY_NAMES[name])
    return frozenset(days)


def _daily(phrase: str, now: datetime) -> When | None:
    match = re.fullmatch(rf"(?:every|each)\s+([a-z,]+)\s+{_CLOCK}|daily\s+{_CLOCK}", phrase)
    if match is None:
        return None
    if match.group(1) is None:
        return Daily(_clock(match.group(4), match.group(5), phrase), frozenset(range(7)))
    days = _weekdays(match.group(1))
    if days is None:
        return None
    return Daily(_clock(match.group(2), match.group(3), phrase), days)


def _every(phrase: str, now: datetime) -> When | None:
    match = re.fullmatch(
        r"(?:every\s+(\d+)\s*([a-z]+)|hourly)(?:\s+from\s+(\d{4}-\d{2}-\d{2})\s+(\d{1,2}):(\d{2}))?", phrase
    )
    if match is None:
        return None
    count, unit = (1, "h") if phrase.startswith("hourly") else (int(match.group(1)), match.group(2))
    if unit not in _UNITS or count < 1:
        return None
    seconds = count * _UNITS[unit]
    if seconds < 60 or seconds > 366 * 86400:
        raise WhenError(f"{phrase!r}: a repeat must be between 1 minute and a year")
    anchor = now.replace(second=0, microsecond=0)
    if match.group(3):
        anchor = datetime.combine(
            date.fromisoformat(match.group(3)), _clock(match.group(4), match.group(5), phrase)
        )
    return Every(seconds, anchor)


def _relative_day(phrase: str, now: datetime) -> When | None:
    match = re.fullmatch(rf"(today|tomorrow)\s+{_CLOCK}", phrase)
    if match is None:
        return None
    day = now.date() + timedelta(days=1 if match.group(1) == "tomorrow" else 0)
    at = datetime.combine(day, _clock(match.group(2), match.group(3), phrase))
    if at <= now:
        raise WhenError(f"{phrase!r} is already past; say tomorrow or a later time")
    return Once(at)


def _date_time(phrase: str, now: datetime) -> When | None:
    match = re.fullmatch(rf"(?:on\s+)?(\d{{4}}-\d{{2}}-\d{{2}})[ t]{_CLOCK}", phrase)
    if match is None:
        return None
    try:
        day = date.fromisoformat(match.group(1))
    except ValueError:
        raise WhenError(f"{phrase!r} has no such date; write it as YYYY-MM-DD") from None
    at = datetime.combine(day, _clock(match.group(2), match.group(3), phrase))
    if at <= now:
        raise WhenError(f"{phrase!r} is already past")
    return Once(at)


def _in(phrase: str, now: datetime) -> When | None:
    match = re.fullmatch(r"in\s+(\d+)\s*([a-z]+)", phrase)
    if match is None or match.group(2) not in _UNITS:
        return None
    seconds = int(match.group(1)) * _UNITS[match.group(2)]
    if seconds < 60:
        raise WhenError(f"{phrase!r}: schedule at least a minute ahead")
    return Once((now + timedelta(seconds=seconds)).replace(second=0, microsecond=0))


def _cron(phrase: str, now: datetime) -> When | None:
    fields = phrase.split()
    if len(fields) != 5:
        return None
    try:
        minutes = _cron_field(fields[0], 0, 59, ())
        hours = _cron_field(fields[1], 0, 23, ())
        days = _cron_field(fields[2], 1, 31, ())
        months = _cron_field(fields[3], 1, 12, _MONTHS, offset=1)
        sunday_first = _cron_field(fields[4].replace("7", "0"), 0, 6, ("sun", *_DAYS[:6]))
    except ValueError as exc:
        raise WhenError(f"the cron line {phrase!r} is not valid: {exc}") from None
    weekdays = frozenset((d - 1) % 7 for d in sunday_first)  # cron's Sunday is 0; ours is 6
    return Cron(phrase, minutes, hours, days, months, weekdays, fields[2] == "*", fields[4] == "*")


def _cron_field(text: str, low: int, high: int, names: tuple[str, ...], offset: int = 0) -> frozenset[int]:
    values: set[int] = set()
    for part in text.split(","):
        body, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if step < 1:
            raise ValueError(f"a step must be at least 1 in {part!r}")
        if body == "*":
            start, end = low, high
        else:
            first, _, last = body.partition("-")
            start = _cron_value(first, names, offset)
            end = _cron_value(last, names, offset) if last else (high if step_text else start)
        if not (low <= start <= high and low <= end <= high and start <= end):
            raise ValueError(f"{part!r} is outside {low}-{high}")
        values.update(range(start, end + 1, step))
    return frozenset(values)


def _cron_value(text: str, names: tuple[str, ...], offset: int) -> int:
    if text.isdigit():
        return int(text)
    if text[:3] in names:
        return names.index(text[:3]) + offset
    raise ValueError(f"{text!r} is not a number or a name")
