"""Read queries over the case tables: filtered pages, history, SLA scan candidates and the one
aggregate behind the performance indicators. Cases come back as `rows.CaseRecord`, history as
`HistoryEntry`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    RowMapping,
    Text,
    and_,
    bindparam,
    case,
    cast,
    exists,
    false,
    func,
    not_,
    or_,
    select,
)
from sqlalchemy.orm import Session

from cityops.cases.dtos import (
    CaseCounts,
    CaseFilter,
    CaseListStamp,
    CaseOrder,
    CaseSortKey,
    HistoryEntry,
)
from cityops.cases.model import VISIT_SOURCES, CaseStatus
from cityops.cases.rows import CaseRecord, record_of
from cityops.cases.scoping import scope_clause, scoped, sees_whole_city
from cityops.cases.store import case_extensions, case_history, cases
from cityops.kernel.actor import Actor
from cityops.kernel.errors import ValidationFailed
from cityops.taxonomy.public import Urgency
from cityops.worktime.public import SlaState

SCANNED_STATUSES = (
    CaseStatus.reported,
    CaseStatus.registered,
    CaseStatus.dispatched,
    CaseStatus.in_progress,
    CaseStatus.handled,
)


def needs_visit_clause() -> ColumnElement[bool]:
    """model.needs_visit in SQL: the cases waiting for a 回访 (待回访)."""
    return and_(
        cases.c.status == CaseStatus.closed.value,
        cases.c.source.in_(sorted(s.value for s in VISIT_SOURCES)),
        cases.c.reporter_phone.is_not(None),
        cases.c.reporter_phone != "",
        cases.c.evaluated_at.is_(None),
        cases.c.merged_into_id.is_(None),
    )


def _sla_clause(state: SlaState, now: datetime | None) -> ColumnElement[bool]:
    """CaseFilter.sla: red is overdue, or (`now` given) past the running stage's deadline;
    yellow is a running clock the SLA scan reminded (催办) that is not red; green the rest."""
    running = and_(
        cases.c.status.in_([s.value for s in SCANNED_STATUSES]),
        cases.c.stage_deadline.is_not(None),
    )
    late = cases.c.stage_deadline < now if now is not None else false()
    red = and_(running, or_(cases.c.overdue.is_(True), late))
    if state is SlaState.red:
        return red
    if state is SlaState.yellow:
        return and_(running, cases.c.reminded_at.is_not(None), not_(red))
    return and_(running, cases.c.reminded_at.is_(None), not_(red))


def _marked(condition: ColumnElement[bool], wanted: bool) -> ColumnElement[bool]:
    return condition if wanted else not_(condition)


def _extension_pending() -> ColumnElement[bool]:
    return exists().where(
        case_extensions.c.case_id == cases.c.id, case_extensions.c.status == "pending"
    )


def filter_clauses(f: CaseFilter, now: datetime | None = None) -> list[ColumnElement[bool]]:
    """The WHERE clauses of a filter; `now` dates the live part of `sla` (a stage deadline
    passed before the SLA scan came by)."""
    where: list[ColumnElement[bool]] = []
    if f.statuses:
        where.append(cases.c.status.in_([s.value for s in f.statuses]))
    if f.category_code:
        where.append(cases.c.category_code.startswith(f.category_code, autoescape=True))
    if f.area_code:
        where.append(cases.c.area_code.startswith(f.area_code, autoescape=True))
    if f.department_code:
        where.append(cases.c.department_code == f.department_code)
    if f.source is not None:
        where.append(cases.c.source == f.source.value)
    if f.sources:
        where.append(cases.c.source.in_([s.value for s in f.sources]))
    if f.overdue is not None:
        where.append(cases.c.overdue.is_(f.overdue))
    if f.reported_from is not None:
        where.append(cases.c.reported_at >= f.reported_from)
    if f.reported_to is not None:
        where.append(cases.c.reported_at < f.reported_to)
    if f.bbox is not None:
        min_lon, min_lat, max_lon, max_lat = f.bbox
        where.append(cases.c.lon.between(min_lon, max_lon))
        where.append(cases.c.lat.between(min_lat, max_lat))
    if f.visit_due is not None:
        where.append(_marked(needs_visit_clause(), f.visit_due))
    if f.extension_pending is not None:
        where.append(_marked(_extension_pending(), f.extension_pending))
    if f.returned is not None:
        where.append(_marked(cases.c.return_count > 0, f.returned))
    if f.reworked is not None:
        reworked = or_(cases.c.rework_count > 0, cases.c.reopen_count > 0)
        where.append(_marked(reworked, f.reworked))
    if f.sla is not None:
        where.append(_sla_clause(f.sla, now))
    if f.created_by_user_id is not None:
        where.append(cases.c.created_by_user_id == f.created_by_user_id)
    if f.q and f.q.strip():
        # the words as typed: % and _ match themselves, not as LIKE wildcards
        words = f.q.strip()
        where.append(
            or_(
                cases.c.title.icontains(words, autoescape=True),
                cases.c.description.icontains(words, autoescape=True),
                cases.c.number.icontains(words, autoescape=True),
                cases.c.address.icontains(words, autoescape=True),
            )
        )
    return where


_CASE_BY_ID = select(cases).where(cases.c.id == bindparam("case_id"))


def scoped_case(session: Session, actor: Actor, case_id: int) -> CaseRecord | None:
    """The case if it is in the actor's scope."""
    # the city-wide roles read through one statement built once (no scope clause to add)
    stmt = _CASE_BY_ID if sees_whole_city(actor) else scoped(_CASE_BY_ID, actor)
    row = session.execute(stmt, {"case_id": case_id}).first()
    return None if row is None else record_of(row)


def scoped_cases(session: Session, actor: Actor, case_ids: Sequence[int]) -> list[CaseRecord]:
    """Those of `case_ids` in the actor's scope, in one query per 500 ids."""
    ids = sorted(set(case_ids))
    out: list[CaseRecord] = []
    for start in range(0, len(ids), 500):
        stmt = scoped(select(cases).where(cases.c.id.in_(ids[start : start + 500])), actor)
        out.extend(record_of(row) for row in session.execute(stmt))
    return out


def caller_cases(session: Session, actor: Actor, phone: str, limit: int) -> list[CaseRecord]:
    """The actor's cases reported from this phone number, newest first."""
    stmt = (
        scoped(select(cases).where(cases.c.reporter_phone == phone), actor)
        .order_by(cases.c.reported_at.desc(), cases.c.id.desc())
        .limit(limit)
    )
    return [record_of(row) for row in session.execute(stmt)]


_URGENCY_RANK = case(
    {Urgency.normal.value: 0, Urgency.urgent.value: 1, Urgency.critical.value: 2},
    value=cases.c.urgency,
    else_=0,
)
_SORT_COLUMNS: dict[CaseSortKey, ColumnElement[Any]] = {
    CaseSortKey.reported_at: cases.c.reported_at,
    CaseSortKey.stage_deadline: cases.c.stage_deadline,
    CaseSortKey.number: cases.c.number,
    CaseSortKey.status: cases.c.status,
    CaseSortKey.category: cases.c.category_code,
    CaseSortKey.urgency: _URGENCY_RANK,
}


def order_clauses(order: CaseOrder | None) -> list[ColumnElement[Any]]:
    """ORDER BY of a list: the workbench's (overdue first, then the nearest stage deadline)
    when `order` is None, else its column; empty values (no deadline, no number yet) last
    either way, and the case id last of all, so that a page never repeats or skips a case."""
    if order is None:
        return [
            cases.c.overdue.desc(),
            cases.c.stage_deadline.asc().nulls_last(),
            cases.c.id.desc(),
        ]
    column = _SORT_COLUMNS[order.key]
    if order.descending:
        return [column.desc().nulls_last(), cases.c.id.desc()]
    return [column.asc().nulls_last(), cases.c.id.asc()]


def case_list_stamp(
    session: Session, actor: Actor, f: CaseFilter, now: datetime | None = None
) -> CaseListStamp:
    stmt = (
        select(func.count(), func.max(cases.c.updated_at), func.max(cases.c.id))
        .select_from(cases)
        .where(*filter_clauses(f, now), scope_clause(actor))
    )
    total, last_update, last_id = session.execute(stmt).one()
    return CaseListStamp(total=int(total), last_update=last_update, last_id=last_id)


def case_page(
    session: Session,
    actor: Actor,
    f: CaseFilter,
    page: int,
    size: int,
    *,
    order: CaseOrder | None = None,
    now: datetime | None = None,
    total: int | None = None,
) -> tuple[list[CaseRecord], int]:
    """A page of the filtered list and the list's total (counted unless the caller has it)."""
    where = filter_clauses(f, now)
    if total is None:
        total = session.execute(
            scoped(select(func.count()).select_from(cases).where(*where), actor)
        ).scalar_one()
    stmt = (
        scoped(select(cases).where(*where), actor)
        .order_by(*order_clauses(order))
        .limit(size)
        .offset((page - 1) * size)
    )
    return [record_of(row) for row in session.execute(stmt)], int(total)


def iter_cases(
    session: Session, actor: Actor, f: CaseFilter, batch: int = 500
) -> Iterator[CaseRecord]:
    """Every matching case in list order, fetched in batches (for exports)."""
    stmt = (
        scoped(select(cases).where(*filter_clauses(f)), actor)
        .order_by(
            cases.c.overdue.desc(), cases.c.stage_deadline.asc().nulls_last(), cases.c.id.desc()
        )
        .execution_options(yield_per=batch)
    )
    for row in session.execute(stmt):
        yield record_of(row)


def history_entries(session: Session, case_id: int) -> list[HistoryEntry]:
    """The case's history lines, in order."""
    stmt = (
        select(case_history).where(case_history.c.case_id == case_id).order_by(case_history.c.seq)
    )
    return [_history_entry(row) for row in session.execute(stmt).mappings()]


def _history_entry(row: RowMapping) -> HistoryEntry:
    return HistoryEntry(
        id=row["id"],
        seq=row["seq"],
        action=row["action"],
        from_status=row["from_status"],
        to_status=row["to_status"],
        actor_user_id=row["actor_user_id"],
        actor_name=row["actor_name"],
        actor_role=row["actor_role"],
        at=row["at"],
        note=row["note"] or "",
        data=dict(row["data"] or {}),
        attachments=tuple(row["attachments"] or ()),
        correlation_id=row["correlation_id"],
        causation_id=row["causation_id"],
    )


def first_attachments(
    session: Session, actor: Actor, case_ids: Sequence[int], actions: Sequence[str] = ()
) -> dict[int, str]:
    """The first attachment of each case's history (the earliest step that has one; only steps
    of `actions` when given), for the cases of `case_ids` in the actor's scope; one query per
    500 cases."""
    out: dict[int, str] = {}
    ids = list(dict.fromkeys(case_ids))
    only = [case_history.c.action.in_(list(actions))] if actions else []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        stmt = scoped(
            select(case_history.c.case_id, case_history.c.attachments)
            .join(cases, cases.c.id == case_history.c.case_id)
            .where(case_history.c.case_id.in_(chunk), *only)
            .order_by(case_history.c.case_id, case_history.c.seq),
            actor,
        )
        for case_id, attachments in session.execute(stmt):
            if attachments and case_id not in out:
                out[case_id] = str(attachments[0])
    return out


class ScanCandidate(NamedTuple):
    """What the SLA scan reads of a case (not the whole record: it reads every open case each
    run), as stored: statuses as text, the limits as their JSON text (cases of one category share
    one limits document, parsed once by the scan)."""

    id: int
    number: str | None
    status: str
    stage: str | None
    stage_started_at: datetime | None
    stage_deadline: datetime | None
    overdue: bool
    reminded_at: datetime | None
    supervised: bool
    history_seq: int
    limits: str | None


# What the SLA scan needs of a case, in ScanCandidate's order
_SCAN_COLUMNS = (
    cases.c.id,
    cases.c.number,
    cases.c.status,
    cases.c.stage,
    cases.c.stage_started_at,
    cases.c.stage_deadline,
    cases.c.overdue,
    cases.c.reminded_at,
    cases.c.supervised,
    cases.c.history_seq,
    # as text: cases of one category share one limits document, parsed once (sla_scan)
    cast(cases.c.limits, Text).label("limits"),
)
_SCAN_ONE = select(*_SCAN_COLUMNS).where(cases.c.id == bindparam("case_id"))
if ScanCandidate._fields != tuple(c.key for c in _SCAN_COLUMNS):
    raise RuntimeError("ScanCandidate must name the scan's columns, in their order")


def scan_candidates(session: Session) -> Iterator[ScanCandidate]:
    """Open, running cases that may still need an SLA mark (overdue, reminder, escalation):
    the columns the scan reads (`_SCAN_COLUMNS`), fetched as the caller goes (500 at a time)."""
    stmt = select(*_SCAN_COLUMNS).where(
        cases.c.status.in_([s.value for s in SCANNED_STATUSES]),
        cases.c.stage_deadline.is_not(None),
        or_(
            cases.c.reminded_at.is_(None),
            cases.c.overdue.is_(False),
            cases.c.supervised.is_(False),
        ),
    )
    rows = session.execute(stmt.execution_options(yield_per=500))
    return (ScanCandidate._make(row) for row in rows)


def scan_candidate(session: Session, case_id: int) -> ScanCandidate | None:
    """One case's `_SCAN_COLUMNS`, as it is now."""
    row = session.execute(_SCAN_ONE, {"case_id": case_id}).first()
    return None if row is None else ScanCandidate._make(row)


GROUPS = {
    # responsible department: the one holding the case, else the one the list names
    "department": (
        func.coalesce(cases.c.department_code, cases.c.suggested_department_code, ""),
        func.coalesce(cases.c.department_name, cases.c.suggested_department_name, ""),
    ),
    "area": (func.coalesce(cases.c.street_code, ""), func.coalesce(cases.c.street_name, "")),
    "district": (
        func.coalesce(cases.c.district_code, ""),
        func.coalesce(cases.c.district_name, ""),
    ),
}


def _count(cond: ColumnElement[bool]) -> Any:
    return func.sum(case((cond, 1), else_=0))


def indicator_counts(
    session: Session,
    actor: Actor,
    *,
    group_by: str,
    start: datetime,
    end: datetime,
    due_by: datetime | None = None,
) -> list[CaseCounts]:
    """One GROUP BY over the cases in the actor's scope reported in [start, end). A deadline is
    due (应处置, 应结案) when it falls before `due_by` (default: `end`; a window reaching into
    the future passes now, so a case not yet due is not counted as due)."""
    due = end if due_by is None else min(end, due_by)
    if group_by not in GROUPS:
        raise ValidationFailed(
            f"group_by must be one of {', '.join(GROUPS)}, not {group_by!r}", code="bad_group_by"
        )
    code, name = GROUPS[group_by]
    c = cases.c
    dispatched = c.first_department_id.is_not(None)
    registered = c.registered_at.is_not(None)
    not_dropped = c.status.not_in([CaseStatus.cancelled.value, CaseStatus.rejected.value])
    stmt = (
        select(
            code.label("group_code"),
            func.max(name).label("group_name"),
            func.count().label("reported"),
            _count(registered).label("registered"),
            _count(dispatched).label("dispatched"),
            _count(
                and_(
                    dispatched,
                    c.first_department_id == c.suggested_department_id,
                    c.return_count == 0,
                )
            ).label("accurately_dispatched"),
            _count(
                and_(dispatched, or_(c.handle_deadline < due, c.handled_on_time.is_not(None)))
            ).label("due_to_handle"),
            _count(c.handled_on_time.is_(True)).label("handled_on_time"),
            _count(
                and_(
                    registered,
                    not_dropped,
                    or_(c.close_deadline < due, c.closed_at.is_not(None)),
                )
            ).label("due_to_close"),
            _count(c.closed_at.is_not(None)).label("closed"),
            _count(c.closed_on_time.is_(True)).label("closed_on_time"),
            _count(c.rework_count > 0).label("reworked"),
            _count(c.extension_count > 0).label("extended"),
        )
        .where(c.reported_at >= start, c.reported_at < end)
        .where(scope_clause(actor))
        .group_by(code)
        .order_by(code)
    )
    out: list[CaseCounts] = []
    for row in session.execute(stmt).mappings():
        values = {k: int(row[k] or 0) for k in row if k not in ("group_code", "group_name")}
        out.append(
            CaseCounts(group_code=row["group_code"], group_name=row["group_name"] or "", **values)
        )
    return out
