"""API: the citizen-notification outbox (GET /api/v1/notifications) for operators, dispatchers,
shift leaders, leaders and admins, through the case scope (an account bound to a street reads its
street's messages; `?case_id=` of a case out of scope is a 404). Recipients are masked."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from cityops.appeals.notify.public import NotificationView
from cityops.web.deps import CurrentActor, PlatformDep, ReadSession
from cityops.web.params import MAX_PAGE, RowId

router = APIRouter(prefix="/api/v1", tags=["notifications"])


class NotificationPublic(BaseModel):
    id: int
    case_id: int
    case_number: str
    event_name: str
    channel: str
    recipient: str
    message: str
    status: str
    attempts: int
    error: str | None
    created_at: datetime
    sent_at: datetime | None
    correlation_id: str | None = None  # the request (X-Request-ID) the message goes back to
    causation_id: str | None = None  # the event it tells of

    @classmethod
    def of(cls, n: NotificationView) -> NotificationPublic:
        return cls(**n.__dict__)


class NotificationPage(BaseModel):
    items: list[NotificationPublic]
    total: int
    page: int
    size: int


@router.get("/notifications", response_model=NotificationPage)
def list_notifications(
    platform: PlatformDep,
    session: ReadSession,
    actor: CurrentActor,
    case_id: RowId | None = None,
    status: Annotated[str | None, Query(pattern="^(recorded|sent|failed)$")] = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> NotificationPage:
    result = platform.notify.list_notifications(
        session, actor, case_id=case_id, status=status, page=page, size=size
    )
    return NotificationPage(
        items=[NotificationPublic.of(n) for n in result.items],
        total=result.total,
        page=result.page,
        size=result.size,
    )
