"""What other parts of cityops may use of working time: the SLA vocabulary (stages, limits), the
working calendar and the SLA state of a clock."""

from __future__ import annotations

from cityops.worktime.calendar import WorkingCalendar, load_calendar
from cityops.worktime.limits import LimitFormatError, LimitUnit, Stage, TimeLimit
from cityops.worktime.sla import SlaState, sla_state, yellow_at

__all__ = [
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
