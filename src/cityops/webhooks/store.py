"""The webhook tables and their queries; tables never leave this module."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    Row,
    String,
    Table,
    Text,
    UniqueConstraint,
    exists,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from cityops.infra.db import UTCDateTime, metadata
from cityops.webhooks.model import (
    Breaker,
    DeliveryStatus,
    DeliveryView,
    DueDelivery,
    Receiver,
    SubscriptionView,
)

_BIG_ID = BigInteger().with_variant(Integer, "sqlite")

webhook_subscriptions = Table(
    "webhook_subscriptions",
    metadata,
    Column("id", _BIG_ID, primary_key=True, autoincrement=True),
    Column("url", String(2000), nullable=False),
    Column("secret", String(200), nullable=False),
    Column("event_names", JSON, nullable=False),  # list of Event class names, or ["*"]
    Column("description", String(200), nullable=False, default=""),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("created_by", String(80), nullable=False),
    # the receiver's circuit breaker (model.Breaker)
    Column("breaker_failures", Integer, nullable=False, server_default="0"),
    Column("breaker_openings", Integer, nullable=False, server_default="0"),
    Column("breaker_open_until", UTCDateTime(), nullable=True),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", _BIG_ID, primary_key=True, autoincrement=True),
    Column("subscription_id", _BIG_ID, ForeignKey("webhook_subscriptions.id"), nullable=False),
    Column("event_id", String(32), nullable=False),
    Column("event_name", String(80), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("occurred_at", UTCDateTime(), nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime(), nullable=True),
    Column("last_status_code", Integer, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("delivered_at", UTCDateTime(), nullable=True),
    UniqueConstraint("subscription_id", "event_id", name="uq_webhook_deliveries_sub_event"),
    Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
)

_subs = webhook_subscriptions.c
_deliveries = webhook_deliveries.c


def insert_subscription(
    session: Session,
    *,
    url: str,
    secret: str,
    event_names: Sequence[str],
    description: str,
    created_at: datetime,
    created_by: str,
) -> int:
    new_id = session.execute(
        insert(webhook_subscriptions)
        .values(
            url=url,
            secret=secret,
            event_names=list(event_names),
            description=description,
            active=True,
            created_at=created_at,
            created_by=created_by,
        )
        .returning(_subs.id)
    ).scalar_one()
    return int(new_id)


def find_subscription(session: Session, sub_id: int) -> SubscriptionView | None:
    row = session.execute(select(webhook_subscriptions).where(_subs.id == sub_id)).one_or_none()
    return None if row is None else _subscription_view(row)


def active_subscriptions(session: Session) -> list[SubscriptionView]:
    rows = session.execute(
        select(webhook_subscriptions).where(_subs.active.is_(True)).order_by(_subs.id)
    ).all()
    return [_subscription_view(r) for r in rows]


def active_event_names(session: Session) -> list[tuple[int, tuple[str, ...]]]:
    """(id, event names) of every active subscription."""
    rows = session.execute(select(_subs.id, _subs.event_names).where(_subs.active.is_(True)))
    return [(int(r.id), tuple(r.event_names or ())) for r in rows]


def deactivate_subscription(session: Session, sub_id: int) -> None:
    """The subscription stops receiving; its pending deliveries are failed (the log stays)."""
    session.execute(update(webhook_subscriptions).where(_subs.id == sub_id).values(active=False))
    session.execute(
        update(webhook_deliveries)
        .where(
            _deliveries.subscription_id == sub_id,
            _deliveries.status == DeliveryStatus.pending.value,
        )
        .values(status=DeliveryStatus.failed.value, last_error="subscription deleted")
    )


def recent_deliveries(session: Session, sub_id: int, limit: int) -> list[DeliveryView]:
    rows = session.execute(
        select(webhook_deliveries)
        .where(_deliveries.subscription_id == sub_id)
        .order_by(_deliveries.id.desc())
        .limit(limit)
    ).all()
    return [_delivery_view(r) for r in rows]


def insert_deliveries(
    session: Session,
    sub_ids: Sequence[int],
    *,
    event_id: str,
    event_name: str,
    payload: Any,
    occurred_at: datetime,
    due_at: datetime,
) -> None:
    """One pending delivery per subscription; one that exists already is left as it is."""
    rows = [
        {
            "subscription_id": sub_id,
            "event_id": event_id,
            "event_name": event_name,
            "payload": payload,
            "occurred_at": occurred_at,
            "status": DeliveryStatus.pending.value,
            "attempts": 0,
            "next_attempt_at": due_at,
        }
        for sub_id in sub_ids
    ]
    dialect = session.get_bind().dialect.name
    stmt = (
        postgresql.insert(webhook_deliveries)
        if dialect == "postgresql"
        else sqlite.insert(webhook_deliveries)
    ).on_conflict_do_nothing(index_elements=["subscription_id", "event_id"])
    session.execute(stmt, rows)


def _is_due(now: datetime) -> ColumnElement[bool]:
    return (_deliveries.status == DeliveryStatus.pending.value) & (
        _deliveries.next_attempt_at <= now
    )


def due_receivers(session: Session, now: datetime) -> list[Receiver]:
    """Active subscriptions with a delivery due whose circuit is not open at `now` (closed, or
    open past its period: half-open)."""
    rows = session.execute(
        select(webhook_subscriptions)
        .where(
            _subs.active.is_(True),
            or_(_subs.breaker_open_until.is_(None), _subs.breaker_open_until <= now),
            exists().where(_deliveries.subscription_id == _subs.id, _is_due(now)),
        )
        .order_by(_subs.id)
    ).all()
    return [Receiver(id=int(r.id), url=r.url, secret=r.secret, breaker=_breaker(r)) for r in rows]


def due_deliveries(session: Session, sub_id: int, now: datetime, limit: int) -> list[DueDelivery]:
    """A receiver's deliveries due at `now`, the longest waiting first."""
    rows = session.execute(
        select(
            _deliveries.id,
            _deliveries.event_id,
            _deliveries.event_name,
            _deliveries.payload,
            _deliveries.occurred_at,
            _deliveries.attempts,
        )
        .where(_deliveries.subscription_id == sub_id, _is_due(now))
        .order_by(_deliveries.next_attempt_at, _deliveries.id)
        .limit(limit)
    ).all()
    return [
        DueDelivery(
            id=int(r.id),
            event_id=r.event_id,
            event_name=r.event_name,
            payload=r.payload,
            occurred_at=r.occurred_at,
            attempts=int(r.attempts),
        )
        for r in rows
    ]


def record_delivered(
    session: Session, delivery_id: int, *, attempts: int, status_code: int | None, at: datetime
) -> None:
    session.execute(
        update(webhook_deliveries)
        .where(_deliveries.id == delivery_id)
        .values(
            status=DeliveryStatus.delivered.value,
            attempts=attempts,
            last_status_code=status_code,
            delivered_at=at,
            next_attempt_at=None,
            last_error=None,
        )
    )


def record_failed_attempt(
    session: Session,
    delivery_id: int,
    *,
    attempts: int,
    status_code: int | None,
    error: str,
    retry_at: datetime | None,
) -> None:
    """A failed try: retried at `retry_at`, or failed for good when that is None."""
    status = DeliveryStatus.pending if retry_at is not None else DeliveryStatus.failed
    session.execute(
        update(webhook_deliveries)
        .where(_deliveries.id == delivery_id)
        .values(
            status=status.value,
            attempts=attempts,
            last_status_code=status_code,
            last_error=error,
            next_attempt_at=retry_at,
        )
    )


def save_breaker(session: Session, sub_id: int, breaker: Breaker) -> None:
    session.execute(
        update(webhook_subscriptions)
        .where(_subs.id == sub_id)
        .values(
            breaker_failures=breaker.failures,
            breaker_openings=breaker.openings,
            breaker_open_until=breaker.open_until,
        )
    )


def _breaker(row: Row[Any]) -> Breaker:
    return Breaker(
        failures=int(row.breaker_failures),
        openings=int(row.breaker_openings),
        open_until=row.breaker_open_until,
    )


def _subscription_view(row: Row[Any]) -> SubscriptionView:
    return SubscriptionView(
        id=int(row.id),
        url=row.url,
        event_names=tuple(row.event_names or ()),
        description=row.description,
        active=bool(row.active),
        created_at=row.created_at,
        created_by=row.created_by,
        breaker=_breaker(row),
    )


def _delivery_view(row: Row[Any]) -> DeliveryView:
    return DeliveryView(
        id=int(row.id),
        subscription_id=int(row.subscription_id),
        event_id=row.event_id,
        event_name=row.event_name,
        status=DeliveryStatus(row.status),
        attempts=int(row.attempts),
        next_attempt_at=row.next_attempt_at,
        last_status_code=row.last_status_code,
        last_error=row.last_error,
        delivered_at=row.delivered_at,
    )
