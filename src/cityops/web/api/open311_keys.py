"""API: Open311 api keys (administrators). A new key is shown once, in the answer that creates
it; the platform keeps only its hash. Revoking keeps the key listed, refused from then on."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from cityops.web.deps import CurrentActor, PlatformDep, ReadSession
from cityops.web.params import RowId

router = APIRouter(prefix="/api/v1", tags=["open311"])


class Open311KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        max_length=60,
        examples=["city-app"],
        description="who uses the key: 1-60 lowercase letters, digits, '_', '.' or '-'",
    )


class Open311KeyPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    active: bool
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class Open311KeyCreated(Open311KeyPublic):
    api_key: str = Field(description="Shown only in this response; it cannot be recovered")


@router.get("/open311/keys", response_model=list[Open311KeyPublic])
def list_open311_keys(
    platform: PlatformDep, session: ReadSession, actor: CurrentActor
) -> list[Open311KeyPublic]:
    return [Open311KeyPublic.model_validate(k) for k in platform.open311.list_keys(session, actor)]


@router.post("/open311/keys", response_model=Open311KeyCreated, status_code=status.HTTP_201_CREATED)
def create_open311_key(
    body: Open311KeyCreate, platform: PlatformDep, actor: CurrentActor
) -> Open311KeyCreated:
    with platform.uow() as uow:
        issued = platform.open311.create_key(uow, actor, body.name)
    return Open311KeyCreated(
        **Open311KeyPublic.model_validate(issued.key).model_dump(), api_key=issued.api_key
    )


@router.post("/open311/keys/{key_id}/revoke", response_model=Open311KeyPublic)
def revoke_open311_key(
    key_id: RowId, platform: PlatformDep, actor: CurrentActor
) -> Open311KeyPublic:
    with platform.uow() as uow:
        key = platform.open311.revoke_key(uow, actor, key_id)
    return Open311KeyPublic.model_validate(key)
