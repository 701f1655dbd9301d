"""Evaluation periods (pure): a month ("2026-11") or an ISO week ("2026-W45"), in Asia/Shanghai
days, and the instants that bound them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from cityops.kernel.clock import SHANGHAI
from cityops.kernel.errors import ValidationFailed

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


class PeriodKind(StrEnum):
    month = "month"
    week = "week"


@dataclass(frozen=True, order=True)
class Period:
    first: date  # the first day (Asia/Shanghai)
    kind: PeriodKind

    @property
    def label(self) -> str:
        if self.kind is PeriodKind.month:
            return f"{self.first.year:04d}-{self.first.month:02d}"
        year, week, _ = self.first.isocalendar()
        return f"{year:04d}-W{week:02d}"

    @property
    def after(self) -> date:
        """The first day after the period."""
        if self.kind is PeriodKind.week:
            return self.first + timedelta(days=7)
        y, m = (
            (self.first.year + 1, 1)
            if self.first.month == 12
            else (self.first.year, self.first.month + 1)
        )
        return date(y, m, 1)

    @property
    def last(self) -> date:
        return self.after - timedelta(days=1)

    def bounds(self) -> tuple[datetime, datetime]:
        """[first 00:00, after 00:00) Asia/Shanghai, as UTC instants."""
        lo = datetime.combine(self.first, time.min, tzinfo=SHANGHAI).astimezone(UTC)
        hi = datetime.combine(self.after, time.min, tzinfo=SHANGHAI).astimezone(UTC)
        return lo, hi

    def previous(self) -> Period:
        if self.kind is PeriodKind.week:
            return Period(self.first - timedelta(days=7), self.kind)
        day = self.first - timedelta(days=1)
        return Period(day.replace(day=1), self.kind)


def parse_period(text: str) -> Period:
    """ "2026-11" (a month) or "2026-W45" (an ISO week)."""
    value = text.strip()
    try:
        if m := _MONTH.match(value):
            return Period(date(int(m[1]), int(m[2]), 1), PeriodKind.month)
        if m := _WEEK.match(value):
            return Period(date.fromisocalendar(int(m[1]), int(m[2]), 1), PeriodKind.week)
    except ValueError:
        pass
    raise ValidationFailed(
        f"period must be a month (2026-11) or an ISO week (2026-W45), not {text!r}",
        code="invalid_period",
        period=text,
    )


def period_of(day: date, kind: PeriodKind) -> Period:
    """The period of `kind` that holds `day`."""
    if kind is PeriodKind.week:
        return Period(day - timedelta(days=day.weekday()), kind)
    return Period(day.replace(day=1), kind)


def last_periods(end: Period, n: int) -> tuple[Period, ...]:
    """The n periods ending with `end`, oldest first."""
    out = [end]
    while len(out) < n:
        out.append(out[-1].previous())
    return tuple(reversed(out))
