"""SLA arithmetic: stage deadlines from the responsibility list, approved extensions, and the
green / yellow / red state of a running clock. Pure functions over a WorkingCalendar."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from cityops.kernel.clock import as_utc
from cityops.worktime.calendar import WorkingCalendar
from cityops.worktime.limits import LimitUnit, TimeLimit

DEFAULT_YELLOW_RATIO = 0.8


class SlaState(StrEnum):
    green = "green"  # 正常
    yellow = "yellow"  # 预警 (≥ yellow_ratio of the allowed time used)
    red = "red"  # 超期


def stage_deadline(calendar: WorkingCalendar, start: datetime, limit: TimeLimit) -> datetime:
    """When a stage that started at `start` under `limit` is due (aware UTC)."""
    return calendar.add(start, limit)


def extend(calendar: WorkingCalendar, deadline: datetime, limit: TimeLimit) -> datetime:
    """The deadline after an approved extension (延期) of `limit`, counted from the old deadline."""
    return calendar.add(deadline, limit)


def time_used_ratio(
    started_at: datetime,
    deadline: datetime,
    now: datetime,
    *,
    calendar: WorkingCalendar,
    unit: LimitUnit,
) -> float:
    """Share of the allowed time used so far (may exceed 1 when overdue). Working units measure
    in working time, calendar hours in elapsed time. A zero allowance counts as fully used."""
    allowed = _span(calendar, unit, started_at, deadline)
    used = _span(calendar, unit, started_at, now)
    if allowed <= 0:
        return 1.0 if as_utc(now) >= as_utc(deadline) else 0.0
    return max(0.0, used / allowed)


def sla_state(
    started_at: datetime,
    deadline: datetime,
    now: datetime,
    *,
    calendar: WorkingCalendar,
    unit: LimitUnit,
    yellow_ratio: float = DEFAULT_YELLOW_RATIO,
) -> SlaState:
    """red when now is past the deadline; yellow when ≥ yellow_ratio of the time is used;
    green otherwise."""
    if as_utc(now) > as_utc(deadline):
        return SlaState.red
    ratio = time_used_ratio(started_at, deadline, now, calendar=calendar, unit=unit)
    # a tiny tolerance so that "exactly 80 %" is yellow despite float rounding
    return SlaState.yellow if ratio >= yellow_ratio - 1e-9 else SlaState.green


def yellow_at(
    started_at: datetime,
    deadline: datetime,
    *,
    calendar: WorkingCalendar,
    unit: LimitUnit,
    yellow_ratio: float = DEFAULT_YELLOW_RATIO,
) -> datetime:
    """The instant a clock turns yellow (`yellow_ratio` of its allowed time used): before it,
    `sla_state` is green. Lets a scan skip clocks that cannot have turned yet."""
    allowed = _span(calendar, unit, started_at, deadline)
    if allowed <= 0:
        return as_utc(deadline)
    if unit.is_working:
        return calendar.add_working_seconds(started_at, yellow_ratio * allowed)
    return as_utc(started_at) + timedelta(seconds=yellow_ratio * allowed)


def _span(calendar: WorkingCalendar, unit: LimitUnit, start: datetime, end: datetime) -> float:
    if unit.is_working:
        return calendar.working_seconds_between(start, end)
    return (as_utc(end) - as_utc(start)).total_seconds()
