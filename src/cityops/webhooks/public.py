"""What other parts may use of the webhooks domain: the service, its commands and records."""

from __future__ import annotations

from cityops.webhooks.model import (
    ALL_EVENTS,
    Breaker,
    BreakerStatus,
    CreatedSubscription,
    DeliveryStatus,
    DeliveryView,
    NewSubscription,
    SubscriptionView,
)
from cityops.webhooks.service import WebhookService

__all__ = [
    "ALL_EVENTS",
    "Breaker",
    "BreakerStatus",
    "CreatedSubscription",
    "DeliveryStatus",
    "DeliveryView",
    "NewSubscription",
    "SubscriptionView",
    "WebhookService",
]
