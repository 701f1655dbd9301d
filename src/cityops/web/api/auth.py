"""API: sign-in (OAuth2 password flow → bearer token; the console's session cookie, see
web.session), sign-out and integration API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, ConfigDict, Field

from cityops.app import Platform
from cityops.kernel.errors import PermissionDenied, Unauthenticated
from cityops.org import public as org
from cityops.web.api.users import UserPublic
from cityops.web.deps import CurrentActor, PlatformDep, ReadSession, presented_token
from cityops.web.errors import error_body
from cityops.web.params import RowId
from cityops.web.session import (
    browser_session,
    clearing_cookie_headers,
    same_site_path,
    session_cookie_headers,
)

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


SIGN_IN_REFUSALS: dict[int | str, dict[str, Any]] = {
    429: {"description": "too many failed sign-ins from this address (Retry-After)"},
    503: {"description": "every password check is busy; try again shortly (Retry-After)"},
}


class SessionPublic(BaseModel):
    """A console session was started: the cookies carry it, the body only says about it."""

    user: UserPublic
    expires_in: int = Field(description="seconds until the session ends, however active")
    idle_minutes: int = Field(description="the session ends after this many minutes unused")
    next: str = Field(description="where to go now: the `next` asked for, if a path on this site")


@router.post("/auth/token", response_model=TokenPublic, responses=SIGN_IN_REFUSALS)
async def sign_in(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    request: Request,
    platform: PlatformDep,
) -> TokenPublic | JSONResponse:
    """OAuth2 password flow: form fields `username` and `password`. Wrong passwords make the
    address wait before its next attempt on the account (429 with Retry-After, growing with
    each failure); an address without failures there is not held up by others' failures.
    Refusals are decided on the event loop, before any thread, database read or hashing."""
    result = await _admitted_login(platform, request, form.username, form.password)
    if isinstance(result, JSONResponse):
        return result
    return TokenPublic(
        access_token=result.access_token,
        token_type=result.token_type,
        expires_in=result.expires_in,
        user=UserPublic.of(result.user),
    )


@router.post(
    "/auth/session",
    response_model=SessionPublic,
    responses={**SIGN_IN_REFUSALS, 403: {"description": "sent from another site"}},
)
async def start_session(
    username: Annotated[str, Form(max_length=256)],
    password: Annotated[str, Form(max_length=1024)],
    request: Request,
    platform: PlatformDep,
    next: Annotated[str, Form(max_length=2048)] = "/",
) -> JSONResponse:
    """Console sign-in: the same check as /auth/token, but the token goes into an HttpOnly
    session cookie (with a `cityops_csrf` cookie whose value writes echo in X-CSRF-Token) and
    is not in the body. `next` comes back as it was if it is a path on this site, else "/"."""
    source = request.headers.get("origin")
    if source and source != "null" and urlsplit(source).netloc != request.url.netloc:
        raise PermissionDenied(
            f"a sign-in from another site ({urlsplit(source).netloc}) is refused",
            code="csrf_failed",
        )
    result = await _admitted_login(platform, request, username, password)
    if isinstance(result, JSONResponse):
        return result
    body = SessionPublic(
        user=UserPublic.of(result.user),
        expires_in=result.expires_in,
        idle_minutes=platform.settings.session_idle_minutes,
        next=same_site_path(next),
    )
    response = JSONResponse(body.model_dump(mode="json"), headers={"Cache-Control": "no-store"})
    codec = request.app.state.sessions
    cookies = session_cookie_headers(
        codec, result.access_token, platform.clock.now(), secure=_secure(request, platform)
    )
    for cookie in cookies:
        response.headers.append("set-cookie", cookie)
    return response


async def _admitted_login(
    platform: Platform, request: Request, username: str, password: str
) -> org.AccessToken | JSONResponse:
    # the peer of the connection (X-Forwarded-For is trusted only where a proxy is configured)
    client = request.client.host if request.client else "unknown"
    try:
        with platform.org.sign_in_admission(username, client):
            return await run_in_threadpool(_login, platform, username, password, client)
    except (org.SignInThrottled, org.SignInBusy) as refused:
        busy = isinstance(refused, org.SignInBusy)
        return JSONResponse(
            error_body(refused.code, refused.message, retry_after=refused.retry_after),
            status_code=503 if busy else 429,
            headers={"Retry-After": str(refused.retry_after)},
        )


def _login(platform: Platform, username: str, password: str, client: str) -> org.AccessToken:
    with platform.read() as session:
        return platform.org.login(session, username, password, client=client)


def _secure(request: Request, platform: Platform) -> bool:
    return platform.settings.env == "prod" or request.url.scheme == "https"


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def sign_out(
    request: Request,
    platform: PlatformDep,
    actor: CurrentActor,
    token: Annotated[str | None, Depends(presented_token)],
    everywhere: Annotated[
        bool, Query(description="sign out every token of your account, not only this one")
    ] = False,
) -> Response:
    """Sign the token of this request out (the bearer token, or the console's session cookie,
    which is cleared): it is refused from now on, by every server. `?everywhere=true` signs out
    every token of the account (every device)."""
    if token is None or actor.user_id is None:  # CurrentActor answered 401 without a token
        raise Unauthenticated("sign in first: send 'Authorization: Bearer <token>'")
    with platform.uow() as uow:
        platform.org.log_out(uow, token, everywhere=everywhere)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    if browser_session(request) is not None:
        for cookie in clearing_cookie_headers(secure=_secure(request, platform)):
            response.headers.append("set-cookie", cookie)
    return response


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
