"""The texts of citizens' appeals in a time window, for the hot-issue analysis (热点诉求).

Read through the actor's case scope; merged duplicates are left out (the case they were merged
into stands for them). Titles and descriptions come masked as every staff reader gets them
(`kernel.masking.mask_text`: phones, ID numbers and the reporter's name), and the caller's
identity only as a keyed digest of the phone (`sender_key`), so repeat callers can be counted
without the number leaving this module.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cityops.cases.model import VISIT_SOURCES
from cityops.cases.scoping import scope_clause
from cityops.cases.store import cases
from cityops.kernel.actor import Actor
from cityops.kernel.masking import mask_text

MAX_APPEALS = 20_000


@dataclass(frozen=True)
class AppealText:
    case_id: int
    number: str | None
    title: str
    description: str
    reported_at: datetime
    street_code: str | None
    street_name: str | None
    community_name: str | None
    category_name: str
    sender_key: str | None  # a keyed digest of the reporter's phone, never the phone


def appeal_texts(
    session: Session,
    actor: Actor,
    since: datetime,
    until: datetime,
    *,
    area_prefix: str | None = None,
    key: bytes = b"",
    limit: int = MAX_APPEALS,
) -> list[AppealText]:
    """Citizens' appeals (hotline, web, Open311, transfers) reported in [since, until], newest
    first, at most `limit`, within the actor's scope (and `area_prefix`)."""
    c = cases.c
    stmt = (
        select(
            c.id,
            c.number,
            c.title,
            c.description,
            c.reported_at,
            c.street_code,
            c.street_name,
            c.community_name,
            c.category_name,
            c.reporter_name,
            c.reporter_phone,
        )
        .where(
            c.source.in_([s.value for s in VISIT_SOURCES]),
            c.reported_at >= since,
            c.reported_at <= until,
            c.merged_into_id.is_(None),
            scope_clause(actor),
        )
        .order_by(c.reported_at.desc())
        .limit(limit)
    )
    if area_prefix:
        stmt = stmt.where(c.area_code.startswith(area_prefix, autoescape=True))
    out = []
    for row in session.execute(stmt):
        names = (row.reporter_name,)
        sender = (
            hmac.new(key, row.reporter_phone.encode(), hashlib.sha256).hexdigest()[:16]
            if row.reporter_phone
            else None
        )
        out.append(
            AppealText(
                case_id=int(row.id),
                number=row.number,
                title=mask_text(row.title, names=names),
                description=mask_text(row.description, names=names),
                reported_at=row.reported_at,
                street_code=row.street_code,
                street_name=row.street_name,
                community_name=row.community_name,
                category_name=row.category_name,
                sender_key=sender,
            )
        )
    return out
