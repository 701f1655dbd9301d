"""Portal tables: the appeal record behind each portal case (type, tracking code, anonymity),
the photos stored for it and the citizen's ratings (how each came, and a keyed hash of the
client address). Tables never leave this module."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Integer,
    RowMapping,
    String,
    Table,
    Text,
    UniqueConstraint,
    insert,
    select,
)
from sqlalchemy.orm import Session

from cityops.infra.db import UTCDateTime, metadata

_ID = BigInteger().with_variant(Integer, "sqlite")

portal_appeals = Table(
    "portal_appeals",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("case_id", _ID, ForeignKey("cases.id"), nullable=False, unique=True),
    Column("tracking_code", String(32), nullable=False, unique=True),
    Column("appeal_type", String(16), nullable=False),
    Column("anonymous", Boolean, nullable=False),
    Column("category_by", String(16), nullable=False),  # citizen | system
    Column("created_at", UTCDateTime(), nullable=False),
)

appeal_photos = Table(
    "appeal_photos",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("case_id", _ID, ForeignKey("cases.id"), nullable=False, index=True),
    Column("path", String(200), nullable=False, unique=True),
    Column("content_type", String(32), nullable=False),
    Column("size_bytes", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

portal_ratings = Table(
    "portal_ratings",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("case_id", _ID, ForeignKey("cases.id"), nullable=False),
    Column("round", Integer, nullable=False),  # the case's reopen count when rated
    Column("satisfaction", String(24), nullable=False),
    Column("comment", Text, nullable=False),
    Column("reopened", Boolean, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("channel", String(16), nullable=False),  # followup.RatingChannel: portal
    # a keyed hash of the client address (rating.client_hash), never the address itself
    Column("client_hash", String(32), nullable=True),
    UniqueConstraint("case_id", "round", name="uq_portal_ratings_case_round"),
)


def insert_appeal(
    session: Session,
    *,
    case_id: int,
    tracking_code: str,
    appeal_type: str,
    anonymous: bool,
    category_by: str,
    at: datetime,
) -> None:
    session.execute(
        insert(portal_appeals).values(
            case_id=case_id,
            tracking_code=tracking_code,
            appeal_type=appeal_type,
            anonymous=anonymous,
            category_by=category_by,
            created_at=at,
        )
    )


def insert_appeals(session: Session, rows: Sequence[dict[str, object]]) -> None:
    """Several appeal records with one statement (keys as insert_appeal's, `created_at`)."""
    if rows:
        session.execute(insert(portal_appeals), list(rows))


def appeal_by_code(session: Session, tracking_code: str) -> RowMapping | None:
    return (
        session.execute(
            select(portal_appeals).where(portal_appeals.c.tracking_code == tracking_code)
        )
        .mappings()
        .first()
    )


def categories_by(session: Session, case_ids: Sequence[int]) -> dict[int, str]:
    """Case id → who chose its category (citizen | system), for the cases of `case_ids` that
    have an appeal record, in one query per 500 ids."""
    ids = sorted(set(case_ids))
    found: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(portal_appeals.c.case_id, portal_appeals.c.category_by).where(
                portal_appeals.c.case_id.in_(ids[start : start + 500])
            )
        )
        found.update((int(case_id), str(by)) for case_id, by in rows)
    return found


def insert_photo(
    session: Session,
    *,
    case_id: int,
    path: str,
    content_type: str,
    size_bytes: int,
    sha256: str,
    at: datetime,
) -> None:
    session.execute(
        insert(appeal_photos).values(
            case_id=case_id,
            path=path,
            content_type=content_type,
            size_bytes=size_bytes,
            sha256=sha256,
            created_at=at,
        )
    )


def photo_paths(session: Session, case_id: int) -> list[str]:
    return list(
        session.scalars(
            select(appeal_photos.c.path)
            .where(appeal_photos.c.case_id == case_id)
            .order_by(appeal_photos.c.id)
        )
    )


def insert_rating(
    session: Session,
    *,
    case_id: int,
    round_: int,
    satisfaction: str,
    comment: str,
    reopened: bool,
    at: datetime,
    channel: str,
    client_hash: str | None,
) -> None:
    session.execute(
        insert(portal_ratings).values(
            case_id=case_id,
            round=round_,
            satisfaction=satisfaction,
            comment=comment,
            reopened=reopened,
            created_at=at,
            channel=channel,
            client_hash=client_hash,
        )
    )


def ratings(session: Session, case_id: int) -> Sequence[RowMapping]:
    return (
        session.execute(
            select(portal_ratings)
            .where(portal_ratings.c.case_id == case_id)
            .order_by(portal_ratings.c.round)
        )
        .mappings()
        .all()
    )
