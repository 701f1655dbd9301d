"""The 三率 counts per street of the follow-up visits in a window, for the layers above (the
vital signs of insight): one GROUP BY over the visit facts, each group's counts multiplied out
(`count_visit` × the number of visits alike)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cityops.appeals.followup.rates import RateCounts, count_visit, three_rates
from cityops.appeals.followup.store import followup_visits


@dataclass(frozen=True, slots=True)
class _Facts:
    contacted: bool
    resolved: bool | None
    satisfaction: str | None
    responded_within_limit: bool | None


@dataclass(frozen=True, slots=True)
class StreetRateCounts:
    district_code: str
    street_code: str
    counts: RateCounts


def rate_counts_by_street(
    session: Session, start: datetime, end: datetime
) -> list[StreetRateCounts]:
    """Per (district, street): the 三率 counts of the visits made in [start, end)."""
    v = followup_visits.c
    facts = (v.contacted, v.resolved, v.satisfaction, v.responded_within_limit)
    stmt = (
        select(v.district_code, v.street_code, *facts, func.count())
        .where(v.visited_at >= start, v.visited_at < end)
        .group_by(v.district_code, v.street_code, *facts)
    )
    out: dict[tuple[str, str], RateCounts] = {}
    for district, street, contacted, resolved, satisfaction, timely, n in session.execute(stmt):
        one = count_visit(_Facts(bool(contacted), resolved, satisfaction, timely))
        many = RateCounts(**{f.name: getattr(one, f.name) * int(n) for f in fields(one)})
        key = (district or "", street or "")
        out[key] = out.get(key, RateCounts()) + many
    return [StreetRateCounts(d, s, c) for (d, s), c in sorted(out.items())]


__all__ = ["RateCounts", "StreetRateCounts", "rate_counts_by_street", "three_rates"]
