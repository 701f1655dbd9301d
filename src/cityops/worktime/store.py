"""Working calendar tables: the years an administrator has set, which replace the holidays
file's (one row per year; the file stays the default for every other year)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Integer, String, Table, Text, delete, func, insert, select
from sqlalchemy.orm import Session

from cityops.infra.db import UTCDateTime, metadata
from cityops.worktime.model import CalendarSource, CalendarYear

calendar_years = Table(
    "calendar_years",
    metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("holidays", Text, nullable=False),  # JSON list of ISO dates
    Column("workdays", Text, nullable=False),  # JSON list of ISO dates
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("updated_by", String(64), nullable=False),
)


def _dates(text: str) -> tuple[date, ...]:
    return tuple(sorted(date.fromisoformat(d) for d in json.loads(text)))


def _encode(days: Iterable[date]) -> str:
    return json.dumps(sorted(d.isoformat() for d in days))


def _year(row: Any) -> CalendarYear:
    return CalendarYear(
        year=row.year,
        holidays=_dates(row.holidays),
        workdays=_dates(row.workdays),
        source=CalendarSource.database,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def get_year(session: Session, year: int) -> CalendarYear | None:
    row = session.execute(select(calendar_years).where(calendar_years.c.year == year)).first()
    return _year(row) if row is not None else None


def list_years(session: Session) -> list[CalendarYear]:
    rows = session.execute(select(calendar_years).order_by(calendar_years.c.year))
    return [_year(r) for r in rows]


def latest_change(session: Session) -> tuple[int, datetime | None]:
    """How many years are kept and when the last was saved: what a server process compares to
    see whether another one changed the calendar."""
    row = session.execute(
        select(func.count(), func.max(calendar_years.c.updated_at)).select_from(calendar_years)
    ).one()
    return int(row[0]), row[1]


def put_year(
    session: Session,
    year: int,
    *,
    holidays: Iterable[date],
    workdays: Iterable[date],
    at: datetime,
    by: str,
) -> None:
    session.execute(delete(calendar_years).where(calendar_years.c.year == year))
    session.execute(
        insert(calendar_years).values(
            year=year,
            holidays=_encode(holidays),
            workdays=_encode(workdays),
            updated_at=at,
            updated_by=by,
        )
    )
