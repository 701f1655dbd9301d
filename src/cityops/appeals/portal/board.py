"""The public board (公开看板): this month's appeals, the share closed on time and the citizens'
satisfaction (the 满意率 of the month's follow-up visits, as the 三率 compute it), by department
and by street. Counts only; nothing about any one person."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy.orm import Session

from cityops.appeals.followup.public import FollowupGroupBy, FollowupService, ThreeRatesReport
from cityops.appeals.portal import policy
from cityops.appeals.portal.model import Board, BoardRow
from cityops.cases.public import CaseCounts, CaseService
from cityops.kernel.actor import SYSTEM, Actor
from cityops.kernel.clock import SHANGHAI, Clock, month_window


def board_month(month: str | None, today: date) -> tuple[str, datetime, datetime]:
    """'YYYY-MM' (default: this month in Shanghai) → its label and [start, end) instants."""
    start, end = month_window(month or f"{today:%Y-%m}")
    return f"{start:%Y-%m}", start, end


def ratio(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def rows(counts: Iterable[CaseCounts], rates: ThreeRatesReport) -> tuple[BoardRow, ...]:
    """A row per group with cases reported this month or visits (回访) this month."""
    visited = {r.group_code: r for r in rates.rows if r.group_code}
    out: list[BoardRow] = []
    for c in counts:
        if not c.group_code:
            continue
        found = visited.pop(c.group_code, None)
        out.append(
            BoardRow(
                code=c.group_code,
                name=c.group_name,
                reported=c.reported,
                closed=c.closed,
                on_time_rate=ratio(c.closed_on_time, c.due_to_close),
                rated=found.counts["satisfaction_rated"] if found else 0,
                satisfaction_rate=found.rates["satisfaction_rate"] if found else None,
            )
        )
    for code, found in visited.items():  # visited this month, nothing reported this month
        out.append(
            BoardRow(
                code=code,
                name=found.group_name,
                reported=0,
                closed=0,
                on_time_rate=None,
                rated=found.counts["satisfaction_rated"],
                satisfaction_rate=found.rates["satisfaction_rate"],
            )
        )
    out.sort(key=lambda r: (-r.reported, r.code))
    return tuple(out)


class PublicBoard:
    def __init__(self, *, cases: CaseService, clock: Clock, followup: FollowupService) -> None:
        self.cases = cases
        self.clock = clock
        self.followup = followup

    def read_board(self, session: Session, actor: Actor, month: str | None = None) -> Board:
        """Cases reported in the month (counts, closed, on time) and the 满意率 of the month's
        follow-up visits (回访), computed as /api/v1/indicators/three-rates does (same formula,
        same configured weight of 基本满意, same grouping), so the two agree."""
        policy.check_read_board(actor)
        label, start, end = board_month(month, self.clock.now().astimezone(SHANGHAI).date())
        # the public board shows the whole city (aggregates only, no case is shown)
        by_dept = self.cases.indicator_counts(
            session, SYSTEM, group_by="department", start=start, end=end
        )
        by_street = self.cases.indicator_counts(
            session, SYSTEM, group_by="area", start=start, end=end
        )
        dept_rates = self.followup.report(session, FollowupGroupBy.department, label)
        street_rates = self.followup.report(session, FollowupGroupBy.street, label)
        return Board(
            month=label,
            reported=sum(c.reported for c in by_dept),
            closed=sum(c.closed for c in by_dept),
            on_time_rate=ratio(
                sum(c.closed_on_time for c in by_dept), sum(c.due_to_close for c in by_dept)
            ),
            satisfaction_rate=dept_rates.total.rates["satisfaction_rate"],
            by_department=rows(by_dept, dept_rates),
            by_street=rows(by_street, street_rates),
        )
