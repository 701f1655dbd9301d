"""The rules one year of the working calendar must keep, as plain Python: what an administrator
may set as a year's public holidays (放假) and adjusted working days (调休上班)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from cityops.kernel.errors import ValidationFailed
from cityops.worktime.calendar import YearRules

FIRST_YEAR = 2000
LAST_YEAR = 2100


class CalendarSource(StrEnum):
    """Where a year's rules come from."""

    database = "database"  # set by an administrator
    file = "file"  # the shipped (or configured) holidays file
    weekends = "weekends"  # neither: weekends only


@dataclass(frozen=True)
class CalendarYear:
    """One year of the working calendar as read and written."""

    year: int
    holidays: tuple[date, ...]
    workdays: tuple[date, ...]
    source: CalendarSource
    updated_at: datetime | None = None
    updated_by: str | None = None


def checked_year(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationFailed(
            f"year {year} is outside {FIRST_YEAR}…{LAST_YEAR}", code="year_out_of_range"
        )
    return year


def checked_rules(year: int, holidays: Iterable[date], workdays: Iterable[date]) -> YearRules:
    """A year's rules, refused when a day lies in another year, is both a holiday and a working
    day, or is an adjusted working day that is not a Saturday or Sunday (a weekday works anyway)."""
    checked_year(year)
    off, on = frozenset(holidays), frozenset(workdays)
    for d in sorted(off | on):
        if d.year != year:
            raise ValidationFailed(
                f"{d.isoformat()} is not in {year}", code="date_outside_year", date=d.isoformat()
            )
    both = sorted(off & on)
    if both:
        raise ValidationFailed(
            f"{both[0].isoformat()} is both a holiday and a working day",
            code="holiday_and_workday",
            date=both[0].isoformat(),
        )
    for d in sorted(on):
        if d.weekday() < 5:
            raise ValidationFailed(
                f"{d.isoformat()} is a weekday: an adjusted working day (调休) "
                "is a Saturday or Sunday",
                code="workday_not_weekend",
                date=d.isoformat(),
            )
    return YearRules(holidays=off, workdays=on)
