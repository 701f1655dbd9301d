"""SLA colours, deadlines and extensions (times in Asia/Shanghai)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from cityops.kernel.clock import SHANGHAI
from cityops.worktime.calendar import WorkingCalendar, load_calendar
from cityops.worktime.limits import LimitUnit, TimeLimit
from cityops.worktime.sla import (
    SlaState,
    extend,
    sla_state,
    stage_deadline,
    time_used_ratio,
    yellow_at,
)

WH, WD, CH = LimitUnit.working_hours, LimitUnit.working_days, LimitUnit.calendar_hours


def sh(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return load_calendar()


@pytest.mark.parametrize(
    ("used_share", "expected"),
    [
        (0.0, SlaState.green),
        (0.79, SlaState.green),
        (0.80, SlaState.yellow),
        (1.0, SlaState.yellow),
    ],
)
@pytest.mark.parametrize("limit", [TimeLimit(10, WH), TimeLimit(2, WD), TimeLimit(10, CH)])
def test_colour_by_share_of_time_used(
    cal: WorkingCalendar, limit: TimeLimit, used_share: float, expected: SlaState
) -> None:
    start = sh(2026, 11, 23, 9)
    deadline = stage_deadline(cal, start, limit)
    if limit.unit is CH:
        now = start + timedelta(hours=limit.amount * used_share)
    else:
        per_unit = 3600 if limit.unit is WH else cal.seconds_per_working_day
        now = cal.add_working_seconds(start, limit.amount * per_unit * used_share)
    assert sla_state(start, deadline, now, calendar=cal, unit=limit.unit) is expected


@pytest.mark.parametrize("limit", [TimeLimit(10, WH), TimeLimit(2, WD), TimeLimit(10, CH)])
def test_overdue_is_red(cal: WorkingCalendar, limit: TimeLimit) -> None:
    start = sh(2026, 11, 23, 9)
    deadline = stage_deadline(cal, start, limit)
    late = deadline + timedelta(seconds=1)
    assert sla_state(start, deadline, late, calendar=cal, unit=limit.unit) is SlaState.red


def test_working_limits_measure_working_time_not_the_weekend(cal: WorkingCalendar) -> None:
    start = sh(2026, 11, 20, 15)  # Friday afternoon, 1 working day → Monday 15:00
    deadline = stage_deadline(cal, start, TimeLimit(1, WD))
    assert deadline == sh(2026, 11, 23, 15)
    sunday_night = sh(2026, 11, 22, 23)  # 78 % of the calendar time, 3/8 of the working time
    assert sla_state(start, deadline, sunday_night, calendar=cal, unit=WD) is SlaState.green
    monday = sh(2026, 11, 23, 13, 24)  # 3 h Friday + 3.4 h Monday = 80 %
    assert sla_state(start, deadline, monday, calendar=cal, unit=WD) is SlaState.yellow
    assert time_used_ratio(start, deadline, monday, calendar=cal, unit=WD) == pytest.approx(0.8)


def test_yellow_ratio_is_configurable(cal: WorkingCalendar) -> None:
    start = sh(2026, 11, 23, 9)
    deadline = stage_deadline(cal, start, TimeLimit(4, CH))
    half = start + timedelta(hours=2)
    assert sla_state(start, deadline, half, calendar=cal, unit=CH) is SlaState.green
    assert (
        sla_state(start, deadline, half, calendar=cal, unit=CH, yellow_ratio=0.5) is SlaState.yellow
    )


@pytest.mark.parametrize(
    ("deadline", "limit", "expected"),
    [
        (sh(2026, 11, 20, 18), TimeLimit(1, WD), sh(2026, 11, 23, 18)),
        (sh(2026, 9, 30, 17), TimeLimit(2, WH), sh(2026, 10, 8, 10)),
        (sh(2026, 9, 30, 17), TimeLimit(2, CH), sh(2026, 9, 30, 19)),
    ],
)
def test_extension_moves_the_deadline(
    cal: WorkingCalendar, deadline: datetime, limit: TimeLimit, expected: datetime
) -> None:
    assert extend(cal, deadline, limit) == expected


@pytest.mark.parametrize(
    ("start", "limit"),
    [
        (datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI), TimeLimit(1, LimitUnit.working_hours)),
        (datetime(2026, 11, 27, 17, 30, tzinfo=SHANGHAI), TimeLimit(2, LimitUnit.working_hours)),
        (datetime(2026, 11, 25, 11, 0, tzinfo=SHANGHAI), TimeLimit(3, LimitUnit.working_days)),
        (datetime(2026, 11, 28, 22, 0, tzinfo=SHANGHAI), TimeLimit(2, LimitUnit.calendar_hours)),
        (datetime(2026, 9, 30, 16, 0, tzinfo=SHANGHAI), TimeLimit(2, LimitUnit.working_days)),
    ],
)
@pytest.mark.parametrize("ratio", [0.8, 0.5])
def test_yellow_at_is_where_green_turns_yellow(
    cal: WorkingCalendar, start: datetime, limit: TimeLimit, ratio: float
) -> None:
    """Across weekends and the National Day holiday: green a second before, yellow after."""
    deadline = stage_deadline(cal, start, limit)
    turn = yellow_at(start, deadline, calendar=cal, unit=limit.unit, yellow_ratio=ratio)
    assert start < turn <= deadline

    def colour(at: datetime) -> SlaState:
        return sla_state(start, deadline, at, calendar=cal, unit=limit.unit, yellow_ratio=ratio)

    assert colour(turn - timedelta(seconds=1)) is SlaState.green
    assert colour(turn + timedelta(seconds=1)) is SlaState.yellow
