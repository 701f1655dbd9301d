"""API: outgoing webhooks (administrators only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from cityops.web.deps import CurrentActor, PlatformDep
from cityops.web.params import RowId
from cityops.webhooks.public import (
    ALL_EVENTS,
    DeliveryStatus,
    NewSubscription,
    SubscriptionView,
)

router = APIRouter(prefix="/api/v1", tags=["webhooks"])


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=2000, description="http:// or https:// URL that receives POSTs")
    event_names: list[str] = Field(
        default_factory=lambda: [ALL_EVENTS],
        max_length=100,
        description='Events by wire name (e.g. "case.closed", as deliveries name them) or '
        'class name ("CaseClosed"), or ["*"] for every event',
    )
    secret: str | None = Field(
        default=None,
        min_length=16,
        max_length=200,
        description="HMAC-SHA256 key; generated when left out (returned once)",
    )
    description: str = Field(default="", max_length=200)


class WebhookPublic(BaseModel):
    id: int
    url: str
    event_names: list[str]
    description: str
    active: bool
    created_at: datetime
    created_by: str
    failures_in_a_row: int = Field(
        description="Failed sends in a row; from the threshold on, the receiver is paused"
    )
    paused_until: datetime | None = Field(
        description="Circuit breaker: until then none of its deliveries is sent; after it one "
        "delivery probes the receiver, and its success resumes the rest"
    )

    @classmethod
    def of(cls, view: SubscriptionView) -> WebhookPublic:
        return cls(
            id=view.id,
            url=view.url,
            event_names=list(view.event_names),
            description=view.description,
            active=view.active,
            created_at=view.created_at,
            created_by=view.created_by,
            failures_in_a_row=view.breaker.failures,
            paused_until=view.breaker.open_until,
        )


class WebhookCreated(WebhookPublic):
    secret: str = Field(description="Shown only in this response; verify X-Cityops-Signature")


class WebhookDeliveryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

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


@router.post("/webhooks", status_code=201, response_model=WebhookCreated)
def create_webhook(
    body: WebhookCreate, platform: PlatformDep, actor: CurrentActor
) -> WebhookCreated:
    cmd = NewSubscription(
        url=body.url, event_names=body.event_names, secret=body.secret, description=body.description
    )
    with platform.uow() as uow:
        created = platform.webhooks.create_subscription(uow, actor, cmd)
    public = WebhookPublic.of(created.subscription)
    return WebhookCreated(**public.model_dump(), secret=created.secret)


@router.get("/webhooks", response_model=list[WebhookPublic])
def list_webhooks(platform: PlatformDep, actor: CurrentActor) -> list[WebhookPublic]:
    with platform.read() as session:
        return [WebhookPublic.of(v) for v in platform.webhooks.list_subscriptions(session, actor)]


@router.delete("/webhooks/{webhook_id}", status_code=204)
def delete_webhook(webhook_id: RowId, platform: PlatformDep, actor: CurrentActor) -> Response:
    with platform.uow() as uow:
        platform.webhooks.delete_subscription(uow, actor, webhook_id)
    return Response(status_code=204)


@router.get("/webhooks/{webhook_id}/deliveries", response_model=list[WebhookDeliveryPublic])
def list_webhook_deliveries(
    webhook_id: RowId,
    platform: PlatformDep,
    actor: CurrentActor,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[WebhookDeliveryPublic]:
    with platform.read() as session:
        views = platform.webhooks.list_deliveries(session, actor, webhook_id, limit=limit)
    return [WebhookDeliveryPublic.model_validate(v) for v in views]
