"""What other parts of cityops may use of working time: the SLA vocabulary (stages, limits), the
working calendar, the SLA state of a clock, and the calendar's years as an administrator sets
them."""

from __future__ import annotations

from cityops.worktime.calendar import WorkingCalendar, load_calendar
from cityops.worktime.limits import LimitFormatError, LimitUnit, Stage, TimeLimit
from cityops.worktime.model import FIRST_YEAR, LAST_YEAR, CalendarSource, CalendarYear
from cityops.worktime.service import CalendarService
from cityops.worktime.sla import SlaState, sla_state, yellow_at

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "CalendarService",
    "CalendarSource",
    "CalendarYear",
    "LimitFormatError",
    "LimitUnit",
    "SlaState",
    "Stage",
    "TimeLimit",
    "WorkingCalendar",
    "load_calendar",
    "sla_state",
    "yellow_at",
]
