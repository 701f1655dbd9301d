"""Webhook use cases: subscriptions (administrators), the bus handler that enqueues a delivery
per matching subscription, and the delivery pass (sent by `delivery.WebhookSender`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

import httpx
from sqlalchemy.orm import Session, sessionmaker

from cityops.infra.outbox import UnitOfWork
from cityops.infra.settings import Settings
from cityops.kernel.actor import Actor
from cityops.kernel.clock import Clock
from cityops.kernel.errors import NotFound, ValidationFailed
from cityops.kernel.events import Event
from cityops.kernel.ids import new_token
from cityops.kernel.text import clean_text
from cityops.kernel.ttl_cache import TtlCache
from cityops.webhooks import store
from cityops.webhooks.delivery import DeliveryLimits, Lane, WebhookSender
from cityops.webhooks.model import (
    CreatedSubscription,
    DeliveryView,
    NewSubscription,
    SubscriptionView,
    validate_event_names,
    validate_url,
    wants,
)
from cityops.webhooks.policy import may_manage_webhooks
from cityops.webhooks.targets import check_registration

SUBSCRIPTIONS_TTL = 5.0


class WebhookService:
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
        self._subs: TtlCache[list[tuple[int, tuple[str, ...]]]] = TtlCache(SUBSCRIPTIONS_TTL)
        limits = DeliveryLimits(
            timeout_seconds=settings.webhook_timeout_seconds,
            max_attempts=settings.webhook_max_attempts,
            breaker_threshold=settings.webhook_breaker_threshold,
            lane_seconds=settings.webhook_lane_seconds,
            lanes_at_once=settings.webhook_lanes_at_once,
            batch_size=batch_size,
            allow_networks=settings.webhook_allow_networks,
        )
        self._allowed = settings.webhook_allow_networks
        self._sender = WebhookSender(sessions, clock, limits, client_factory=client_factory)

    # -- use cases -------------------------------------------------------------------------

    def create_subscription(
        self, uow: UnitOfWork, actor: Actor, cmd: NewSubscription
    ) -> CreatedSubscription:
        may_manage_webhooks(actor)
        self._subs.clear()
        url = validate_url(cmd.url)
        check_registration(url, self._allowed)
        names = validate_event_names(cmd.event_names)
        secret = cmd.secret if cmd.secret else new_token(32)
        if len(secret) < 16:
            raise ValidationFailed(
                "a webhook secret needs at least 16 characters", code="weak_secret"
            )
        new_id = store.insert_subscription(
            uow.session,
            url=url,
            secret=secret,
            event_names=names,
            description=clean_text(cmd.description).strip()[:200],
            created_at=self._clock.now(),
            created_by=actor.username,
        )
        return CreatedSubscription(self._get(uow.session, new_id), secret)

    def list_subscriptions(self, session: Session, actor: Actor) -> list[SubscriptionView]:
        may_manage_webhooks(actor)
        return store.active_subscriptions(session)

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
        store.deactivate_subscription(uow.session, sub_id)

    def list_deliveries(
        self, session: Session, actor: Actor, sub_id: int, *, limit: int = 100
    ) -> list[DeliveryView]:
        may_manage_webhooks(actor)
        self._get(session, sub_id)
        return store.recent_deliveries(session, sub_id, max(1, min(limit, 1000)))

    def _get(self, session: Session, sub_id: int) -> SubscriptionView:
        view = store.find_subscription(session, sub_id)
        if view is None:
            raise NotFound(f"webhook {sub_id} does not exist", code="webhook_not_found")
        return view

    # -- the bus handler -------------------------------------------------------------------

    def on_event(self, event: Event) -> None:
        """The bus handler (subscribed to every event as "webhooks.enqueue")."""
        self.enqueue(event)

    def enqueue(self, event: Event) -> int:
        """Write one pending delivery per active subscription that wants this event. Idempotent:
        (subscription, event) is unique, so a repeated relay pass adds nothing."""
        wanted = [sub_id for sub_id, names in self._active() if wants(names, event)]
        if not wanted:
            return 0
        with self._sessions.begin() as s:
            store.insert_deliveries(
                s,
                wanted,
                event_id=event.event_id,
                event_name=event.wire_name,  # receivers see the stable name, not the class
                payload=json.loads(json.dumps(event.payload(), default=str)),
                occurred_at=event.occurred_at,
                due_at=self._clock.now(),
            )
        return len(wanted)

    def _active(self) -> list[tuple[int, tuple[str, ...]]]:
        """(id, event_names) of the active subscriptions, re-read at most every
        SUBSCRIPTIONS_TTL seconds: the relay asks for every event, and most events go nowhere.
        Changes made through this service clear it at once."""

        def load() -> list[tuple[int, tuple[str, ...]]]:
            with self._sessions() as s:
                subs = store.active_event_names(s)
                s.rollback()
            return subs

        return self._subs.get_or_load("active", load)

    # -- the delivery pass -----------------------------------------------------------------

    def start_due(self, now: datetime | None = None) -> list[Lane]:
        """The scheduled job: start sending what is due, a lane per receiver, without waiting."""
        return self._sender.start_due(now or self._clock.now())

    def deliver_due(self, now: datetime | None = None) -> int:
        """Send every pending delivery whose time has come and wait for the lanes; how many were
        delivered. Tests and the CLI call it with a FixedClock's time."""
        return self._sender.deliver_due(now or self._clock.now())

    def busy_receivers(self) -> list[int]:
        """Subscriptions whose lane is sending now."""
        return self._sender.busy_receivers()

    def close(self) -> None:
        self._sender.close()
