"""The working calendar on worked examples around the 2026 holidays (times in Asia/Shanghai)."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time

import pytest

from cityops.kernel.clock import SHANGHAI
from cityops.worktime.calendar import WorkingCalendar, load_calendar, parse_calendar
from cityops.worktime.limits import LimitUnit, TimeLimit

WH, WD, CH = LimitUnit.working_hours, LimitUnit.working_days, LimitUnit.calendar_hours


def sh(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return load_calendar()


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 10, 10), True),  # Saturday, adjusted working day (国庆调休)
        (date(2026, 9, 20), True),  # Sunday, adjusted working day
        (date(2026, 10, 5), False),  # Monday inside the National Day holiday
        (date(2026, 10, 8), True),  # Thursday after the holiday
        (date(2026, 10, 11), False),  # an ordinary Sunday
        (date(2026, 2, 14), True),  # Saturday before the Spring Festival, working
        (date(2026, 2, 16), False),  # Monday of the Spring Festival
        (date(2026, 2, 23), False),  # last Spring Festival day, a Monday
        (date(2026, 2, 24), True),
        (date(2026, 2, 28), True),  # Saturday, adjusted working day
        (date(2026, 1, 4), True),  # Sunday after New Year, working
        (date(2026, 5, 9), True),
        (date(2026, 6, 19), False),  # 端午 Friday
        (date(2026, 9, 25), False),  # 中秋 Friday
        (date(2026, 11, 21), False),  # an ordinary Saturday
        (date(2026, 11, 23), True),  # an ordinary Monday
        (date(2025, 10, 8), False),  # 2025 National Day ran to the 8th
        (date(2025, 9, 28), True),
        (date(2025, 2, 8), True),
    ],
)
def test_working_days_follow_the_state_council_notices(
    cal: WorkingCalendar, day: date, working: bool
) -> None:
    assert cal.is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "limit", "expected"),
    [
        # a working day is the working hours of one day
        (sh(2026, 11, 20, 15), TimeLimit(1, WD), sh(2026, 11, 23, 15)),
        (sh(2026, 11, 20, 15), TimeLimit(4, WH), sh(2026, 11, 23, 10)),
        (sh(2026, 11, 20, 15), TimeLimit(0.5, WD), sh(2026, 11, 23, 10)),
        # National Day 2026: the holiday is skipped, the adjusted Saturday counts
        (sh(2026, 9, 30, 17), TimeLimit(2, WH), sh(2026, 10, 8, 10)),
        (sh(2026, 10, 9, 16), TimeLimit(1, WD), sh(2026, 10, 10, 16)),
        (sh(2026, 9, 18, 15), TimeLimit(1, WD), sh(2026, 9, 20, 15)),
        (sh(2026, 9, 30, 9), TimeLimit(2, WD), sh(2026, 10, 8, 18)),
        # Spring Festival 2026: Saturday 14 Feb works, 15–23 Feb off
        (sh(2026, 2, 13, 15), TimeLimit(1, WD), sh(2026, 2, 14, 15)),
        (sh(2026, 2, 14, 15), TimeLimit(1, WD), sh(2026, 2, 24, 15)),
        (sh(2026, 2, 14, 17), TimeLimit(3, WH), sh(2026, 2, 24, 11)),
        # a start outside working hours snaps to the next working period
        (sh(2026, 11, 23, 7, 30), TimeLimit(1, WH), sh(2026, 11, 23, 10)),
        (sh(2026, 11, 23, 12, 30), TimeLimit(1, WH), sh(2026, 11, 23, 14)),
        (sh(2026, 11, 21, 10), TimeLimit(1, WH), sh(2026, 11, 23, 10)),
        (sh(2026, 11, 20, 18), TimeLimit(1, WD), sh(2026, 11, 23, 18)),
        # ends exactly at the end of a period stay there
        (sh(2026, 11, 23, 9), TimeLimit(3, WH), sh(2026, 11, 23, 12)),
        (sh(2026, 11, 23, 11), TimeLimit(90 / 60, WH), sh(2026, 11, 23, 13, 30)),
        # calendar hours run through nights and holidays
        (sh(2026, 10, 9, 23), TimeLimit(2, CH), sh(2026, 10, 10, 1)),
        (sh(2026, 10, 1, 10), TimeLimit(0.5, CH), sh(2026, 10, 1, 10, 30)),
    ],
)
def test_add(cal: WorkingCalendar, start: datetime, limit: TimeLimit, expected: datetime) -> None:
    result = cal.add(start.astimezone(UTC), limit)
    assert result == expected
    assert result.tzinfo is UTC


def test_naive_input_is_taken_as_utc(cal: WorkingCalendar) -> None:
    naive = datetime(2026, 11, 23, 1, 0)  # 09:00 in Shanghai
    assert cal.add(naive, TimeLimit(1, WH)) == sh(2026, 11, 23, 10)


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        (sh(2026, 11, 20, 15), sh(2026, 11, 23, 15), 8),
        (sh(2026, 9, 30, 9), sh(2026, 10, 8, 18), 16),  # only the 30th and the 8th count
        (sh(2026, 10, 9, 9), sh(2026, 10, 10, 18), 16),  # Friday + adjusted Saturday
        (sh(2026, 11, 23, 11), sh(2026, 11, 23, 14), 2),  # the lunch break does not count
        (sh(2026, 11, 21, 0), sh(2026, 11, 22, 23), 0),
        (sh(2026, 11, 23, 15), sh(2026, 11, 20, 15), -8),
    ],
)
def test_working_seconds_between(
    cal: WorkingCalendar, start: datetime, end: datetime, hours: float
) -> None:
    assert cal.working_seconds_between(start, end) == hours * 3600


@pytest.mark.parametrize(
    "start",
    [sh(2026, 2, 13, 16, 45), sh(2026, 9, 30, 11, 10), sh(2026, 10, 3, 8), sh(2026, 12, 31, 17)],
)
@pytest.mark.parametrize("limit", [TimeLimit(1, WH), TimeLimit(3, WD), TimeLimit(7.5, WH)])
def test_add_and_between_agree(cal: WorkingCalendar, start: datetime, limit: TimeLimit) -> None:
    end = cal.add(start, limit)
    expected = limit.amount * (3600 if limit.unit is WH else cal.seconds_per_working_day)
    assert cal.working_seconds_between(start, end) == pytest.approx(expected)


def test_unlisted_year_falls_back_to_weekends_and_warns_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    cal = load_calendar()
    with caplog.at_level(logging.WARNING, logger="cityops.worktime.calendar"):
        assert cal.is_working_day(date(2031, 10, 1)) is True  # a Wednesday, no notice known
        assert cal.is_working_day(date(2031, 10, 4)) is False
    assert [r.getMessage() for r in caplog.records].count(
        "no holiday calendar for 2031: counting weekends only"
    ) == 1
    assert {2025, 2026} <= cal.known_years


def test_working_hours_and_years_are_configurable() -> None:
    cal = parse_calendar(
        {
            "working_hours": ["08:30-12:00", "14:00-17:30"],
            "years": {2027: {"holidays": ["2027-01-01..2027-01-03"], "workdays": ["2027-01-09"]}},
        }
    )
    assert cal.working_hours == ((time(8, 30), time(12)), (time(14), time(17, 30)))
    assert cal.seconds_per_working_day == 7 * 3600
    assert not cal.is_working_day(date(2027, 1, 1))
    assert cal.is_working_day(date(2027, 1, 9))  # a Saturday made a working day
    assert cal.add(sh(2026, 12, 31, 17), TimeLimit(1, WH)) == sh(2027, 1, 4, 9)


@pytest.mark.parametrize(
    "hours",
    [[], [(time(12), time(9))], [(time(9), time(12)), (time(11), time(18))]],
)
def test_bad_working_hours_are_refused(hours: list[tuple[time, time]]) -> None:
    with pytest.raises(ValueError, match="working period"):
        WorkingCalendar(working_hours=hours)
