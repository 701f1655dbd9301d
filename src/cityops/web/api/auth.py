"""API: sign-in (OAuth2 password flow → bearer token), sign-out and integration API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, ConfigDict, Field

from cityops.app import Platform
from cityops.kernel.errors import Unauthenticated
from cityops.org import public as org
from cityops.web.api.users import UserPublic
from cityops.web.deps import CurrentActor, PlatformDep, ReadSession, oauth2_scheme
from cityops.web.errors import error_body
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


@router.post(
    "/auth/token",
    response_model=TokenPublic,
    responses={
        429: {"description": "too many failed sign-ins from this address (Retry-After)"},
        503: {"description": "every password check is busy; try again shortly (Retry-After)"},
    },
)
async def sign_in(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    request: Request,
    platform: PlatformDep,
) -> TokenPublic | JSONResponse:
    """OAuth2 password flow: form fields `username` and `password`. Wrong passwords make the
    address wait before its next attempt on the account (429 with Retry-After, growing with
    each failure); an address without failures there is not held up by others' failures.
    Refusals are decided on the event loop, before any thread, database read or hashing."""
    # the peer of the connection (X-Forwarded-For is trusted only where a proxy is configured)
    client = request.client.host if request.client else "unknown"
    try:
        with platform.org.sign_in_admission(form.username, client):
            result = await run_in_threadpool(_login, platform, form.username, form.password, client)
    except (org.SignInThrottled, org.SignInBusy) as refused:
        busy = isinstance(refused, org.SignInBusy)
        return JSONResponse(
            error_body(refused.code, refused.message, retry_after=refused.retry_after),
            status_code=503 if busy else 429,
            headers={"Retry-After": str(refused.retry_after)},
        )
    return TokenPublic(
        access_token=result.access_token,
        token_type=result.token_type,
        expires_in=result.expires_in,
        user=UserPublic.of(result.user),
    )


def _login(platform: Platform, username: str, password: str, client: str) -> org.AccessToken:
    with platform.read() as session:
        return platform.org.login(session, username, password, client=client)


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def sign_out(
    platform: PlatformDep,
    actor: CurrentActor,
    token: Annotated[str | None, Depends(oauth2_scheme)],
    everywhere: Annotated[
        bool, Query(description="sign out every token of your account, not only this one")
    ] = False,
) -> Response:
    """Sign the bearer token of this request out: it is refused from now on, by every server.
    `?everywhere=true` signs out every token of the account (every device)."""
    if token is None or actor.user_id is None:  # CurrentActor answered 401 without a token
        raise Unauthenticated("sign in first: send 'Authorization: Bearer <token>'")
    with platform.uow() as uow:
        platform.org.log_out(uow, token, everywhere=everywhere)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


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
