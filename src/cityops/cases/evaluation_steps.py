"""Posts' counts for the performance evaluation: per workflow step, for the user who took it
(see evaluation_counts.py); the step lines of a post's actions joined to their cases in one
statement, the facts a step is judged on as correlated subqueries, the judgement here."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, aliased

from cityops.cases.evaluation_types import (
    POST_ACTIONS,
    POST_COUNTS,
    SATISFIED,
    CaseRef,
    SubjectCounts,
    Window,
)
from cityops.cases.model import VISIT_SOURCES, CaseSource, CaseStatus
from cityops.cases.rows import deadlines_from_json
from cityops.cases.scoping import scope_clause
from cityops.cases.store import case_history, cases
from cityops.kernel.actor import Actor
from cityops.worktime.public import Stage

# ---- posts: per step -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Hit:
    """One counted thing (a step, or a reported case) of a subject in a period."""

    subject: str
    name: str
    period: int
    key: tuple[str, int]  # ("step", history line id) or ("case", case id)
    case: CaseRef
    flags: Mapping[str, bool]


def _on_time(at: datetime, deadlines: Any, stage: Stage) -> bool:
    deadline = deadlines_from_json(deadlines).get(stage)
    return deadline is None or at <= deadline


def _needs_visit(row: Any) -> bool:
    """The case is closed (or was evaluated) and waits, or waited, for a 回访 (model.needs_visit
    without its "not yet evaluated")."""
    closed = row.status == CaseStatus.closed.value or row.evaluated_at is not None
    return (
        closed
        and row.source in {s.value for s in VISIT_SOURCES}
        and bool(row.reporter_phone)
        and row.merged_into_id is None
    )


def _step_flags(kind: str, row: Any, decision_hours: float) -> dict[str, bool]:
    if kind == "operator":
        due = _needs_visit(row)
        return {
            "accepted": True,
            "accepted_on_time": _on_time(row.at, row.deadlines, Stage.register),
            "visit_due": due,
            "visited": due and row.evaluated_at is not None,
        }
    if kind == "dispatcher":
        return {
            "dispatched": True,
            "dispatched_accurately": not row.returned_after,
            "dispatched_on_time": _on_time(row.at, row.deadlines, Stage.dispatch),
        }
    if kind == "inspector":
        return {
            "verified": True,
            "verified_on_time": _on_time(row.at, row.deadlines, Stage.verify),
        }
    if kind == "shift_leader":
        asked = row.requested_at
        in_time = asked is not None and row.at - asked <= timedelta(hours=decision_hours)
        return {"decided": True, "decided_in_time": in_time}
    data = row.data or {}
    return {
        "finished": True,
        "finished_on_time": data.get("on_time") is True,
        "finished_reworked": row.next_verify is not None
        and row.next_verify != CaseStatus.closed.value,
        "finished_evaluated": row.satisfaction is not None,
        "finished_satisfied": row.satisfaction in SATISFIED,
    }


def _step_rows(
    session: Session, actor: Actor, kind: str, lo: datetime, hi: datetime, user: int | None
) -> Iterable[Any]:
    h, later = case_history, aliased(case_history)
    c = cases.c
    extra: list[Any] = []
    if kind == "dispatcher":
        extra.append(
            exists()
            .where(
                later.c.case_id == h.c.case_id, later.c.action == "return", later.c.seq > h.c.seq
            )
            .label("returned_after")
        )
    if kind == "handler":
        extra.append(
            select(later.c.to_status)
            .where(
                later.c.case_id == h.c.case_id, later.c.action == "verify", later.c.seq > h.c.seq
            )
            .order_by(later.c.seq)
            .limit(1)
            .scalar_subquery()
            .label("next_verify")
        )
    if kind == "shift_leader":
        extra.append(
            select(func.max(later.c.at))
            .where(
                later.c.case_id == h.c.case_id,
                later.c.action == "request_extension",
                later.c.seq < h.c.seq,
            )
            .scalar_subquery()
            .label("requested_at")
        )
    stmt = (
        select(
            h.c.id.label("line_id"),
            h.c.actor_user_id,
            h.c.actor_name,
            h.c.at,
            h.c.data,
            c.id,
            c.number,
            c.title,
            c.status,
            c.deadlines,
            c.satisfaction,
            c.source,
            c.reporter_phone,
            c.evaluated_at,
            c.merged_into_id,
            *extra,
        )
        .join(cases, cases.c.id == h.c.case_id)
        .where(h.c.action.in_(POST_ACTIONS[kind]), h.c.at >= lo, h.c.at < hi)
        .where(h.c.actor_user_id.is_not(None) if user is None else h.c.actor_user_id == user)
        .where(scope_clause(actor))
        .order_by(h.c.id)
    )
    return session.execute(stmt)


def _report_rows(
    session: Session, actor: Actor, lo: datetime, hi: datetime, user: int | None
) -> Iterable[Any]:
    c = cases.c
    stmt = (
        select(
            c.id,
            c.number,
            c.title,
            c.status,
            c.registered_at,
            c.created_by_user_id,
            c.created_by_name,
            c.reported_at,
        )
        .where(c.source == CaseSource.inspector.value, c.reported_at >= lo, c.reported_at < hi)
        .where(c.created_by_user_id.is_not(None) if user is None else c.created_by_user_id == user)
        .where(scope_clause(actor))
        .order_by(c.id)
    )
    return session.execute(stmt)


def _period_index(starts: Sequence[datetime], windows: Sequence[Window], at: datetime) -> int:
    i = bisect.bisect_right(starts, at) - 1
    return i if i >= 0 and at < windows[i][1] else -1


def post_hits(
    session: Session,
    actor: Actor,
    kind: str,
    windows: Sequence[Window],
    decision_hours: float,
    user: int | None = None,
) -> list[_Hit]:
    starts = [lo for lo, _ in windows]
    lo, hi = windows[0][0], windows[-1][1]
    hits: list[_Hit] = []
    for row in _step_rows(session, actor, kind, lo, hi, user):
        period = _period_index(starts, windows, row.at)
        if period < 0:
            continue
        ref = CaseRef(row.id, row.number, row.title, row.status)
        hits.append(
            _Hit(
                str(row.actor_user_id),
                row.actor_name,
                period,
                ("step", row.line_id),
                ref,
                _step_flags(kind, row, decision_hours),
            )
        )
    if kind == "inspector":
        for row in _report_rows(session, actor, lo, hi, user):
            period = _period_index(starts, windows, row.reported_at)
            if period < 0:
                continue
            ref = CaseRef(row.id, row.number, row.title, row.status)
            flags = {"reports": True, "reports_valid": row.registered_at is not None}
            name = row.created_by_name or ""
            hits.append(
                _Hit(str(row.created_by_user_id), name, period, ("case", row.id), ref, flags)
            )
    return hits


def post_counts(hits: Iterable[_Hit], kind: str) -> list[SubjectCounts]:
    names: dict[tuple[str, int], str] = {}
    counted: dict[tuple[str, int], dict[str, set[tuple[str, int]]]] = {}
    for hit in hits:
        slot = (hit.subject, hit.period)
        names[slot] = hit.name or names.get(slot, "")
        per = counted.setdefault(slot, {name: set() for name in POST_COUNTS[kind]})
        for name, on in hit.flags.items():
            if on:
                per[name].add(hit.key)
    return [
        SubjectCounts(
            kind, subject, names[(subject, period)], period, {k: len(v) for k, v in per.items()}
        )
        for (subject, period), per in sorted(counted.items(), key=lambda s: (s[0][0], s[0][1]))
    ]
