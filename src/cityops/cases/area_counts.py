"""Grouped counts per district or street over the whole city, for the layers above (the vital
signs of insight): the indicator counts of every case, and the counts of the 12345 hotline cases
(受理, 应结案, 按期结案, 合并为重复). One GROUP BY each; the city row is the callers' sum."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from cityops.cases.dtos import CaseCounts
from cityops.cases.model import CaseSource, CaseStatus
from cityops.cases.queries import GROUPS, indicator_counts
from cityops.cases.store import cases
from cityops.kernel.actor import SYSTEM
from cityops.kernel.errors import ValidationFailed

AREA_GROUPS = ("district", "area")  # district, street


@dataclass(frozen=True, slots=True)
class HotlineCounts:
    group_code: str
    reported: int  # 受理数
    due_to_close: int  # 应结案数
    closed_on_time: int  # 按期结案数
    merged: int  # 合并为重复诉求的数


def city_case_counts(
    session: Session, *, group_by: str, start: datetime, end: datetime, due_by: datetime
) -> list[CaseCounts]:
    """indicator_counts over every case (no actor scope) reported in [start, end)."""
    _check(group_by)
    return indicator_counts(session, SYSTEM, group_by=group_by, start=start, end=end, due_by=due_by)


def hotline_counts(
    session: Session, *, group_by: str, start: datetime, end: datetime, due_by: datetime
) -> list[HotlineCounts]:
    """Per district or street: the 12345 hotline cases reported in [start, end), those due to
    close by `due_by` (as in indicator_counts), closed on time, and merged into another case."""
    _check(group_by)
    code, _ = GROUPS[group_by]
    c = cases.c
    due = min(end, due_by)
    not_dropped = c.status.not_in([CaseStatus.cancelled.value, CaseStatus.rejected.value])
    stmt = (
        select(
            code,
            func.count(),
            _count(
                and_(
                    c.registered_at.is_not(None),
                    not_dropped,
                    or_(c.close_deadline < due, c.closed_at.is_not(None)),
                )
            ),
            _count(c.closed_on_time.is_(True)),
            _count(c.merged_into_id.is_not(None)),
        )
        .where(c.source == CaseSource.hotline.value)
        .where(c.reported_at >= start, c.reported_at < end)
        .group_by(code)
    )
    return [
        HotlineCounts(g or "", int(n or 0), int(d or 0), int(o or 0), int(m or 0))
        for g, n, d, o, m in session.execute(stmt)
    ]


def _count(cond: ColumnElement[bool]) -> Any:
    return func.sum(case((cond, 1), else_=0))


def _check(group_by: str) -> None:
    if group_by not in AREA_GROUPS:
        raise ValidationFailed(f"group_by must be district or area, not {group_by!r}")
