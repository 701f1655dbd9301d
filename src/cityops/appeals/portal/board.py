"""The public board (公开看板): this month's appeals, the share closed on time and the citizens'
satisfaction, by department and by street. Counts only; nothing about any one person."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy.orm import Session

from cityops.appeals.portal import policy
from cityops.appeals.portal.model import Board, BoardRow
from cityops.cases.public import CaseCounts, CaseFilter, CaseService, CaseStatus, Satisfaction
from cityops.kernel.actor import SYSTEM, Actor
from cityops.kernel.clock import SHANGHAI, Clock
from cityops.kernel.errors import ValidationFailed

# 满意率 = (满意 + 0.9 × 基本满意) / rated
WEIGHTS = {
    Satisfaction.satisfied: 1.0,
    Satisfaction.basically_satisfied: 0.9,
    Satisfaction.unsatisfied: 0.0,
}


def month_window(month: str | None, today: date) -> tuple[str, datetime, datetime]:
    """'YYYY-MM' (default: this month in Shanghai) → its label and [start, end) instants."""
    if month:
        try:
            year, mon = (int(p) for p in month.split("-", 1))
            start = datetime(year, mon, 1, tzinfo=SHANGHAI)
        except ValueError as exc:
            raise ValidationFailed(
                f"month must look like 2026-11, not {month!r}", code="bad_month"
            ) from exc
    else:
        start = datetime(today.year, today.month, 1, tzinfo=SHANGHAI)
    end = (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )
    return f"{start:%Y-%m}", start, end


def ratio(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


class Tally:
    """Satisfaction weights summed per group."""

    def __init__(self) -> None:
        self.rated: dict[str, int] = defaultdict(int)
        self.score: dict[str, float] = defaultdict(float)

    def add(self, key: str, satisfaction: Satisfaction) -> None:
        self.rated[key] += 1
        self.score[key] += WEIGHTS[satisfaction]


def rows(counts: Iterable[CaseCounts], tally: Tally) -> tuple[BoardRow, ...]:
    out = [
        BoardRow(
            code=c.group_code,
            name=c.group_name,
            reported=c.reported,
            closed=c.closed,
            on_time_rate=ratio(c.closed_on_time, c.due_to_close),
            rated=tally.rated.get(c.group_code, 0),
            satisfaction_rate=ratio(
                tally.score.get(c.group_code, 0.0), tally.rated.get(c.group_code, 0)
            ),
        )
        for c in counts
        if c.group_code
    ]
    out.sort(key=lambda r: (-r.reported, r.code))
    return tuple(out)


class PublicBoard:
    def __init__(self, *, cases: CaseService, clock: Clock) -> None:
        self.cases = cases
        self.clock = clock

    def read_board(self, session: Session, actor: Actor, month: str | None = None) -> Board:
        policy.check_read_board(actor)
        label, start, end = month_window(month, self.clock.now().astimezone(SHANGHAI).date())
        # the public board shows the whole city (aggregates only, no case is shown)
        by_dept = self.cases.indicator_counts(
            session, SYSTEM, group_by="department", start=start, end=end
        )
        by_street = self.cases.indicator_counts(
            session, SYSTEM, group_by="area", start=start, end=end
        )
        dept_tally, street_tally, total = Tally(), Tally(), Tally()
        closed = CaseFilter(statuses=(CaseStatus.closed,), reported_from=start, reported_to=end)
        for view in self.cases.iter_cases(session, SYSTEM, closed):
            if view.satisfaction is None:
                continue
            if view.department is not None:
                dept_tally.add(view.department.code, view.satisfaction)
            if view.area.street is not None:
                street_tally.add(view.area.street.code, view.satisfaction)
            total.add("", view.satisfaction)
        return Board(
            month=label,
            reported=sum(c.reported for c in by_dept),
            closed=sum(c.closed for c in by_dept),
            on_time_rate=ratio(
                sum(c.closed_on_time for c in by_dept), sum(c.due_to_close for c in by_dept)
            ),
            satisfaction_rate=ratio(total.score.get("", 0.0), total.rated.get("", 0)),
            by_department=rows(by_dept, dept_tally),
            by_street=rows(by_street, street_tally),
        )
