"""FastAPI dependencies: the platform, sessions and the acting user."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException

from cityops.app import Platform
from cityops.kernel.actor import Actor
from cityops.kernel.errors import Unauthenticated
from cityops.web.rate_limits import PublicReadLimiter
from cityops.web.session import browser_session, check_csrf, session_refused

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


# Dependencies that do no I/O are `async def`: FastAPI runs a plain `def` dependency in the
# thread pool, a hop that costs more than the work itself on every request.
async def get_platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


PlatformDep = Annotated[Platform, Depends(get_platform)]


def read_session(platform: PlatformDep) -> Iterator[Session]:
    with platform.read() as session:
        yield session


ReadSession = Annotated[Session, Depends(read_session)]


async def optional_actor(
    request: Request, platform: PlatformDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> Actor | None:
    """The actor behind a bearer token (user session or integration API token) or, without
    one, behind the console's session cookie (web.session), or None. Whether the token still
    works is read from the database on every request (one primary-key read in the thread pool),
    so a sign-out, a password change or a deactivation made on any server process holds at
    once. A write carried by the cookie must pass the CSRF check (403 csrf_failed)."""
    if token:
        return await run_in_threadpool(_actor_from_database, platform, token)
    session = browser_session(request)
    if session is None:
        return None
    check_csrf(request, request.app.state.sessions, session)
    return await _session_actor(request, platform, session.token)


async def signed_in_actor(request: Request, platform: Platform) -> Actor | None:
    """The actor of the request's session cookie, for a console page (no CSRF: pages are
    read), or None without a valid session."""
    session = browser_session(request)
    if session is None:
        return None
    try:
        return await _session_actor(request, platform, session.token)
    except Unauthenticated:
        return None


async def _session_actor(request: Request, platform: Platform, token: str) -> Actor:
    try:
        return await run_in_threadpool(_actor_from_database, platform, token)
    except Unauthenticated:
        session_refused(request)  # the response clears the cookies
        raise


def presented_token(
    request: Request, bearer: Annotated[str | None, Depends(oauth2_scheme)]
) -> str | None:
    """The token this request is signed in with: the bearer token, else the session cookie's."""
    if bearer:
        return bearer
    session = browser_session(request)
    return session.token if session else None


def _actor_from_database(platform: Platform, token: str) -> Actor:
    with platform.read() as session:
        actor = platform.org.actor_from_token(session, token)
    if platform.org.token_use_due(token):  # API tokens: stamp last_used_at, at most once a minute
        with platform.uow() as uow:
            platform.org.record_token_use(uow, token)
    return actor


async def current_actor(actor: Annotated[Actor | None, Depends(optional_actor)]) -> Actor:
    if actor is None:
        raise Unauthenticated(
            "sign in first: send 'Authorization: Bearer <token>' or sign in to the console"
        )
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]


async def public_read_allowance(
    request: Request, actor: Annotated[Actor | None, Depends(optional_actor)]
) -> None:
    """A public read made without signing in (areas, locate, categories: what the citizen
    portal's pages ask) spends one of the client address's CITYOPS_PUBLIC_READS_PER_MINUTE
    (web.rate_limits, kept on the app); beyond it, 429 with Retry-After. Signed-in staff are not
    limited."""
    if actor is None:
        limiter: PublicReadLimiter = request.app.state.public_reads
        _refuse_after(limiter.wait_for(_client(request)), "requests")


def spend_allowance(platform: Platform, request: Request, kind: str) -> None:
    """Spend one of the client address's `kind` allowance of the portal limiter ("submit" or
    "read"); beyond it, 429 rate_limited with Retry-After."""
    wait = platform.portal.limiter.wait_for(kind, _client(request))
    _refuse_after(wait, "submissions" if kind == "submit" else "requests")


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _refuse_after(wait: int, what: str) -> None:
    """Over an allowance (`wait` seconds to go): 429 rate_limited with Retry-After."""
    if wait:
        raise HTTPException(
            429,
            f"too many {what} from your address; try again in {wait} seconds",
            headers={"Retry-After": str(wait)},
        )


PublicReads = Depends(public_read_allowance)
