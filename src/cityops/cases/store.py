"""Case tables and their write paths. Tables never leave the cases package: the service talks to
the functions here and in `queries.py`, which give cases as typed records (`rows.CaseRecord`),
never as rows. History rows are only ever inserted."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from cityops.cases.rows import CaseRecord, record_of
from cityops.infra.db import UTCDateTime, metadata
from cityops.kernel.events import Trace, current_trace
from cityops.worktime.public import TimeLimit

_ID = BigInteger().with_variant(Integer, "sqlite")

cases = Table(
    "cases",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("number", String(24), nullable=True, unique=True),
    Column("tracking_code", String(32), nullable=False, unique=True),
    Column("version", Integer, nullable=False),
    Column("source", String(16), nullable=False, index=True),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("category_code", String(16), nullable=False, index=True),
    Column("category_name", String(100), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("urgency", String(16), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("lon", Float, nullable=True),
    Column("lat", Float, nullable=True),
    Column("address", String(300), nullable=True),
    Column("area_code", String(40), nullable=False, index=True),
    Column("district_code", String(40), nullable=True),
    Column("district_name", String(100), nullable=True),
    Column("street_code", String(40), nullable=True),
    Column("street_name", String(100), nullable=True),
    Column("community_code", String(40), nullable=True),
    Column("community_name", String(100), nullable=True),
    Column("grid_code", String(40), nullable=True),
    Column("grid_name", String(100), nullable=True),
    Column("department_id", Integer, nullable=True, index=True),
    Column("department_code", String(40), nullable=True),
    Column("department_name", String(100), nullable=True),
    Column("first_department_id", Integer, nullable=True),
    Column("suggested_department_id", Integer, nullable=True),
    Column("suggested_department_code", String(40), nullable=True),
    Column("suggested_department_name", String(100), nullable=True),
    Column("reporter_name", String(64), nullable=True),
    Column("reporter_phone", String(32), nullable=True, index=True),
    Column("reporter_user_id", Integer, nullable=True),
    Column("created_by_user_id", Integer, nullable=True, index=True),
    Column("created_by_name", String(64), nullable=True),
    Column("stage", String(16), nullable=True),
    Column("stage_started_at", UTCDateTime(), nullable=True),
    Column("stage_deadline", UTCDateTime(), nullable=True, index=True),
    Column("limits", JSON, nullable=False),
    Column("deadlines", JSON, nullable=False),
    Column("handle_deadline", UTCDateTime(), nullable=True),
    Column("close_deadline", UTCDateTime(), nullable=True),
    Column("overdue", Boolean, nullable=False),
    Column("overdue_at", UTCDateTime(), nullable=True),
    Column("supervised", Boolean, nullable=False),
    Column("reminded_at", UTCDateTime(), nullable=True),
    Column("escalated_at", UTCDateTime(), nullable=True),
    Column("return_count", Integer, nullable=False),
    Column("rework_count", Integer, nullable=False),
    Column("extension_count", Integer, nullable=False),
    Column("reopen_count", Integer, nullable=False),
    Column("merged_into_id", _ID, nullable=True, index=True),
    Column("suspended_at", UTCDateTime(), nullable=True),
    Column("suspended_seconds", Float, nullable=False),
    Column("pending_extension", JSON, nullable=True),
    Column("handled_on_time", Boolean, nullable=True),
    Column("closed_on_time", Boolean, nullable=True),
    Column("satisfaction", String(24), nullable=True),
    Column("evaluated_at", UTCDateTime(), nullable=True),
    Column("reported_at", UTCDateTime(), nullable=False, index=True),
    Column("registered_at", UTCDateTime(), nullable=True),
    Column("dispatched_at", UTCDateTime(), nullable=True),
    Column("signed_at", UTCDateTime(), nullable=True),
    Column("handled_at", UTCDateTime(), nullable=True),
    Column("closed_at", UTCDateTime(), nullable=True),
    Column("history_seq", Integer, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    # a street's recent cases: smart routing's place prior (nearby.py) reads them per appeal
    Index("ix_cases_street_code_reported_at", "street_code", "reported_at"),
)

# CaseRecord is built from a row by position (rows.record_of): its fields are the columns, in order
if CaseRecord._fields != tuple(cases.c.keys()):
    raise RuntimeError("rows.CaseRecord must name the columns of the cases table, in table order")

case_history = Table(
    "case_history",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("case_id", _ID, ForeignKey("cases.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("action", String(32), nullable=False),
    Column("from_status", String(16), nullable=True),
    Column("to_status", String(16), nullable=True),
    Column("actor_user_id", Integer, nullable=True),
    Column("actor_name", String(64), nullable=False),
    Column("actor_role", String(24), nullable=False),
    Column("at", UTCDateTime(), nullable=False, index=True),  # windows of updates (Open311)
    Column("note", Text, nullable=False),
    Column("data", JSON, nullable=False),
    Column("attachments", JSON, nullable=False),
    Column("correlation_id", String(64), nullable=True),  # the request the chain began with
    Column("causation_id", String(64), nullable=True),  # that request, or the event acted on
    UniqueConstraint("case_id", "seq", name="uq_case_history_case_seq"),
)

case_extensions = Table(
    "case_extensions",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("case_id", _ID, ForeignKey("cases.id"), nullable=False, index=True),
    Column("requested_by", String(64), nullable=False),
    Column("requested_at", UTCDateTime(), nullable=False),
    Column("amount", Float, nullable=False),
    Column("unit", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("status", String(16), nullable=False),  # pending | approved | denied
    Column("decided_by", String(64), nullable=True),
    Column("decided_at", UTCDateTime(), nullable=True),
)

# Every department a case was ever dispatched to: a handler keeps seeing cases they worked on.
case_assignments = Table(
    "case_assignments",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("case_id", _ID, ForeignKey("cases.id"), nullable=False),
    Column("department_id", Integer, nullable=False, index=True),
    Column("assigned_at", UTCDateTime(), nullable=False),
    UniqueConstraint("case_id", "department_id", name="uq_case_assignments_case_department"),
)

# ---- writes --------------------------------------------------------------------------------


# Write statements are built once and given their values as execution parameters: SQLAlchemy
# then reuses one compiled statement instead of building and caching a new one per call (on the
# 60-column cases table that cut the cost of an insert from about 3 ms to under 1 ms).
_INSERT_CASES = insert(cases).returning(*cases.c, sort_by_parameter_order=True)
_UPDATE_IF_UNCHANGED = (
    update(cases)
    .where(
        cases.c.id == bindparam("_case_id"),
        cases.c.version == bindparam("_expected"),
        cases.c.history_seq == bindparam("_seq"),
    )
    .values(version=cases.c.version + 1, history_seq=cases.c.history_seq + 1)
    .returning(*cases.c)
)
_UPDATE_UNVERSIONED = (
    update(cases)
    .where(cases.c.id == bindparam("_case_id"))
    .values(history_seq=cases.c.history_seq + 1)
    .returning(cases.c.history_seq)
)
_INSERT_HISTORY = insert(case_history)


def allocate_case_ids(session: Session, n: int) -> list[int]:
    """`n` new case ids, for cases written in this transaction. SQLite: the write transaction
    holds the database, so the ids after the largest are free (what SQLite itself would pick);
    PostgreSQL: drawn from the id sequence, safe beside concurrent writers."""
    if n <= 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        drawn = session.execute(_NEXT_IDS, {"n": n}).scalars().all()
        return sorted(int(i) for i in drawn)
    last = session.execute(_LAST_ID).scalar_one()
    return list(range(int(last) + 1, int(last) + 1 + n))


_LAST_ID = select(func.coalesce(func.max(cases.c.id), 0))
_NEXT_IDS = text(
    "SELECT nextval(pg_get_serial_sequence('cases', 'id')) FROM generate_series(1, :n)"
)


def insert_cases(session: Session, values: Sequence[Mapping[str, Any]]) -> list[CaseRecord]:
    """Insert complete case rows (ids and numbers included) in one statement; returns the cases
    as stored, in the order given."""
    if not values:
        return []
    return [record_of(row) for row in session.execute(_INSERT_CASES, [dict(v) for v in values])]


def update_if_unchanged(
    session: Session, case_id: int, version: int, history_seq: int, values: Mapping[str, Any]
) -> CaseRecord | None:
    """A workflow step: apply `values` and move the version on, only if the case is still at
    `version` and `history_seq` (nothing changed it since it was read). Returns the case as
    stored (its `history_seq` numbers the step's history line), or None if it had changed."""
    params = {k: v for k, v in values.items() if k not in ("version", "history_seq")}
    result = session.execute(
        _UPDATE_IF_UNCHANGED,
        {**params, "_case_id": case_id, "_expected": version, "_seq": history_seq},
    )
    row = result.one_or_none()
    return None if row is None else record_of(row)


def update_unversioned(session: Session, case_id: int, values: Mapping[str, Any]) -> int:
    """Bookkeeping that is no workflow step (SLA marks, audit): the version stays, so nobody's
    pending action goes stale. Returns the next history sequence number."""
    params = {k: v for k, v in values.items() if k != "history_seq"}
    seq = session.execute(_UPDATE_UNVERSIONED, {**params, "_case_id": case_id}).scalar_one()
    return int(seq)


def history_row(
    *,
    case_id: int,
    seq: int,
    action: str,
    from_status: str | None,
    to_status: str | None,
    actor_user_id: int | None,
    actor_name: str,
    actor_role: str,
    at: datetime,
    note: str = "",
    data: Mapping[str, Any] | None = None,
    attachments: Sequence[str] = (),
    trace: Trace | None = None,
) -> dict[str, Any]:
    """One history line's values, for `insert_history_rows`; its trace is the current one
    (kernel/events.py) unless given."""
    trace = trace or current_trace()
    return {
        "case_id": case_id,
        "seq": seq,
        "action": action,
        "from_status": from_status,
        "to_status": to_status,
        "actor_user_id": actor_user_id,
        "actor_name": actor_name,
        "actor_role": actor_role,
        "at": at,
        "note": note,
        "data": dict(data or {}),
        "attachments": list(attachments),
        "correlation_id": trace.correlation_id or None,
        "causation_id": trace.causation_id or None,
    }


def insert_history(session: Session, **line: Any) -> None:
    """Append one history line (the fields of `history_row`)."""
    session.execute(_INSERT_HISTORY, history_row(**line))


def insert_history_rows(session: Session, lines: Sequence[Mapping[str, Any]]) -> None:
    """Append history lines built by `history_row`, in one statement."""
    if lines:
        session.execute(_INSERT_HISTORY, [dict(line) for line in lines])


def insert_extension(
    session: Session,
    *,
    case_id: int,
    requested_by: str,
    at: datetime,
    limit: TimeLimit,
    reason: str,
) -> int:
    new_id = session.execute(
        insert(case_extensions)
        .values(
            case_id=case_id,
            requested_by=requested_by,
            requested_at=at,
            amount=limit.amount,
            unit=limit.unit.value,
            reason=reason,
            status="pending",
        )
        .returning(case_extensions.c.id)
    ).scalar_one()
    return int(new_id)


def decide_extension(
    session: Session, *, case_id: int, approved: bool, decided_by: str, at: datetime
) -> int:
    """Mark the pending extension of a case approved or denied; returns its id."""
    ext_id = session.execute(
        update(case_extensions)
        .where(case_extensions.c.case_id == case_id, case_extensions.c.status == "pending")
        .values(status="approved" if approved else "denied", decided_by=decided_by, decided_at=at)
        .returning(case_extensions.c.id)
    ).scalar_one()
    return int(ext_id)


def add_assignments(session: Session, assigned: Sequence[tuple[int, int, datetime]]) -> None:
    """Remember which department each case went to, (case id, department id, when): once per
    case and department, in two statements however many."""
    if not assigned:
        return
    case_ids = sorted({case_id for case_id, _, _ in assigned})
    known = {
        (int(c), int(d))
        for c, d in session.execute(
            select(case_assignments.c.case_id, case_assignments.c.department_id).where(
                case_assignments.c.case_id.in_(case_ids)
            )
        )
    }
    rows: list[dict[str, Any]] = []
    for case_id, department_id, at in assigned:
        if (case_id, department_id) not in known:
            known.add((case_id, department_id))
            rows.append({"case_id": case_id, "department_id": department_id, "assigned_at": at})
    if rows:
        session.execute(_INSERT_ASSIGNMENT, rows)


_INSERT_ASSIGNMENT = insert(case_assignments)


def mark_sla(
    session: Session,
    case_id: int,
    history_seq: int,
    values: Mapping[str, Any],
    history_lines: int,
) -> int | None:
    """SLA marks (no version bump) on a case still as it was read (`history_seq`: nothing
    changed it since). Reserves `history_lines` history numbers and returns the last; None if
    the case changed meanwhile."""
    seq = session.execute(
        update(cases)
        .where(cases.c.id == case_id, cases.c.history_seq == history_seq)
        .values(**values, history_seq=cases.c.history_seq + history_lines)
        .returning(cases.c.history_seq)
    ).scalar_one_or_none()
    return None if seq is None else int(seq)
