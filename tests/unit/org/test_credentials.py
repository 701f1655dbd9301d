"""Credentials: password hashes, signed bearer tokens checked against the injected time, API
tokens stored only as their hash."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from cityops.kernel.errors import Unauthenticated
from cityops.org.credentials import (
    Passwords,
    hash_api_token,
    is_api_token,
    issue_access_token,
    new_api_token,
    password_hasher,
    read_access_token,
    signing_key,
)

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
SECRET = "unit-test-secret-with-enough-length-0123456789"
TTL = timedelta(hours=12)  # the configured lifetime


def token(*, now: datetime = NOW, ttl: timedelta = timedelta(hours=1), secret: str = SECRET) -> str:
    value, _ = issue_access_token(user_id=7, roles=("dispatcher",), secret=secret, now=now, ttl=ttl)
    return value


def test_a_token_carries_the_user_and_roles_until_it_expires() -> None:
    claims = read_access_token(token(), secret=SECRET, max_ttl=TTL, now=NOW + timedelta(minutes=59))
    assert claims.user_id == 7
    assert claims.roles == ("dispatcher",)
    assert claims.expires_at == NOW + timedelta(hours=1)


@pytest.mark.parametrize("later", [timedelta(hours=1), timedelta(days=3)])
def test_expiry_is_judged_by_the_given_time(later: timedelta) -> None:
    with pytest.raises(Unauthenticated) as err:
        read_access_token(token(), secret=SECRET, max_ttl=TTL, now=NOW + later)
    assert err.value.code == "token_expired"


def test_a_token_from_the_future_clock_is_accepted_at_its_own_time() -> None:
    future = datetime(2099, 1, 1, tzinfo=UTC)
    assert read_access_token(token(now=future), secret=SECRET, max_ttl=TTL, now=future).user_id == 7


def signed(**claims: object) -> str:
    return jwt.encode(claims, signing_key(SECRET), algorithm="HS256")


def test_each_token_has_an_id_and_its_generation() -> None:
    value, _ = issue_access_token(
        user_id=7, roles=(), secret=SECRET, now=NOW, ttl=TTL, generation=4
    )
    claims = read_access_token(value, secret=SECRET, max_ttl=TTL, now=NOW)
    assert claims.generation == 4
    assert claims.token_id
    other = read_access_token(token(), secret=SECRET, max_ttl=TTL, now=NOW)
    assert claims.token_id != other.token_id


def test_no_token_lives_longer_than_the_lifetime_whatever_its_exp_says() -> None:
    iat = int(NOW.timestamp())
    forged = signed(sub="7", iat=iat, exp=4102444800, jti="x1", gen=0)  # exp in 2100
    claims = read_access_token(forged, secret=SECRET, max_ttl=TTL, now=NOW)
    assert claims.expires_at == NOW + TTL
    with pytest.raises(Unauthenticated) as err:
        read_access_token(forged, secret=SECRET, max_ttl=TTL, now=NOW + TTL)
    assert err.value.code == "token_expired"


@pytest.mark.parametrize(
    "bad",
    [
        token(secret="another-secret-another-secret-another-secret"),
        token()[:-3] + "abc",
        "not-a-jwt",
        jwt.encode({"sub": "7"}, signing_key(SECRET), algorithm="HS256"),  # no exp
        jwt.encode({"sub": "x", "exp": 4102444800}, signing_key(SECRET), algorithm="HS256"),
        jwt.encode({"sub": "7", "exp": 4102444800}, SECRET, algorithm="HS256"),  # raw secret
        # no issue time, no id, no generation (tokens from before revocation existed)
        jwt.encode({"sub": "7", "exp": 4102444800}, signing_key(SECRET), algorithm="HS256"),
        jwt.encode(
            {"sub": "7", "iat": 1795000000, "exp": 1795003600, "gen": 0},
            signing_key(SECRET),
            algorithm="HS256",
        ),
        jwt.encode(
            {"sub": "7", "iat": 1795000000, "exp": 1795003600, "jti": "a"},
            signing_key(SECRET),
            algorithm="HS256",
        ),
        # issued a day after the reader's now
        jwt.encode(
            {"sub": "7", "iat": 1795900000, "exp": 1795903600, "jti": "a", "gen": 0},
            signing_key(SECRET),
            algorithm="HS256",
        ),
    ],
)
def test_bad_tokens_are_refused(bad: str) -> None:
    with pytest.raises(Unauthenticated) as err:
        read_access_token(bad, secret=SECRET, max_ttl=TTL, now=NOW)
    assert err.value.code == "invalid_token"


def test_api_tokens_have_a_prefix_and_are_stored_as_sha256() -> None:
    a, b = new_api_token(), new_api_token()
    assert a != b
    assert is_api_token(a)
    assert not is_api_token(token())
    assert len(hash_api_token(a)) == 64
    assert hash_api_token(a) == hash_api_token(a) != hash_api_token(b)


def test_passwords_verify_only_the_right_password() -> None:
    passwords = Passwords(password_hasher(fast=True))
    stored = passwords.hash("correct horse")
    assert stored.startswith("$argon2id$")
    assert "correct horse" not in stored
    assert passwords.verify(stored, "correct horse")
    assert not passwords.verify(stored, "wrong horse")
    assert not passwords.verify(None, "correct horse")
    assert not passwords.verify("garbage", "correct horse")
