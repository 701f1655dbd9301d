"""Notification tables: who wants news of a case (recipients) and every message (the outbox).
Tables never leave this module."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    ForeignKey,
    Integer,
    RowMapping,
    Select,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from cityops.infra.db import UTCDateTime, metadata

_ID = BigInteger().with_variant(Integer, "sqlite")

notification_recipients = Table(
    "notification_recipients",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("case_id", _ID, ForeignKey("cases.id"), nullable=False, index=True),
    Column("channel", String(16), nullable=False),  # sms | email
    Column("address", String(200), nullable=False),  # personal data: never shown unmasked
    Column("created_at", UTCDateTime(), nullable=False),
    # set when the recipient's own case was merged into this one: the code their messages quote
    Column("tracking_code", String(32), nullable=True),
    UniqueConstraint("case_id", "channel", "address", name="uq_notification_recipients"),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("event_id", String(32), nullable=False),
    Column("event_name", String(80), nullable=False),
    Column("case_id", _ID, nullable=False, index=True),
    Column("case_number", String(24), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("recipient", String(200), nullable=False),
    Column("message", Text, nullable=False),
    Column("status", String(16), nullable=False),  # recorded | sent | failed
    Column("attempts", Integer, nullable=False),
    Column("error", Text, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False, index=True),
    Column("sent_at", UTCDateTime(), nullable=True),
    Column("correlation_id", String(64), nullable=True),  # the request the chain began with
    Column("causation_id", String(64), nullable=True),  # the event the message tells of
    UniqueConstraint("event_id", "channel", "recipient", name="uq_notifications_event_recipient"),
)


@dataclass(frozen=True)
class Recipient:
    channel: str
    address: str
    tracking_code: str | None  # None: the case's own code


def add_recipient(
    session: Session,
    *,
    case_id: int,
    channel: str,
    address: str,
    at: datetime,
    tracking_code: str | None = None,
) -> None:
    exists = session.execute(
        select(notification_recipients.c.id).where(
            notification_recipients.c.case_id == case_id,
            notification_recipients.c.channel == channel,
            notification_recipients.c.address == address,
        )
    ).first()
    if exists is None:
        session.execute(
            insert(notification_recipients).values(
                case_id=case_id,
                channel=channel,
                address=address,
                created_at=at,
                tracking_code=tracking_code,
            )
        )


def insert_recipients(session: Session, rows: Sequence[Mapping[str, object]]) -> None:
    """Recipients of cases stored in this same transaction (none can exist yet): one statement
    for all. Each row: case_id, channel, address, created_at."""
    if rows:
        session.execute(
            insert(notification_recipients), [{"tracking_code": None, **r} for r in rows]
        )


def recipients_of(session: Session, case_ids: Collection[int]) -> dict[int, list[Recipient]]:
    """Who hears about each of `case_ids`, in the order they were added (cases without any
    are left out)."""
    found: dict[int, list[Recipient]] = {}
    ids = sorted(case_ids)
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(
                notification_recipients.c.case_id,
                notification_recipients.c.channel,
                notification_recipients.c.address,
                notification_recipients.c.tracking_code,
            )
            .where(notification_recipients.c.case_id.in_(ids[start : start + 500]))
            .order_by(notification_recipients.c.id)
        ).all()
        for r in rows:
            found.setdefault(r.case_id, []).append(Recipient(r.channel, r.address, r.tracking_code))
    return found


def insert_notifications(
    session: Session, messages: Sequence[dict[str, object]]
) -> list[int | None]:
    """Store messages (the columns of `notifications` but id and attempts) in one statement;
    for each, the new row's id, or None when its event already produced it (a repeated relay
    pass) or it repeats an earlier message of the list."""
    if not messages:
        return []
    key = ("event_id", "channel", "recipient")
    events = sorted({str(m["event_id"]) for m in messages})
    known: set[tuple[object, ...]] = set()
    for start in range(0, len(events), 500):
        known.update(
            tuple(r)
            for r in session.execute(
                select(
                    notifications.c.event_id, notifications.c.channel, notifications.c.recipient
                ).where(notifications.c.event_id.in_(events[start : start + 500]))
            )
        )
    fresh: list[dict[str, object]] = []
    slots: list[int | None] = []
    for m in messages:
        k = tuple(m[c] for c in key)
        if k in known:
            slots.append(None)
            continue
        known.add(k)
        slots.append(len(fresh))
        fresh.append({**m, "attempts": 0})
    if not fresh:
        return [None] * len(messages)
    stmt = insert(notifications).returning(notifications.c.id, sort_by_parameter_order=True)
    ids = session.execute(stmt, fresh).scalars().all()
    return [None if i is None else int(ids[i]) for i in slots]


def mark(session: Session, row_id: int, *, status: str, error: str | None, at: datetime) -> None:
    session.execute(
        update(notifications)
        .where(notifications.c.id == row_id)
        .values(
            status=status,
            error=error,
            attempts=notifications.c.attempts + 1,
            sent_at=at if status == "sent" else None,
        )
    )


def page(
    session: Session,
    *,
    case_id: int | None,
    status: str | None,
    offset: int,
    limit: int,
    case_ids: Select[tuple[int]] | None = None,
) -> tuple[Sequence[RowMapping], int]:
    """One page of messages, newest first, and how many there are; with `case_ids` (a subquery
    of the cases an actor may see), only those cases' messages."""
    where: list[ColumnElement[bool]] = []
    if case_id is not None:
        where.append(notifications.c.case_id == case_id)
    if case_ids is not None:
        where.append(notifications.c.case_id.in_(case_ids))
    if status:
        where.append(notifications.c.status == status)
    total = session.execute(
        select(func.count()).select_from(notifications).where(*where)
    ).scalar_one()
    rows = (
        session.execute(
            select(notifications)
            .where(*where)
            .order_by(notifications.c.id.desc())
            .offset(offset)
            .limit(limit)
        )
        .mappings()
        .all()
    )
    return rows, int(total)
