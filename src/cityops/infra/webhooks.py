"""Outgoing webhooks: HMAC-signed HTTP POSTs of committed events to subscribed URLs, retried with
exponential backoff. Knows nothing of domains: it subscribes to every event on the bus, writes one
delivery row per matching subscription, and a scheduled job sends the rows that are due."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from cityops.infra.db import UTCDateTime, metadata
from cityops.infra.outbox import UnitOfWork
from cityops.infra.settings import Settings
from cityops.kernel.actor import Actor, Role
from cityops.kernel.clock import Clock
from cityops.kernel.errors import NotFound, PermissionDenied, ValidationFailed
from cityops.kernel.events import Event, registered_events
from cityops.kernel.ids import new_token
from cityops.kernel.ttl_cache import TtlCache

log = logging.getLogger(__name__)

ALL_EVENTS = "*"
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
_EVENT_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")
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


class DeliveryStatus(StrEnum):
    pending = "pending"
    delivered = "delivered"
    failed = "failed"


@dataclass(frozen=True)
class NewSubscription:
    url: str
    event_names: Sequence[str] = (ALL_EVENTS,)
    secret: str | None = None  # generated when not given
    description: str = ""


@dataclass(frozen=True)
class SubscriptionView:
    id: int
    url: str
    event_names: tuple[str, ...]
    description: str
    active: bool
    created_at: datetime
    created_by: str


@dataclass(frozen=True)
class CreatedSubscription:
    subscription: SubscriptionView
    secret: str  # shown once, at creation


@dataclass(frozen=True)
class DeliveryView:
    id: int
    subscription_id: int
    event_id: str
    event_name: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None


def may_manage_webhooks(actor: Actor) -> None:
    """Policy for every webhook operation: administrators only."""
    if not actor.has(Role.admin):
        raise PermissionDenied("only an administrator may manage webhooks", code="admin_only")


def backoff_delay(attempts: int) -> timedelta:
    """Wait after the `attempts`-th failed try: 30 s × 2^(attempts-1), at most 1 h."""
    exponent = max(attempts - 1, 0)
    if exponent >= 7:  # 30 s × 2^7 > 1 h already; avoid huge integers
        return BACKOFF_CAP
    return min(BACKOFF_BASE * (1 << exponent), BACKOFF_CAP)


def sign(secret: str, body: bytes) -> str:
    """The value of X-Cityops-Signature: sha256=<hex HMAC-SHA256 of the raw body>."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def validate_url(url: str) -> str:
    """http(s) URLs with a host only; no credentials in the URL."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError on a malformed port
    except ValueError as exc:
        raise ValidationFailed(f"invalid webhook URL: {exc}", code="invalid_webhook_url") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationFailed(
            "a webhook URL must be an absolute http:// or https:// URL with a host",
            code="invalid_webhook_url",
        )
    if parts.username or parts.password:
        raise ValidationFailed(
            "a webhook URL must not carry credentials; the signature authenticates the sender",
            code="invalid_webhook_url",
        )
    if len(url) > 2000:
        raise ValidationFailed(
            "a webhook URL is limited to 2000 characters", code="invalid_webhook_url"
        )
    return url


def validate_event_names(names: Sequence[str]) -> tuple[str, ...]:
    """Known Event class names, or "*" for every event."""
    cleaned = tuple(dict.fromkeys(n.strip() for n in names))
    if not cleaned:
        raise ValidationFailed("name at least one event, or '*'", code="no_events")
    if ALL_EVENTS in cleaned:
        return (ALL_EVENTS,)
    known = registered_events()
    unknown = [n for n in cleaned if not _EVENT_NAME.match(n) or n not in known]
    if unknown:
        raise ValidationFailed(
            f"unknown event name(s): {', '.join(unknown)}",
            code="unknown_event",
            known=sorted(known),
        )
    return cleaned


def render_body(event_name: str, event_id: str, occurred_at: datetime, data: Any) -> bytes:
    """The exact bytes POSTed (and signed)."""
    document = {
        "event": event_name,
        "event_id": event_id,
        "occurred_at": occurred_at.isoformat(),
        "data": data,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), default=str).encode()


SUBSCRIPTIONS_TTL = 5.0


class WebhookService:
    """Subscriptions (admin use cases), the bus handler that enqueues, and the delivery job."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        settings: Settings,
        *,
        client_factory: Callable[[], httpx.Client] | None = None,
        batch_size: int = 100,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._timeout = settings.webhook_timeout_seconds
        self._max_attempts = settings.webhook_max_attempts
        self._client_factory = client_factory or self._default_client
        self._batch = batch_size
        self._lock = threading.Lock()
        self._subs: TtlCache[list[tuple[int, Any]]] = TtlCache(SUBSCRIPTIONS_TTL)

    def _default_client(self) -> httpx.Client:
        return httpx.Client(timeout=self._timeout, follow_redirects=False)

    # -- use cases -------------------------------------------------------------------------

    def create_subscription(
        self, uow: UnitOfWork, actor: Actor, cmd: NewSubscription
    ) -> CreatedSubscription:
        may_manage_webhooks(actor)
        self._subs.clear()
        url = validate_url(cmd.url)
        names = validate_event_names(cmd.event_names)
        secret = cmd.secret if cmd.secret else new_token(32)
        if len(secret) < 16:
            raise ValidationFailed(
                "a webhook secret needs at least 16 characters", code="weak_secret"
            )
        new_id = uow.session.execute(
            insert(webhook_subscriptions)
            .values(
                url=url,
                secret=secret,
                event_names=list(names),
                description=cmd.description.strip()[:200],
                active=True,
                created_at=self._clock.now(),
                created_by=actor.username,
            )
            .returning(webhook_subscriptions.c.id)
        ).scalar_one()
        return CreatedSubscription(self._get(uow.session, int(new_id)), secret)

    def list_subscriptions(self, session: Session, actor: Actor) -> list[SubscriptionView]:
        may_manage_webhooks(actor)
        rows = session.execute(
            select(webhook_subscriptions)
            .where(webhook_subscriptions.c.active.is_(True))
            .order_by(webhook_subscriptions.c.id)
        ).all()
        return [_subscription_view(r) for r in rows]

    def get_subscription(self, session: Session, actor: Actor, sub_id: int) -> SubscriptionView:
        may_manage_webhooks(actor)
        return self._get(session, sub_id)

    def delete_subscription(self, uow: UnitOfWork, actor: Actor, sub_id: int) -> None:
        """Deactivates the subscription (its delivery log stays); pending deliveries are dropped."""
        may_manage_webhooks(actor)
        self._subs.clear()
        view = self._get(uow.session, sub_id)
        if not view.active:
            raise NotFound(f"webhook {sub_id} does not exist", code="webhook_not_found")
        uow.session.execute(
            update(webhook_subscriptions)
            .where(webhook_subscriptions.c.id == sub_id)
            .values(active=False)
        )
        uow.session.execute(
            update(webhook_deliveries)
            .where(
                webhook_deliveries.c.subscription_id == sub_id,
                webhook_deliveries.c.status == DeliveryStatus.pending.value,
            )
            .values(status=DeliveryStatus.failed.value, last_error="subscription deleted")
        )

    def list_deliveries(
        self, session: Session, actor: Actor, sub_id: int, *, limit: int = 100
    ) -> list[DeliveryView]:
        may_manage_webhooks(actor)
        self._get(session, sub_id)
        rows = session.execute(
            select(webhook_deliveries)
            .where(webhook_deliveries.c.subscription_id == sub_id)
            .order_by(webhook_deliveries.c.id.desc())
            .limit(max(1, min(limit, 1000)))
        ).all()
        return [_delivery_view(r) for r in rows]

    def _get(self, session: Session, sub_id: int) -> SubscriptionView:
        row = session.execute(
            select(webhook_subscriptions).where(webhook_subscriptions.c.id == sub_id)
        ).one_or_none()
        if row is None:
            raise NotFound(f"webhook {sub_id} does not exist", code="webhook_not_found")
        return _subscription_view(row)

    # -- the bus handler -------------------------------------------------------------------

    def on_event(self, event: Event) -> None:
        """The bus handler (subscribed to every event as "webhooks.enqueue")."""
        self.enqueue(event)

    def enqueue(self, event: Event) -> int:
        """Write one pending delivery per active subscription that wants this event. Idempotent:
        (subscription, event) is unique, so a repeated relay pass adds nothing."""
        wanted = [sub_id for sub_id, names in self._active() if _wants(names, event.name)]
        if not wanted:
            return 0
        now = self._clock.now()
        data = json.loads(json.dumps(event.payload(), default=str))
        with self._sessions.begin() as s:
            rows = [
                {
                    "subscription_id": sub_id,
                    "event_id": event.event_id,
                    "event_name": event.name,
                    "payload": data,
                    "occurred_at": event.occurred_at,
                    "status": DeliveryStatus.pending.value,
                    "attempts": 0,
                    "next_attempt_at": now,
                }
                for sub_id in wanted
            ]
            dialect = s.get_bind().dialect.name
            stmt = (
                postgresql.insert(webhook_deliveries)
                if dialect == "postgresql"
                else sqlite.insert(webhook_deliveries)
            ).on_conflict_do_nothing(index_elements=["subscription_id", "event_id"])
            s.execute(stmt, rows)
        return len(wanted)

    def _active(self) -> list[tuple[int, Any]]:
        """(id, event_names) of the active subscriptions, re-read at most every
        SUBSCRIPTIONS_TTL seconds: the relay asks for every event, and most events go nowhere.
        Changes made through this service clear it at once."""

        def load() -> list[tuple[int, Any]]:
            with self._sessions() as s:
                rows = s.execute(
                    select(webhook_subscriptions.c.id, webhook_subscriptions.c.event_names).where(
                        webhook_subscriptions.c.active.is_(True)
                    )
                )
                subs = [(int(r.id), r.event_names) for r in rows]
                s.rollback()
            return subs

        return self._subs.get_or_load("active", load)

    # -- the delivery job ------------------------------------------------------------------

    def deliver_due(self, now: datetime | None = None) -> int:
        """Send every pending delivery whose time has come; returns how many were delivered.
        The scheduler runs it every few seconds; tests call it with a FixedClock's time."""
        now = now or self._clock.now()
        delivered = 0
        with self._lock:
            with self._sessions() as s:
                due = s.execute(
                    select(
                        webhook_deliveries.c.id,
                        webhook_deliveries.c.event_id,
                        webhook_deliveries.c.event_name,
                        webhook_deliveries.c.payload,
                        webhook_deliveries.c.occurred_at,
                        webhook_deliveries.c.attempts,
                        webhook_subscriptions.c.url,
                        webhook_subscriptions.c.secret,
                    )
                    .join(
                        webhook_subscriptions,
                        webhook_subscriptions.c.id == webhook_deliveries.c.subscription_id,
                    )
                    .where(
                        webhook_deliveries.c.status == DeliveryStatus.pending.value,
                        webhook_deliveries.c.next_attempt_at <= now,
                        webhook_subscriptions.c.active.is_(True),
                    )
                    .order_by(webhook_deliveries.c.next_attempt_at, webhook_deliveries.c.id)
                    .limit(self._batch)
                ).all()
                s.rollback()
            if not due:
                return 0
            with self._client_factory() as client:
                for row in due:
                    if self._send(client, row, now):
                        delivered += 1
        return delivered

    def _send(self, client: httpx.Client, row: Any, now: datetime) -> bool:
        body = render_body(row.event_name, row.event_id, row.occurred_at, row.payload)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "cityops-webhooks",
            "X-Cityops-Event": row.event_name,
            "X-Cityops-Delivery": str(row.id),
            "X-Cityops-Signature": sign(row.secret, body),
        }
        status_code: int | None = None
        error: str | None = None
        try:
            response = client.post(row.url, content=body, headers=headers)
            status_code = response.status_code
            if not 200 <= status_code < 300:
                error = f"HTTP {status_code}: {response.text[:500]}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:2000]
        attempts = row.attempts + 1
        values: dict[str, Any] = {"attempts": attempts, "last_status_code": status_code}
        if error is None:
            values.update(
                status=DeliveryStatus.delivered.value,
                delivered_at=self._clock.now(),
                next_attempt_at=None,
                last_error=None,
            )
        elif attempts >= self._max_attempts:
            log.warning("webhook delivery %s failed for good: %s", row.id, error)
            values.update(
                status=DeliveryStatus.failed.value, next_attempt_at=None, last_error=error
            )
        else:
            values.update(next_attempt_at=now + backoff_delay(attempts), last_error=error)
        with self._sessions.begin() as s:
            s.execute(
                update(webhook_deliveries).where(webhook_deliveries.c.id == row.id).values(**values)
            )
        return error is None


def _wants(event_names: Any, name: str) -> bool:
    names = list(event_names or [])
    return ALL_EVENTS in names or name in names


def _subscription_view(row: Any) -> SubscriptionView:
    return SubscriptionView(
        id=int(row.id),
        url=row.url,
        event_names=tuple(row.event_names or ()),
        description=row.description,
        active=bool(row.active),
        created_at=row.created_at,
        created_by=row.created_by,
    )


def _delivery_view(row: Any) -> DeliveryView:
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
