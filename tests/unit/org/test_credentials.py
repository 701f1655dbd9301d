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


def token(*, now: datetime = NOW, ttl: timedelta = timedelta(hours=1), secret: str = SECRET) -> str:
    value, _ = issue_access_token(user_id=7, roles=("dispatcher",), secret=secret, now=now, ttl=ttl)
    return value


def test_a_token_carries_the_user_and_roles_until_it_expires() -> None:
    claims = read_access_token(token(), secret=SECRET, now=NOW + timedelta(minutes=59))
    assert claims.user_id == 7
    assert claims.roles == ("dispatcher",)
    assert claims.expires_at == NOW + timedelta(hours=1)


@pytest.mark.parametrize("later", [timedelta(hours=1), timedelta(days=3)])
def test_expiry_is_judged_by_the_given_time(later: timedelta) -> None:
    with pytest.raises(Unauthenticated) as err:
        read_access_token(token(), secret=SECRET, now=NOW + later)
    assert err.value.code == "token_expired"


def test_a_token_from_the_future_clock_is_accepted_at_its_own_time() -> None:
    future = datetime(2099, 1, 1, tzinfo=UTC)
    assert read_access_token(token(now=future), secret=SECRET, now=future).user_id == 7


@pytest.mark.parametrize(
    "bad",
    [
        token(secret="another-secret-another-secret-another-secret"),
        token()[:-3] + "abc",
        "not-a-jwt",
        jwt.encode({"sub": "7"}, signing_key(SECRET), algorithm="HS256"),  # no exp
        jwt.encode({"sub": "x", "exp": 4102444800}, signing_key(SECRET), algorithm="HS256"),
        jwt.encode({"sub": "7", "exp": 4102444800}, SECRET, algorithm="HS256"),  # raw secret
    ],
)
def test_bad_tokens_are_refused(bad: str) -> None:
    with pytest.raises(Unauthenticated) as err:
        read_access_token(bad, secret=SECRET, now=NOW)
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
