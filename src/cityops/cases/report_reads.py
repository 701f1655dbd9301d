"""Grouped reads for the generated reports (智能报表): counts of the cases reported in a window
per source, per top-level category, per Beijing day and per unit (department or street), and the
short lists a bulletin names (overdue, supervised, unsatisfied cases), their free text masked as
for staff. Each is one statement over the cases in the actor's scope; the report model in
insight.reports does the arithmetic."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from cityops.cases import policy
from cityops.cases.model import CaseStatus, Satisfaction
from cityops.cases.queries import GROUPS
from cityops.cases.scoping import scope_clause
from cityops.cases.store import cases
from cityops.kernel.actor import Actor
from cityops.kernel.errors import ValidationFailed
from cityops.kernel.masking import mask_text

TOP_CODE_LENGTH = 3  # a level-1 category code (大类): "C01" of "C010801"
MAX_LISTED = 200  # cases named per list in a report


@dataclass(frozen=True)
class UnitCounts:
    """One unit's cases reported in the window (承办单位 or 街道)."""

    code: str
    name: str
    reported: int  # 受理数
    due_to_handle: int  # 应处置数
    handled_on_time: int  # 按期处置数
    due_to_close: int  # 应结案数
    closed: int  # 结案数
    closed_on_time: int  # 按期结案数
    overdue: int  # 超期数
    reworked: int  # 返工数
    supervised: int  # 督办数
    evaluated: int  # 评价数
    satisfied: int  # 满意 + 基本满意
    unsatisfied: int  # 不满意


@dataclass(frozen=True)
class ListedCase:
    """A case a report names: number, masked title, where it stands."""

    number: str
    title: str
    category_name: str
    unit_name: str
    street_name: str
    status: str
    reported_at: datetime


def _count(cond: ColumnElement[bool]) -> Any:
    return func.sum(case((cond, 1), else_=0))


def _window(start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(cases.c.reported_at >= start, cases.c.reported_at < end)


def counts_by_source(
    session: Session, actor: Actor, start: datetime, end: datetime
) -> dict[str, int]:
    """Source (CaseSource value) → cases reported in [start, end)."""
    policy.check_read_cases(actor)
    stmt = (
        select(cases.c.source, func.count())
        .where(_window(start, end), scope_clause(actor))
        .group_by(cases.c.source)
    )
    return {str(src): int(n) for src, n in session.execute(stmt).all()}


def counts_by_top_category(
    session: Session, actor: Actor, start: datetime, end: datetime
) -> dict[str, int]:
    """Level-1 category code (the first three characters) → cases reported in [start, end)."""
    policy.check_read_cases(actor)
    top = func.substr(cases.c.category_code, 1, TOP_CODE_LENGTH)
    stmt = select(top, func.count()).where(_window(start, end), scope_clause(actor)).group_by(top)
    return {str(code): int(n) for code, n in session.execute(stmt).all()}


def counts_by_day(
    session: Session, actor: Actor, start: datetime, end: datetime
) -> dict[date, int]:
    """Beijing day → cases reported in [start, end) (days without cases left out)."""
    policy.check_read_cases(actor)
    col = cases.c.reported_at
    if session.get_bind().dialect.name == "sqlite":  # stored as naive UTC text
        day: Any = func.date(col, "+8 hours")
    else:
        day = func.date(func.timezone("Asia/Shanghai", col))
    stmt = select(day, func.count()).where(_window(start, end), scope_clause(actor)).group_by(day)
    out: dict[date, int] = {}
    for value, n in session.execute(stmt).all():
        key = value if isinstance(value, date) else date.fromisoformat(str(value))
        out[key] = int(n)
    return out


def counts_by_unit(
    session: Session,
    actor: Actor,
    *,
    group_by: str,
    start: datetime,
    end: datetime,
    due_by: datetime,
) -> list[UnitCounts]:
    """Per department ("department") or street ("area"), with the indicator definitions of
    queries.indicator_counts for due/on-time (a deadline is due before min(end, due_by)), plus
    overdue (超期, marked by the SLA scan), supervised (督办) and the evaluations (满意度)."""
    policy.check_read_cases(actor)
    if group_by not in ("department", "area"):
        raise ValidationFailed(f"no unit grouping {group_by!r}", code="bad_group_by")
    code, name = GROUPS[group_by]
    c = cases.c
    due = min(end, due_by)
    dispatched = c.first_department_id.is_not(None)
    not_dropped = c.status.not_in([CaseStatus.cancelled.value, CaseStatus.rejected.value])
    good = [Satisfaction.satisfied.value, Satisfaction.basically_satisfied.value]
    stmt = (
        select(
            code.label("code"),
            func.max(name).label("name"),
            func.count().label("reported"),
            _count(
                and_(dispatched, or_(c.handle_deadline < due, c.handled_on_time.is_not(None)))
            ).label("due_to_handle"),
            _count(c.handled_on_time.is_(True)).label("handled_on_time"),
            _count(
                and_(
                    c.registered_at.is_not(None),
                    not_dropped,
                    or_(c.close_deadline < due, c.closed_at.is_not(None)),
                )
            ).label("due_to_close"),
            _count(c.closed_at.is_not(None)).label("closed"),
            _count(c.closed_on_time.is_(True)).label("closed_on_time"),
            _count(c.overdue.is_(True)).label("overdue"),
            _count(c.rework_count > 0).label("reworked"),
            _count(c.supervised.is_(True)).label("supervised"),
            _count(c.satisfaction.is_not(None)).label("evaluated"),
            _count(c.satisfaction.in_(good)).label("satisfied"),
            _count(c.satisfaction == Satisfaction.unsatisfied.value).label("unsatisfied"),
        )
        .where(_window(start, end), scope_clause(actor))
        .group_by(code)
        .order_by(code)
    )
    out: list[UnitCounts] = []
    for row in session.execute(stmt).mappings():
        values = {k: int(row[k] or 0) for k in row if k not in ("code", "name")}
        out.append(UnitCounts(code=str(row["code"]), name=str(row["name"] or ""), **values))
    return out


LISTS = ("overdue", "supervised", "unsatisfied")


def listed_cases(
    session: Session, actor: Actor, *, which: str, start: datetime, end: datetime
) -> tuple[int, list[ListedCase]]:
    """How many cases reported in [start, end) are overdue (超期), supervised (督办) or evaluated
    unsatisfied (不满意), and the first MAX_LISTED of them by report time, titles masked."""
    policy.check_read_cases(actor)
    c = cases.c
    conds: dict[str, ColumnElement[bool]] = {
        "overdue": c.overdue.is_(True),
        "supervised": c.supervised.is_(True),
        "unsatisfied": c.satisfaction == Satisfaction.unsatisfied.value,
    }
    if which not in conds:
        raise ValidationFailed(f"no case list {which!r}", code="bad_case_list")
    where = (_window(start, end), scope_clause(actor), conds[which])
    total = int(session.execute(select(func.count()).where(*where)).scalar_one())
    stmt = (
        select(
            c.number,
            c.tracking_code,
            c.title,
            c.category_name,
            func.coalesce(c.department_name, c.suggested_department_name, ""),
            func.coalesce(c.street_name, ""),
            c.status,
            c.reported_at,
        )
        .where(*where)
        .order_by(c.reported_at, c.id)
        .limit(MAX_LISTED)
    )
    found = [
        ListedCase(
            number=number or tracking,
            title=mask_text(title),
            category_name=category,
            unit_name=unit,
            street_name=street,
            status=status,
            reported_at=at,
        )
        for number, tracking, title, category, unit, street, status, at in session.execute(stmt)
    ]
    return total, found
