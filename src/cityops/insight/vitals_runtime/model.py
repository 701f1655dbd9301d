"""Read models of city vital signs (城市体征): the board, the drill-down and the trend.

Plain frozen dataclasses, no framework: the web layer turns them into its response models.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class VitalThreshold:
    """One alert level's start value."""

    level: str  # blue | yellow | orange | red
    value: float


@dataclass(frozen=True)
class VitalCurrent:
    """One indicator in one area, as of its last evaluation."""

    code: str
    name_zh: str
    name_en: str
    unit: str
    category: str  # VitalCategory value (weather_environment, …)
    category_zh: str
    direction: str  # higher_is_worse | higher_is_better
    precision: int
    area_code: str
    area_name: str
    area_level: str  # city | district | street | community | grid
    value: float | None  # None: no value (no data)
    status: str  # normal | pending | firing | no_data | unevaluated
    level: str | None  # pending/firing level (blue…red), None otherwise
    since: datetime | None
    evaluated_at: datetime | None
    thresholds: tuple[VitalThreshold, ...]
    refresh_seconds: int
    levels: tuple[str, ...]  # the area levels it is computed at (drill-down stops at the last)


@dataclass(frozen=True)
class VitalBoard:
    """Every indicator at one area (the 城市体征 board)."""

    area_code: str
    area_name: str
    area_level: str
    version: int  # the definition set's version
    items: tuple[VitalCurrent, ...]  # catalogue order; indicators not computed here left out


@dataclass(frozen=True)
class VitalAreas:
    """One indicator in the child areas of `parent` (drill-down), worst first."""

    code: str
    parent_code: str
    parent_name: str
    level: str  # the child level shown
    chain: tuple[tuple[str, str], ...]  # (code, name) from the city down to parent
    items: tuple[VitalCurrent, ...]  # worst first: firing red … normal, then no value; within a
    # level by value in the bad direction


@dataclass(frozen=True)
class TrendPoint:
    """A stored value, or on a long window a bucket of them: `value` their mean, `low`/`high`
    the least and greatest (None when the point is one stored value)."""

    at: datetime
    value: float | None
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class VitalTransitionView:
    at: datetime
    from_status: str
    to_status: str
    from_level: str | None
    to_level: str | None
    value: float | None


@dataclass(frozen=True)
class VitalTrend:
    current: VitalCurrent
    start: datetime
    end: datetime
    points: tuple[TrendPoint, ...]
    # year_on_year / period_on_period / same_hour_last_week: the same points shifted (1 year /
    # the window's length / 7 days), plotted at the shifted-forward instants
    baselines: dict[str, tuple[TrendPoint, ...]]
    transitions: tuple[VitalTransitionView, ...]  # state changes in the window
    # seconds between points: the refresh interval, or on a window of more than 1,000 of them
    # the length of the buckets (a multiple of it, aligned in Asia/Shanghai) the points stand for
    step_seconds: int


@dataclass(frozen=True)
class RunReport:
    """What one `evaluate_due` run did."""

    at: datetime
    evaluated: tuple[str, ...] = ()  # indicator codes evaluated in this run
    values: int = 0  # (indicator, area) values written
    transitions: int = 0
    alarms: int = 0  # alarms raised by firing indicators
    cases: int = 0  # cases opened by firing indicators
    errors: tuple[str, ...] = field(default_factory=tuple)  # "code: message" of failed sources
