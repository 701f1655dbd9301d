"""The follow-up visit read model: one row per committed evaluation (回访). Tables never leave
this module."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Integer,
    Select,
    String,
    Table,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cityops.infra.db import UTCDateTime, metadata

_ID = BigInteger().with_variant(Integer, "sqlite")

followup_visits = Table(
    "followup_visits",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("case_id", _ID, nullable=False, index=True),
    Column("event_id", String(32), nullable=False, unique=True),
    Column("visited_at", UTCDateTime(), nullable=False, index=True),
    Column("contacted", Boolean, nullable=False),
    Column("resolved", Boolean, nullable=True),
    Column("satisfaction", String(24), nullable=True),
    Column("department_code", String(40), nullable=True),
    Column("department_name", String(100), nullable=True),
    Column("district_code", String(40), nullable=True),
    Column("street_code", String(40), nullable=True),
    Column("street_name", String(100), nullable=True),
    Column("source", String(16), nullable=False),
    Column("urgency", String(16), nullable=False),
    Column("reported_at", UTCDateTime(), nullable=False),
    Column("handled_at", UTCDateTime(), nullable=True),
    Column("responded_within_limit", Boolean, nullable=True),
    # how the rating came (channels.RatingChannel) and who recorded it; None: not known (a
    # visit recorded before 0019 whose history line could not be matched)
    Column("channel", String(16), nullable=True),
    Column("recorded_by_user_id", Integer, nullable=True),
    Column("recorded_by", String(64), nullable=True),
)


@dataclass(frozen=True)
class VisitRow:
    """One follow-up visit as stored."""

    case_id: int
    event_id: str
    visited_at: datetime
    contacted: bool
    resolved: bool | None
    satisfaction: str | None
    department_code: str | None
    department_name: str | None
    district_code: str | None
    street_code: str | None
    street_name: str | None
    source: str
    urgency: str
    reported_at: datetime
    handled_at: datetime | None
    responded_within_limit: bool | None
    channel: str | None = None
    recorded_by_user_id: int | None = None
    recorded_by: str | None = None


def has_event(session: Session, event_id: str) -> bool:
    found = session.execute(
        select(followup_visits.c.id).where(followup_visits.c.event_id == event_id)
    ).first()
    return found is not None


def insert_visit(session: Session, row: VisitRow) -> bool:
    """Insert one visit; False (and nothing written) when its event was recorded already."""
    if has_event(session, row.event_id):
        return False
    try:
        with session.begin_nested():
            session.execute(followup_visits.insert().values(**row.__dict__))
    except IntegrityError:  # a concurrent delivery of the same event won the race
        return False
    return True


def visits_between(
    session: Session,
    start: datetime,
    end: datetime,
    case_ids: Select[tuple[int]] | None = None,
) -> Sequence[VisitRow]:
    """Visits with `visited_at` in [start, end), oldest first; with `case_ids` (a subquery of
    the cases an actor may see), only the visits of those cases."""
    cols = [c for c in followup_visits.c if c.name != "id"]
    stmt = select(*cols).where(
        followup_visits.c.visited_at >= start, followup_visits.c.visited_at < end
    )
    if case_ids is not None:
        stmt = stmt.where(followup_visits.c.case_id.in_(case_ids))
    rows = session.execute(
        stmt.order_by(followup_visits.c.visited_at, followup_visits.c.id)
    ).mappings()
    return [VisitRow(**dict(r)) for r in rows]


def visits_for_case(session: Session, case_id: int) -> Sequence[VisitRow]:
    cols = [c for c in followup_visits.c if c.name != "id"]
    rows = session.execute(
        select(*cols).where(followup_visits.c.case_id == case_id).order_by(followup_visits.c.id)
    ).mappings()
    return [VisitRow(**dict(r)) for r in rows]
