"""API: sign-in (OAuth2 password flow → bearer token) and integration API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, status
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, ConfigDict, Field

from cityops.org import public as org
from cityops.web.api.users import UserPublic
from cityops.web.deps import CurrentActor, PlatformDep, ReadSession
from cityops.web.params import RowId

router = APIRouter(prefix="/api/v1", tags=["auth"])


class TokenPublic(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="seconds until the token expires")
    user: UserPublic


class ApiTokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120, examples=["12345 hotline bridge"])
    username: str | None = Field(
        default=None, max_length=64, description="the user the token acts as (default: you)"
    )


class ApiTokenPublic(BaseModel):
    id: int
    name: str
    user_id: int
    username: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    active: bool

    @classmethod
    def of(cls, ref: org.ApiTokenRef) -> ApiTokenPublic:
        return cls(
            id=ref.id,
            name=ref.name,
            user_id=ref.user_id,
            username=ref.username,
            created_at=ref.created_at,
            last_used_at=ref.last_used_at,
            revoked_at=ref.revoked_at,
            active=ref.active,
        )


class ApiTokenIssuedPublic(ApiTokenPublic):
    token: str = Field(description="the secret, shown only this once; send it as a bearer token")


@router.post("/auth/token", response_model=TokenPublic)
def sign_in(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    platform: PlatformDep,
    session: ReadSession,
) -> TokenPublic:
    """OAuth2 password flow: form fields `username` and `password`."""
    result = platform.org.login(session, form.username, form.password)
    return TokenPublic(
        access_token=result.access_token,
        token_type=result.token_type,
        expires_in=result.expires_in,
        user=UserPublic.of(result.user),
    )


@router.get("/auth/api-tokens", response_model=list[ApiTokenPublic])
def list_api_tokens(
    platform: PlatformDep, session: ReadSession, actor: CurrentActor
) -> list[ApiTokenPublic]:
    return [ApiTokenPublic.of(t) for t in platform.org.list_api_tokens(session, actor)]


@router.post(
    "/auth/api-tokens", response_model=ApiTokenIssuedPublic, status_code=status.HTTP_201_CREATED
)
def create_api_token(
    body: ApiTokenCreate, platform: PlatformDep, actor: CurrentActor
) -> ApiTokenIssuedPublic:
    with platform.uow() as uow:
        issued = platform.org.create_api_token(
            uow, actor, org.NewApiToken(name=body.name, username=body.username)
        )
    public = ApiTokenPublic.of(issued.ref)
    return ApiTokenIssuedPublic(**public.model_dump(), token=issued.token)


@router.delete("/auth/api-tokens/{token_id}", response_model=ApiTokenPublic)
def revoke_api_token(token_id: RowId, platform: PlatformDep, actor: CurrentActor) -> ApiTokenPublic:
    with platform.uow() as uow:
        ref = platform.org.revoke_api_token(uow, actor, token_id)
    return ApiTokenPublic.of(ref)
