"""Use case: the case performance indicators for a time window, grouped by department or area."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Protocol

from sqlalchemy.orm import Session

from cityops.insight.indicators import CountsRow, counts_of, formulas, rates, total_counts
from cityops.insight.policy import may_view_case_indicators
from cityops.kernel.actor import Actor
from cityops.kernel.clock import SHANGHAI, Clock, check_day_range, to_local
from cityops.kernel.errors import ValidationFailed

RATE_DIGITS = 4
TOTAL_CODE = "total"
TOTAL_NAME = "合计"


class GroupBy(StrEnum):
    department = "department"  # 承办单位
    area = "area"  # the street (街道) a case lies in
    district = "district"  # 区


class GroupCountsRow(CountsRow, Protocol):
    """One group's counts, as cases.public.CaseCounts carries them."""

    @property
    def group_code(self) -> str: ...
    @property
    def group_name(self) -> str: ...


class CaseCountsSource(Protocol):
    """What insight needs of the case engine (platform.cases)."""

    def indicator_counts(
        self, session: Session, actor: Actor, *, group_by: str, start: datetime, end: datetime
    ) -> Sequence[GroupCountsRow]: ...


@dataclass(frozen=True)
class IndicatorRow:
    group_code: str
    group_name: str
    counts: Mapping[str, int]
    rates: Mapping[str, float | None]  # fractions, 4 decimals; None: zero denominator


@dataclass(frozen=True)
class IndicatorReport:
    start: date  # first day, Asia/Shanghai
    end: date  # last day, inclusive
    group_by: GroupBy
    rows: tuple[IndicatorRow, ...]
    total: IndicatorRow
    formulas: Mapping[str, str]


def window_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in Asia/Shanghai, as aware UTC instants."""
    check_day_range(end, "to")  # first: a missing `from` is derived from `to`
    check_day_range(start, "from")
    if start > end:
        raise ValidationFailed(
            f"the window starts ({start}) after it ends ({end})",
            code="invalid_window",
            start=start.isoformat(),
            end=end.isoformat(),
        )
    lo = datetime.combine(start, time.min, tzinfo=SHANGHAI)
    hi = datetime.combine(end + timedelta(days=1), time.min, tzinfo=SHANGHAI)
    return lo.astimezone(UTC), hi.astimezone(UTC)


def _row(code: str, name: str, counts: Mapping[str, int]) -> IndicatorRow:
    rounded = {
        key: (None if value is None else round(value, RATE_DIGITS))
        for key, value in rates(counts).items()
    }
    return IndicatorRow(group_code=code, group_name=name, counts=dict(counts), rates=rounded)


class IndicatorService:
    def __init__(self, cases: CaseCountsSource, clock: Clock) -> None:
        self._cases = cases
        self._clock = clock

    def case_indicators(
        self,
        session: Session,
        actor: Actor,
        group_by: GroupBy | str,
        start: date | None = None,
        end: date | None = None,
    ) -> IndicatorReport:
        """Counts and rates per group plus a total row, over the cases in the actor's scope (an
        area-scoped dispatcher sees their areas only). Dates are Asia/Shanghai days, `end`
        inclusive; `end` defaults to today and `start` to the first day of `end`'s month."""
        may_view_case_indicators(actor)
        try:
            grouping = GroupBy(group_by)
        except ValueError:
            raise ValidationFailed(
                f"group_by must be one of {', '.join(GroupBy)}, not {group_by!r}",
                code="invalid_group_by",
            ) from None
        today = to_local(self._clock.now()).date()
        end = end or today
        start = start or end.replace(day=1)
        lo, hi = window_bounds(start, end)
        found = self._cases.indicator_counts(
            session, actor, group_by=grouping.value, start=lo, end=hi
        )
        per_group = sorted(
            ((r.group_code, r.group_name, counts_of(r)) for r in found), key=lambda g: g[0]
        )
        rows = tuple(_row(code, name, counts) for code, name, counts in per_group)
        total = _row(TOTAL_CODE, TOTAL_NAME, total_counts(c for _, _, c in per_group))
        return IndicatorReport(
            start=start, end=end, group_by=grouping, rows=rows, total=total, formulas=formulas()
        )
