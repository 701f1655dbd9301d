"""The console's sign-in session: an HttpOnly cookie beside bearer tokens.

Signing in from the console (POST /api/v1/auth/session) sets two cookies:

- `cityops_session` (HttpOnly, SameSite=Lax, Path=/, Secure over https and in prod): a bearer
  token of the same kind the API hands out, followed by the time of the session's last request
  and an HMAC over both (`<token>~<last seen, unix seconds>~<mac>`). The token is checked exactly
  as a bearer token is (signature, expiry, sign-out, password change, deactivation), so
  everything that revokes a token ends the session. Without the browser's tab storage, a case
  opened in a new tab is signed in.
- `cityops_csrf` (readable by the page's scripts): an HMAC of the session token. Cookie-borne
  writes (POST/PUT/PATCH/DELETE) must echo it in the `X-CSRF-Token` header (a signed double
  submit: another site can neither read the cookie nor forge the value), and an `Origin` or
  `Referer` they carry must be this server's. Requests with `Authorization: Bearer` need
  neither: a browser never adds that header by itself.

Idle timeout: a session is over after CITYOPS_SESSION_IDLE_MINUTES without a request. The last
request's time lives in the signed cookie, not in the database: a request whose cookie says it
was last seen a minute or more ago is answered with the cookie re-issued (new time, new mac), so
sliding the timeout costs no database write and at most one Set-Cookie a minute. The timeout is
therefore kept to within a minute (a session idle for N minutes minus up to one is over).
Requests a page makes by itself (a poll) carry `X-Cityops-Background: 1` and do not slide it.
The absolute lifetime stays the token's (CITYOPS_TOKEN_TTL_MINUTES)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import Request, cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cityops.kernel.errors import PermissionDenied

SESSION_COOKIE = "cityops_session"
CSRF_COOKIE = "cityops_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# the cookie is re-issued with a new last-seen time at most this often
REFRESH_AFTER = timedelta(minutes=1)
# sent by a page's own background requests (a queue's poll): they are answered while the session
# lasts but are not activity, so a page left open does not keep its session alive
BACKGROUND_HEADER = "X-Cityops-Background"


@dataclass(frozen=True)
class BrowserSession:
    """A valid session cookie: its bearer token and when the session was last seen."""

    token: str
    seen: datetime


def _key(secret: str, purpose: bytes) -> bytes:
    return hmac.new(secret.encode(), purpose, hashlib.sha256).digest()


def _mac(key: bytes, text: str) -> str:
    digest = hmac.new(key, text.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class SessionCodec:
    """Packs and checks the session cookie and the CSRF value (pure; time from the caller)."""

    def __init__(self, secret: str, idle: timedelta) -> None:
        self._cookie_key = _key(secret, b"cityops session cookie")
        self._csrf_key = _key(secret, b"cityops csrf")
        self.idle = idle

    def pack(self, token: str, seen: datetime) -> str:
        body = f"{token}~{int(seen.timestamp())}"
        return f"{body}~{_mac(self._cookie_key, body)}"

    def read(self, value: str, now: datetime) -> tuple[BrowserSession | None, bool]:
        """(the session, None if the cookie is not a valid one; whether it was valid but has
        been idle too long)."""
        token, _, rest = value.partition("~")
        seen_text, _, mac = rest.partition("~")
        if not token or not seen_text.isdigit() or len(seen_text) > 12:
            return None, False
        if not hmac.compare_digest(mac, _mac(self._cookie_key, f"{token}~{seen_text}")):
            return None, False
        seen = datetime.fromtimestamp(int(seen_text), UTC)
        if now - seen >= self.idle:
            return None, True
        return BrowserSession(token, seen), False

    def csrf_for(self, token: str) -> str:
        return _mac(self._csrf_key, token)

    def csrf_matches(self, token: str, presented: str | None) -> bool:
        return bool(presented) and hmac.compare_digest(presented or "", self.csrf_for(token))


def cookie_header(
    name: str, value: str, *, http_only: bool, secure: bool, max_age: int | None = None
) -> str:
    """A Set-Cookie value for Path=/, SameSite=Lax. The values written here (base64url, digits,
    '.', '~', '-', '_') need no quoting."""
    parts = [f"{name}={value}", "Path=/", "SameSite=Lax"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
        if max_age == 0:
            parts.append("Expires=Thu, 01 Jan 1970 00:00:00 GMT")
    if http_only:
        parts.append("HttpOnly")
    if secure:
        parts.append("Secure")
    return "; ".join(parts)


def session_cookie_headers(
    codec: SessionCodec, token: str, now: datetime, *, secure: bool
) -> list[str]:
    """The Set-Cookie values that start a session for `token`."""
    return [
        cookie_header(SESSION_COOKIE, codec.pack(token, now), http_only=True, secure=secure),
        cookie_header(CSRF_COOKIE, codec.csrf_for(token), http_only=False, secure=secure),
    ]


def clearing_cookie_headers(*, secure: bool) -> list[str]:
    """The Set-Cookie values that end a session in the browser."""
    return [
        cookie_header(SESSION_COOKIE, "", http_only=True, secure=secure, max_age=0),
        cookie_header(CSRF_COOKIE, "", http_only=False, secure=secure, max_age=0),
    ]


def browser_session(request: Request) -> BrowserSession | None:
    """The request's valid, not idle session cookie (set by SessionCookies), or None."""
    found: BrowserSession | None = request.scope.get("state", {}).get("session")
    return found


def session_refused(request: Request) -> None:
    """The session's token was refused (signed out, expired, revoked): the response clears
    the cookies."""
    request.scope.setdefault("state", {})["session_refused"] = True


def check_csrf(request: Request, codec: SessionCodec, session: BrowserSession) -> None:
    """A write carried by the session cookie: the X-CSRF-Token header must hold the session's
    CSRF value, and an Origin (or, without one, a Referer) must be this server. 403
    csrf_failed otherwise."""
    if request.method in SAFE_METHODS:
        return
    source = request.headers.get("origin") or request.headers.get("referer")
    if source and source != "null" and urlsplit(source).netloc != request.url.netloc:
        raise PermissionDenied(
            f"a signed-in write from another site ({urlsplit(source).netloc}) is refused",
            code="csrf_failed",
        )
    if not codec.csrf_matches(session.token, request.headers.get(CSRF_HEADER)):
        raise PermissionDenied(
            f"a write made with the session cookie needs the {CSRF_HEADER} header holding the "
            f"value of the {CSRF_COOKIE} cookie",
            code="csrf_failed",
        )


def same_site_path(next_path: str | None) -> str:
    """`next_path` if it is a path on this site ("/cases/7?tab=x"), else "/": never a bounce
    to another origin ("//evil.example", "https://…", "/\\evil", "javascript:…")."""
    path = (next_path or "").strip()
    if (
        not path.startswith("/")
        or path.startswith(("//", "/\\"))
        or any(c in path for c in "\\\r\n\t")
        or urlsplit(path).netloc
    ):
        return "/"
    return path


_BACKGROUND_KEY = BACKGROUND_HEADER.lower().encode()


def _request_cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == b"cookie":
            found = cookie_parser(value.decode("latin-1")).get(name)
            if found is not None:
                return found
    return None


class SessionCookies:
    """ASGI middleware: reads the session cookie into `scope["state"]["session"]` (a valid, not
    idle BrowserSession, else None) and, on the way out, re-issues it with a new last-seen time
    at most once a minute (not for a background request), or clears it where it went idle or
    its token was refused. A response that sets the session cookie itself (sign-in, sign-out)
    is left alone."""

    def __init__(
        self, app: ASGIApp, *, codec: SessionCodec, now: Callable[[], datetime], prod: bool
    ) -> None:
        self.app = app
        self.codec = codec
        self.now = now
        self.prod = prod

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        value = _request_cookie(scope, SESSION_COOKIE)
        session, idle = self.codec.read(value, self.now()) if value else (None, False)
        state["session"] = session
        secure = self.prod or scope.get("scheme") == "https"
        background = any(k == _BACKGROUND_KEY for k, _ in scope.get("headers", ()))

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                own = any(v.startswith(f"{SESSION_COOKIE}=") for v in headers.getlist("set-cookie"))
                if own:
                    pass
                elif idle or state.get("session_refused"):
                    for cookie in clearing_cookie_headers(secure=secure):
                        headers.append("set-cookie", cookie)
                elif session is not None and not background:
                    now = self.now()
                    if now - session.seen >= REFRESH_AFTER:
                        fresh = self.codec.pack(session.token, now)
                        headers.append(
                            "set-cookie",
                            cookie_header(SESSION_COOKIE, fresh, http_only=True, secure=secure),
                        )
            await send(message)

        await self.app(scope, receive, send_with_cookie)


class SignInRequired(Exception):
    """A console page asked for without a session: answered with a redirect to /login?next=."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path
