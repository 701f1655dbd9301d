"""The counts behind the performance evaluation (绩效考核) and the cases behind each count.

Areas (streets) and departments are counted per case, by the period the case was reported in:
one GROUP BY over `cases`. Posts are counted per workflow step, by the period the step was taken
in, for the user who took it (`case_history.actor_user_id`): one statement over the history
lines of the post's actions joined to their cases, with the facts a step is judged on (a later
回退, the next 核查, the request an extension decision answered) as correlated subqueries, and
the judgement (was the step within its stage deadline, which the case keeps as JSON) made here
in Python so that it reads the same on SQLite and PostgreSQL. Both are narrowed to the actor's
scope, as the case list is. docs/insight/evaluation.md defines every count."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, func, or_, select, true
from sqlalchemy.orm import Session

from cityops.cases.evaluation_steps import post_counts, post_hits
from cityops.cases.evaluation_types import (
    CASE_KINDS,
    SATISFIED,
    CaseRef,
    SubjectCounts,
    Window,
    check_kind,
    check_windows,
    counts_of_kind,
)
from cityops.cases.model import CaseStatus
from cityops.cases.queries import GROUPS
from cityops.cases.scoping import scope_clause
from cityops.cases.store import cases
from cityops.kernel.actor import CITYWIDE_ROLES, Actor, Role
from cityops.kernel.errors import ValidationFailed

# ---- areas and departments: per case ---------------------------------------------------------


def _group(kind: str) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    if kind == "street":
        return GROUPS["area"]
    return GROUPS["department"]


def _own_department(kind: str, actor: Actor) -> list[ColumnElement[bool]]:
    """A handler (without a city-wide role) sees their own department's row only."""
    if kind != "department" or actor.has(*CITYWIDE_ROLES) or not actor.has(Role.handler):
        return []
    if actor.department_id is None:
        return [false()]
    return [cases.c.department_id == actor.department_id]


def _case_flags(windows: Sequence[Window], now: datetime) -> dict[str, ColumnElement[bool]]:
    """The condition of each count over `cases`; a deadline is due when it falls before its
    period's end or now, whichever comes first (as in the indicators)."""
    c = cases.c

    def due(column: Any) -> ColumnElement[bool]:
        return or_(
            *(
                and_(c.reported_at >= lo, c.reported_at < hi, column < min(hi, now))
                for lo, hi in windows
            )
        )

    dispatched = c.first_department_id.is_not(None)
    registered = c.registered_at.is_not(None)
    not_dropped = c.status.not_in([CaseStatus.cancelled.value, CaseStatus.rejected.value])
    return {
        "reported": true(),
        "registered": registered,
        "dispatched": dispatched,
        "due_to_handle": and_(
            dispatched, or_(due(c.handle_deadline), c.handled_on_time.is_not(None))
        ),
        "handled_on_time": c.handled_on_time.is_(True),
        "due_to_close": and_(
            registered, not_dropped, or_(due(c.close_deadline), c.closed_at.is_not(None))
        ),
        "closed": c.closed_at.is_not(None),
        "reworked": c.rework_count > 0,
        "extended": c.extension_count > 0,
        "returned": and_(dispatched, c.return_count > 0),
        "evaluated": c.satisfaction.is_not(None),
        "satisfied": c.satisfaction.in_(SATISFIED),
    }


def _case_kind_counts(
    session: Session, actor: Actor, kind: str, windows: Sequence[Window], now: datetime
) -> list[SubjectCounts]:
    code, name = _group(kind)
    c = cases.c
    period = case(
        *((and_(c.reported_at >= lo, c.reported_at < hi), i) for i, (lo, hi) in enumerate(windows)),
        else_=-1,
    )
    flags = _case_flags(windows, now)
    inner = (
        select(
            code.label("code"),
            name.label("name"),
            period.label("period"),
            *(case((cond, 1), else_=0).label(key) for key, cond in flags.items()),
        )
        .where(c.reported_at >= windows[0][0], c.reported_at < windows[-1][1])
        .where(scope_clause(actor), *_own_department(kind, actor))
        .subquery()
    )
    stmt = (
        select(
            inner.c.code,
            func.max(inner.c.name).label("name"),
            inner.c.period,
            *(func.sum(inner.c[key]).label(key) for key in flags),
        )
        .where(inner.c.period >= 0)
        .group_by(inner.c.code, inner.c.period)
        .order_by(inner.c.code, inner.c.period)
    )
    return [
        SubjectCounts(
            kind=kind,
            code=row["code"],
            name=row["name"] or "",
            period=int(row["period"]),
            counts={key: int(row[key] or 0) for key in flags},
        )
        for row in session.execute(stmt).mappings()
    ]


def _case_kind_cases(
    session: Session, actor: Actor, kind: str, code: str, count: str, window: Window, now: datetime
) -> list[CaseRef]:
    group, _ = _group(kind)
    c = cases.c
    lo, hi = window
    stmt = (
        select(c.id, c.number, c.title, c.status)
        .where(group == code, c.reported_at >= lo, c.reported_at < hi)
        .where(_case_flags([window], now)[count])
        .where(scope_clause(actor), *_own_department(kind, actor))
        .order_by(c.id)
    )
    return [CaseRef(r.id, r.number, r.title, r.status) for r in session.execute(stmt)]


# ---- the reads -------------------------------------------------------------------------------


def evaluation_counts(
    session: Session,
    actor: Actor,
    *,
    kind: str,
    windows: Sequence[Window],
    now: datetime,
    decision_hours: float = 24.0,
) -> list[SubjectCounts]:
    """Every subject's counts in each of `windows` (in order, not overlapping): one statement
    for areas, departments and the other posts, two for inspectors."""
    check_kind(kind)
    check_windows(windows)
    if kind in CASE_KINDS:
        return _case_kind_counts(session, actor, kind, windows, now)
    return post_counts(post_hits(session, actor, kind, windows, decision_hours), kind)


def evaluation_cases(
    session: Session,
    actor: Actor,
    *,
    kind: str,
    code: str,
    count: str,
    window: Window,
    now: datetime,
    decision_hours: float = 24.0,
) -> list[CaseRef]:
    """The cases behind one count of one subject in one period (each case once, by id)."""
    if count not in counts_of_kind(kind):
        raise ValidationFailed(
            f"{kind} has no count {count!r}; it has {', '.join(counts_of_kind(kind))}",
            code="invalid_count",
        )
    check_windows([window])
    if kind in CASE_KINDS:
        return _case_kind_cases(session, actor, kind, code, count, window, now)
    if not code.isdigit():
        return []
    hits = post_hits(session, actor, kind, [window], decision_hours, user=int(code))
    found = {h.case.id: h.case for h in hits if h.subject == code and h.flags.get(count)}
    return [found[i] for i in sorted(found)]
