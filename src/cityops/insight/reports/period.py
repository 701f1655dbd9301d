"""Report periods: a day (2026-11-23), an ISO week (2026-W47) or a month (2026-11), with the
previous period (环比) and the same period a year before (同比). Days are Asia/Shanghai days."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from cityops.kernel.errors import ValidationFailed


class PeriodKind(StrEnum):
    daily = "daily"  # 日报
    weekly = "weekly"  # 周报
    monthly = "monthly"  # 月报


KIND_NAMES = {PeriodKind.daily: "日报", PeriodKind.weekly: "周报", PeriodKind.monthly: "月报"}

_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class ReportPeriod:
    kind: PeriodKind
    start: date  # first day
    end: date  # last day, inclusive

    @property
    def label(self) -> str:
        """The period as parse_period reads it: 2026-11-23, 2026-W47, 2026-11."""
        if self.kind is PeriodKind.daily:
            return self.start.isoformat()
        if self.kind is PeriodKind.weekly:
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.start.year}-{self.start.month:02d}"

    @property
    def title(self) -> str:
        """The Chinese heading: 2026年11月, 2026年第47周 11.16—11.22, 2026年11月23日."""
        if self.kind is PeriodKind.daily:
            d = self.start
            return f"{d.year}年{d.month}月{d.day}日"
        if self.kind is PeriodKind.weekly:
            year, week, _ = self.start.isocalendar()
            return f"{year}年第{week}周 {self.start:%m.%d}—{self.end:%m.%d}"
        return f"{self.start.year}年{self.start.month}月"

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def previous(self) -> ReportPeriod:
        """The period just before (环比)."""
        if self.kind is PeriodKind.monthly:
            last = self.start - timedelta(days=1)
            return month(last.year, last.month)
        span = timedelta(days=len(self.days))
        return ReportPeriod(self.kind, self.start - span, self.end - span)

    def year_before(self) -> ReportPeriod:
        """The same period a year before (同比): the same month, the same ISO week number, or
        the same calendar day (28 February for a 29 February)."""
        if self.kind is PeriodKind.monthly:
            return month(self.start.year - 1, self.start.month)
        if self.kind is PeriodKind.weekly:
            year, week, _ = self.start.isocalendar()
            weeks_then = date(year - 1, 12, 28).isocalendar()[1]
            return week_of(year - 1, min(week, weeks_then))
        d = self.start
        then = d.replace(year=d.year - 1, day=28) if (d.month, d.day) == (2, 29) else None
        then = then or d.replace(year=d.year - 1)
        return ReportPeriod(PeriodKind.daily, then, then)


def month(year: int, month_: int) -> ReportPeriod:
    first = date(year, month_, 1)
    nxt = date(year + (month_ == 12), month_ % 12 + 1, 1)
    return ReportPeriod(PeriodKind.monthly, first, nxt - timedelta(days=1))


def week_of(year: int, week: int) -> ReportPeriod:
    monday = date.fromisocalendar(year, week, 1)
    return ReportPeriod(PeriodKind.weekly, monday, monday + timedelta(days=6))


def parse_period(text: str) -> ReportPeriod:
    """2026-11-23 (a day), 2026-W47 (an ISO week) or 2026-11 (a month)."""
    value = text.strip()
    try:
        if m := _DAY.match(value):
            d = date(int(m[1]), int(m[2]), int(m[3]))
            return ReportPeriod(PeriodKind.daily, d, d)
        if m := _WEEK.match(value):
            return week_of(int(m[1]), int(m[2]))
        if m := _MONTH.match(value):
            return month(int(m[1]), int(m[2]))
    except ValueError:
        pass
    raise ValidationFailed(
        f"a report period is a day (2026-11-23), an ISO week (2026-W47) or a month (2026-11), "
        f"not {text!r}",
        code="bad_report_period",
        period=text,
    )


def last_complete(kind: PeriodKind, today: date) -> ReportPeriod:
    """Yesterday, last week or last month, seen from `today`."""
    if kind is PeriodKind.daily:
        d = today - timedelta(days=1)
        return ReportPeriod(kind, d, d)
    if kind is PeriodKind.weekly:
        year, week, _ = (today - timedelta(days=7)).isocalendar()
        return week_of(year, week)
    last = today.replace(day=1) - timedelta(days=1)
    return month(last.year, last.month)
