"""Recent cases by place, for smart routing's place prior (appeals/routing/place.py): which
categories were filed lately in a street (with each case's community and grid), and how often
each category was filed in the whole city over the same window. Reads only, no actor: what is
returned names no person and no case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cityops.cases.store import cases

MAX_ROWS = 5000  # the latest cases of one street read for one prior


@dataclass(frozen=True)
class PlacedCase:
    """A case's category, place and time of report."""

    case_id: int
    category_code: str
    street_code: str | None
    community_code: str | None
    grid_code: str | None
    reported_at: datetime


def cases_in_street(session: Session, street_code: str, since: datetime) -> list[PlacedCase]:
    """The street's cases reported since `since`, latest first (at most MAX_ROWS); merged
    duplicates left out (their category is the surviving case's)."""
    stmt = (
        select(
            cases.c.id,
            cases.c.category_code,
            cases.c.street_code,
            cases.c.community_code,
            cases.c.grid_code,
            cases.c.reported_at,
        )
        .where(
            cases.c.street_code == street_code,
            cases.c.reported_at >= since,
            cases.c.merged_into_id.is_(None),
        )
        .order_by(cases.c.reported_at.desc())
        .limit(MAX_ROWS)
    )
    return [PlacedCase(*row) for row in session.execute(stmt).all()]


def category_counts(session: Session, since: datetime) -> dict[str, int]:
    """Category code → the city's cases reported since `since` (merged duplicates left out)."""
    stmt = (
        select(cases.c.category_code, func.count())
        .where(cases.c.reported_at >= since, cases.c.merged_into_id.is_(None))
        .group_by(cases.c.category_code)
    )
    return {code: int(n) for code, n in session.execute(stmt).all()}
