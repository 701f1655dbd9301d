"""Use case: the 三率 (响应率, 解决率, 满意率 and the composite) of one month, per department or
street, from the follow-up visits recorded in that month (Asia/Shanghai)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy.orm import Session

from cityops.appeals.followup import store
from cityops.appeals.followup.policy import may_view_three_rates
from cityops.appeals.followup.rates import (
    DEFAULT_BASIC_WEIGHT,
    DEFAULT_WEIGHTS,
    RateCounts,
    count_visit,
    three_rates,
)
from cityops.cases.public import scoped_case_ids
from cityops.kernel.actor import SYSTEM, Actor
from cityops.kernel.clock import Clock, month_window, to_local
from cityops.kernel.errors import ValidationFailed

RATE_DIGITS = 4
TOTAL_CODE = "total"
TOTAL_NAME = "合计"


class FollowupGroupBy(StrEnum):
    department = "department"  # 承办单位 holding the case at the visit
    street = "street"  # 街道 of the case's place


@dataclass(frozen=True)
class ThreeRatesRow:
    group_code: str
    group_name: str
    counts: Mapping[str, int]
    rates: Mapping[str, float | None]  # fractions, 4 decimals; None: zero denominator


@dataclass(frozen=True)
class ThreeRatesReport:
    month: str  # YYYY-MM, Asia/Shanghai
    group_by: FollowupGroupBy
    rows: tuple[ThreeRatesRow, ...]
    total: ThreeRatesRow
    basic_weight: float
    weights: tuple[float, float, float]


def parse_month(value: str) -> tuple[datetime, datetime]:
    """'YYYY-MM' → [first day 00:00, next month's first day 00:00) Shanghai, as UTC instants
    (a month that is not one, or out of range, is a 422 naming it)."""
    start, end = month_window(value)
    return start.astimezone(UTC), end.astimezone(UTC)


class FollowupService:
    def __init__(
        self,
        clock: Clock,
        *,
        basic_weight: float = DEFAULT_BASIC_WEIGHT,
        weights: tuple[float, float, float] = DEFAULT_WEIGHTS,
    ) -> None:
        self._clock = clock
        self.basic_weight = basic_weight
        self.weights = weights

    def three_rates(
        self,
        session: Session,
        actor: Actor,
        group_by: FollowupGroupBy | str = FollowupGroupBy.department,
        month: str | None = None,
    ) -> ThreeRatesReport:
        """Counts and rates per group plus a total row (from the summed counts, never an
        average of the groups), over the visits of the cases in the actor's scope (the same
        scope as the case list). `month` defaults to this month in Asia/Shanghai."""
        may_view_three_rates(actor)
        return self.report(session, group_by, month, scope=actor)

    def report(
        self,
        session: Session,
        group_by: FollowupGroupBy | str = FollowupGroupBy.department,
        month: str | None = None,
        *,
        scope: Actor = SYSTEM,
    ) -> ThreeRatesReport:
        """`three_rates` over the visits of the cases in `scope`'s view, without a policy
        check: the public board's 满意率 asks for the whole city (counts per department or
        street only, nothing about any one person or case)."""
        try:
            grouping = FollowupGroupBy(group_by)
        except ValueError:
            raise ValidationFailed(
                f"group_by must be one of {', '.join(FollowupGroupBy)}, not {group_by!r}",
                code="invalid_group_by",
            ) from None
        month = month or to_local(self._clock.now()).strftime("%Y-%m")
        start, end = parse_month(month)
        groups: dict[str, tuple[str, RateCounts]] = {}
        # the visits of the cases in scope (an area-scoped dispatcher: their areas)
        for visit in store.visits_between(session, start, end, scoped_case_ids(scope)):
            if grouping is FollowupGroupBy.department:
                code, name = visit.department_code or "", visit.department_name or ""
            else:
                code, name = visit.street_code or "", visit.street_name or ""
            _, counts = groups.get(code, (name, RateCounts()))
            groups[code] = (name, counts + count_visit(visit))
        rows = tuple(self._row(code, name, c) for code, (name, c) in sorted(groups.items()))
        total = sum((c for _, c in groups.values()), RateCounts())
        return ThreeRatesReport(
            month=month,
            group_by=grouping,
            rows=rows,
            total=self._row(TOTAL_CODE, TOTAL_NAME, total),
            basic_weight=self.basic_weight,
            weights=self.weights,
        )

    def _row(self, code: str, name: str, counts: RateCounts) -> ThreeRatesRow:
        found = three_rates(counts, self.basic_weight, self.weights)
        rounded = {k: (None if v is None else round(v, RATE_DIGITS)) for k, v in found.items()}
        return ThreeRatesRow(
            group_code=code, group_name=name, counts=counts.as_dict(), rates=rounded
        )
