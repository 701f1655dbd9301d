"""Credentials, pure: argon2 password hashes, signed bearer tokens (JWT HS256) and integration
API tokens (random, stored only as their sha256). Time always comes from the caller's clock.

A bearer token names its user (`sub`), its own id (`jti`, what a sign-out revokes), the user's
credential generation when it was issued (`gen`: a password change, a deactivation or "sign out
everywhere" raises the user's, and every older token stops working) and its issue time (`iat`).
It is valid until `exp` but never longer than the configured lifetime after `iat`, whatever
`exp` says."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from cityops.kernel.errors import Unauthenticated
from cityops.kernel.ids import new_token

API_TOKEN_PREFIX = "cok_"
JWT_ALGORITHM = "HS256"


def password_hasher(*, fast: bool = False) -> PasswordHasher:
    """argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): about 0.1 s on one
    core here, where the library default (64 MiB, 3 passes) took 0.74 s per login. `fast` (test
    runs only) uses a cheap work factor. Hashes carry their own parameters, so any hasher
    verifies the others' hashes."""
    if fast:
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


class Passwords:
    def __init__(self, hasher: PasswordHasher) -> None:
        self._hasher = hasher
        # Verifying against this when the user is unknown keeps both answers equally slow.
        self._dummy = hasher.hash("not-a-real-password")

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash or self._dummy, password) and bool(
                password_hash
            )
        except (VerificationError, InvalidHashError):
            return False


def signing_key(secret: str) -> bytes:
    """The HS256 key: derived from settings.secret_key (HMAC-SHA256 with a purpose label), so
    every secret gives a full-length key and the raw secret is used for nothing else."""
    return hmac.new(secret.encode(), b"cityops access token", hashlib.sha256).digest()


# A token issued this far ahead of the reader's clock is still taken (clocks of two servers)
CLOCK_SKEW = timedelta(minutes=1)


@dataclass(frozen=True)
class AccessClaims:
    user_id: int
    roles: tuple[str, ...]
    expires_at: datetime
    token_id: str
    generation: int


def issue_access_token(
    *,
    user_id: int,
    roles: tuple[str, ...],
    secret: str,
    now: datetime,
    ttl: timedelta,
    generation: int = 0,
) -> tuple[str, datetime]:
    """A signed bearer token for a user: (token, expires_at)."""
    expires_at = now + ttl
    claims: dict[str, Any] = {
        "sub": str(user_id),
        "roles": list(roles),
        "iat": int(now.timestamp()),
        "exp": int(expires_at.timestamp()),
        "jti": new_token(16),
        "gen": generation,
    }
    return jwt.encode(claims, signing_key(secret), algorithm=JWT_ALGORITHM), expires_at


def read_access_token(
    token: str, *, secret: str, now: datetime, max_ttl: timedelta
) -> AccessClaims:
    """Verify the signature and the expiry (against `now`, not the wall clock): the token
    expires at `exp` or `max_ttl` after `iat`, whichever is first, and one issued in the
    future is refused. Unauthenticated if bad."""
    try:
        claims = jwt.decode(
            token,
            signing_key(secret),
            algorithms=[JWT_ALGORITHM],
            options={
                "verify_exp": False,  # checked below against the injected clock
                "verify_iat": False,
                "verify_nbf": False,
                "require": ["sub", "exp", "iat", "jti", "gen"],
            },
        )
        user_id = int(claims["sub"])
        issued_at = datetime.fromtimestamp(int(claims["iat"]), UTC)
        expires_at = min(datetime.fromtimestamp(int(claims["exp"]), UTC), issued_at + max_ttl)
        roles = tuple(str(r) for r in claims.get("roles", ()))
        token_id = str(claims["jti"])
        generation = int(claims["gen"])
        if issued_at > now + CLOCK_SKEW or not token_id or len(token_id) > 64:
            raise ValueError("issued in the future or without an id")
    except (jwt.PyJWTError, ValueError, TypeError, OverflowError, OSError):
        raise Unauthenticated(
            "the bearer token is not valid; sign in again", code="invalid_token"
        ) from None
    return check_not_expired(
        AccessClaims(
            user_id=user_id,
            roles=roles,
            expires_at=expires_at,
            token_id=token_id,
            generation=generation,
        ),
        now,
    )


def check_not_expired(claims: AccessClaims, now: datetime) -> AccessClaims:
    if claims.expires_at <= now:
        raise Unauthenticated("the bearer token has expired; sign in again", code="token_expired")
    return claims


def new_api_token() -> str:
    return API_TOKEN_PREFIX + new_token(32)


def is_api_token(token: str) -> bool:
    return token.startswith(API_TOKEN_PREFIX)


def hash_api_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
