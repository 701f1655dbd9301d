"""The working calendar: weekends, public holidays and adjusted working days (调休), per year,
and working hours within a day. Pure arithmetic: aware UTC in and out, local time
(Asia/Shanghai by default) inside.

A working day is the working hours of one day (09:00–12:00 and 13:00–18:00 by default, 8 h),
so adding 1 working day on Friday 15:00 lands on Monday 15:00. A start outside working hours
snaps to the beginning of the next working period.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from cityops.kernel.clock import SHANGHAI, as_utc
from cityops.worktime.limits import LimitUnit, TimeLimit

log = logging.getLogger(__name__)

DEFAULT_HOLIDAYS_FILE = Path(__file__).with_name("holidays.yaml")
DEFAULT_WORKING_HOURS: tuple[tuple[time, time], ...] = (
    (time(9, 0), time(12, 0)),
    (time(13, 0), time(18, 0)),
)
# How far the arithmetic looks ahead for a working day before it gives up (a broken calendar).
_MAX_SEARCH_DAYS = 3 * 366


@dataclass(frozen=True)
class YearRules:
    """One year's public holidays (放假) and adjusted working days (调休上班)."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()


class WorkingCalendar:
    """Working-time arithmetic for SLA deadlines (platform.calendar)."""

    def __init__(
        self,
        years: Mapping[int, YearRules] | None = None,
        *,
        working_hours: Sequence[tuple[time, time]] = DEFAULT_WORKING_HOURS,
        timezone: ZoneInfo = SHANGHAI,
    ) -> None:
        self._years = dict(years or {})
        self._hours = _checked_hours(working_hours)
        self.timezone = timezone
        self._warned: set[int] = set()

    @property
    def known_years(self) -> frozenset[int]:
        return frozenset(self._years)

    def year_rules(self, year: int) -> YearRules | None:
        """One year's holidays and adjusted working days; None for a year not in the calendar
        (it counts weekends only)."""
        return self._years.get(year)

    def set_year(self, year: int, rules: YearRules) -> None:
        """Replace one year's rules (an administrator's change, kept in the database)."""
        self._years[year] = rules
        self._warned.discard(year)

    @property
    def working_hours(self) -> tuple[tuple[time, time], ...]:
        return self._hours

    @property
    def seconds_per_working_day(self) -> float:
        return sum(_seconds(start, end) for start, end in self._hours)

    def is_working_day(self, d: date) -> bool:
        rules = self._years.get(d.year)
        if rules is None:
            if d.year not in self._warned:
                self._warned.add(d.year)
                log.warning("no holiday calendar for %s: counting weekends only", d.year)
            return d.weekday() < 5
        if d in rules.workdays:
            return True
        if d in rules.holidays:
            return False
        return d.weekday() < 5

    def periods(self, d: date) -> list[tuple[datetime, datetime]]:
        """The working periods of a day as local aware datetimes (empty on a day off)."""
        if not self.is_working_day(d):
            return []
        tz = self.timezone
        return [
            (datetime.combine(d, s, tzinfo=tz), datetime.combine(d, e, tzinfo=tz))
            for s, e in self._hours
        ]

    def add(self, start: datetime, limit: TimeLimit) -> datetime:
        """The instant `limit` after `start`: calendar hours run straight through; working hours
        and working days count only working time."""
        if limit.unit is LimitUnit.calendar_hours:
            return as_utc(start) + timedelta(hours=limit.amount)
        if limit.unit is LimitUnit.working_days:
            return self.add_working_seconds(start, limit.amount * self.seconds_per_working_day)
        return self.add_working_seconds(start, limit.amount * 3600.0)

    def add_working_seconds(self, start: datetime, seconds: float) -> datetime:
        """`start` moved forward by `seconds` of working time (snapped into working hours)."""
        if seconds < 0:
            raise ValueError("cannot add negative working time")
        local = as_utc(start).astimezone(self.timezone)
        remaining = float(seconds)
        for d in self._days_from(local.date()):
            for period_start, period_end in self.periods(d):
                if period_end <= local:
                    continue
                begin = max(period_start, local)
                available = (period_end - begin).total_seconds()
                if remaining <= available:
                    return (begin + timedelta(seconds=remaining)).astimezone(UTC)
                remaining -= available
        raise ValueError("no working day found within three years: check the calendar")

    def working_seconds_between(self, start: datetime, end: datetime) -> float:
        """Working time from `start` to `end` in seconds (negative when `end` is before `start`)."""
        start_utc, end_utc = as_utc(start), as_utc(end)
        if end_utc < start_utc:
            return -self.working_seconds_between(end_utc, start_utc)
        local_start = start_utc.astimezone(self.timezone)
        local_end = end_utc.astimezone(self.timezone)
        total = 0.0
        d = local_start.date()
        while d <= local_end.date():
            for period_start, period_end in self.periods(d):
                overlap = (
                    min(period_end, local_end) - max(period_start, local_start)
                ).total_seconds()
                if overlap > 0:
                    total += overlap
            d += timedelta(days=1)
        return total

    def _days_from(self, first: date) -> Iterable[date]:
        for offset in range(_MAX_SEARCH_DAYS):
            yield first + timedelta(days=offset)


def load_calendar(path: Path | None = None) -> WorkingCalendar:
    """The calendar from a holidays YAML file (the shipped holidays.yaml by default)."""
    source = path or DEFAULT_HOLIDAYS_FILE
    with open(source, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    if not isinstance(data, Mapping):
        raise ValueError(f"{source}: expected a mapping with 'years'")
    return parse_calendar(data)


def parse_calendar(data: Mapping[str, Any]) -> WorkingCalendar:
    """Build a calendar from the holidays YAML structure (see holidays.yaml)."""
    years: dict[int, YearRules] = {}
    for year, spec in (data.get("years") or {}).items():
        spec = spec or {}
        years[int(year)] = YearRules(
            holidays=frozenset(_dates(spec.get("holidays") or [])),
            workdays=frozenset(_dates(spec.get("workdays") or [])),
        )
    hours = data.get("working_hours")
    working_hours = tuple(_parse_period(str(p)) for p in hours) if hours else DEFAULT_WORKING_HOURS
    timezone = ZoneInfo(str(data.get("timezone") or "Asia/Shanghai"))
    return WorkingCalendar(years, working_hours=working_hours, timezone=timezone)


def _dates(items: Iterable[Any]) -> Iterable[date]:
    for item in items:
        if isinstance(item, date):
            yield item
            continue
        text = str(item)
        first_text, _, last_text = text.partition("..")
        first = date.fromisoformat(first_text.strip())
        last = date.fromisoformat(last_text.strip()) if last_text else first
        if last < first:
            raise ValueError(f"date range {text!r} ends before it starts")
        while first <= last:
            yield first
            first += timedelta(days=1)


def _parse_period(text: str) -> tuple[time, time]:
    start, sep, end = text.partition("-")
    if not sep:
        raise ValueError(f"working period {text!r} must look like 09:00-12:00")
    return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())


def _checked_hours(hours: Sequence[tuple[time, time]]) -> tuple[tuple[time, time], ...]:
    ordered = tuple(sorted(hours))
    if not ordered:
        raise ValueError("a working calendar needs at least one working period")
    previous_end: time | None = None
    for start, end in ordered:
        if end <= start:
            raise ValueError(f"working period {start}-{end} is empty")
        if previous_end is not None and start < previous_end:
            raise ValueError(f"working period starting {start} overlaps the one before")
        previous_end = end
    return ordered


def _seconds(start: time, end: time) -> float:
    return (datetime.combine(date.min, end) - datetime.combine(date.min, start)).total_seconds()
