"""Sign-in, bearer tokens (expiry by the injected clock) and integration API tokens over HTTP."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from cityops.app import Platform
from cityops.kernel.clock import FixedClock
from cityops.org import store

from .conftest import PASSWORD, SignIn


def test_login_returns_a_bearer_token_and_the_user(api: TestClient, org: Platform) -> None:
    res = api.post("/api/v1/auth/token", data={"username": "hd1", "password": PASSWORD})
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == org.settings.token_ttl_minutes * 60
    assert body["user"]["username"] == "hd1"
    assert body["user"]["roles"] == ["handler"]
    assert body["user"]["department_code"] == "CGJ"
    assert "password_hash" not in body["user"]


@pytest.mark.parametrize(
    ("username", "password"),
    [("admin", "wrong-password"), ("ghost", PASSWORD), ("op1", PASSWORD + " "), ("ADMIN", "x" * 8)],
)
def test_bad_credentials_get_one_clear_401(api: TestClient, username: str, password: str) -> None:
    res = api.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert res.status_code == 401
    assert res.headers["www-authenticate"] == "Bearer"
    assert res.json()["error"] == {
        "code": "invalid_credentials",
        "message": "wrong username or password",
    }


def test_username_is_case_insensitive(api: TestClient) -> None:
    res = api.post("/api/v1/auth/token", data={"username": "Admin", "password": PASSWORD})
    assert res.status_code == 200


def test_token_reaches_users_me(api: TestClient, sign_in: SignIn) -> None:
    me = api.get("/api/v1/users/me", headers=sign_in("wl1"))
    assert me.status_code == 200
    assert me.json()["username"] == "wl1"
    assert me.json()["department_code"] == "JD-WL"


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Bearer cok_unknown"}],
    ids=["none", "garbage", "unknown-api-token"],
)
def test_requests_without_a_valid_token_get_401(api: TestClient, headers: dict[str, str]) -> None:
    res = api.get("/api/v1/users/me", headers=headers)
    assert res.status_code == 401
    assert res.json()["error"]["code"] in {"unauthenticated", "invalid_token"}


def test_token_expires_by_the_platform_clock(
    api: TestClient, org: Platform, clock: FixedClock, sign_in: SignIn
) -> None:
    headers = sign_in("op1")
    ttl = timedelta(minutes=org.settings.token_ttl_minutes)
    clock.advance(ttl - timedelta(seconds=1))
    assert api.get("/api/v1/users/me", headers=headers).status_code == 200
    clock.advance(timedelta(seconds=1))
    res = api.get("/api/v1/users/me", headers=headers)
    assert res.status_code == 401
    assert res.json()["error"]["code"] == "token_expired"


def test_deactivated_user_loses_tokens_and_login(
    api: TestClient, sign_in: SignIn, admin_headers: dict[str, str]
) -> None:
    headers = sign_in("op1")
    op1 = api.get("/api/v1/users/me", headers=headers).json()
    res = api.patch(f"/api/v1/users/{op1['id']}", json={"active": False}, headers=admin_headers)
    assert res.status_code == 200
    assert res.json()["active"] is False
    assert api.get("/api/v1/users/me", headers=headers).status_code == 401
    res = api.post("/api/v1/auth/token", data={"username": "op1", "password": PASSWORD})
    assert res.status_code == 401
    assert res.json()["error"]["code"] == "account_inactive"


def test_api_token_acts_as_its_user_until_revoked(
    api: TestClient, org: Platform, clock: FixedClock, admin_headers: dict[str, str]
) -> None:
    res = api.post(
        "/api/v1/auth/api-tokens",
        json={"name": "12345 hotline bridge", "username": "op1"},
        headers=admin_headers,
    )
    assert res.status_code == 201, res.text
    issued = res.json()
    secret = issued["token"]
    assert secret.startswith("cok_")
    assert (issued["username"], issued["active"]) == ("op1", True)
    with org.read() as s:  # only the hash is stored
        hashes = s.execute(select(store.api_tokens.c.token_hash)).scalars().all()
    assert hashes == [hashlib.sha256(secret.encode()).hexdigest()]

    me = api.get("/api/v1/users/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200
    assert me.json()["username"] == "op1"
    [listed] = api.get("/api/v1/auth/api-tokens", headers=admin_headers).json()
    assert "token" not in listed
    assert listed["last_used_at"] is not None

    clock.advance(timedelta(minutes=5))
    res = api.delete(f"/api/v1/auth/api-tokens/{issued['id']}", headers=admin_headers)
    assert res.status_code == 200
    assert res.json()["active"] is False
    res = api.get("/api/v1/users/me", headers={"Authorization": f"Bearer {secret}"})
    assert res.status_code == 401
    assert res.json()["error"]["code"] == "token_revoked"


@pytest.mark.parametrize("username", ["op1", "hd1", "wl1", "insp1"])
def test_only_admins_manage_api_tokens(api: TestClient, sign_in: SignIn, username: str) -> None:
    headers = sign_in(username)
    res = api.post("/api/v1/auth/api-tokens", json={"name": "mine"}, headers=headers)
    assert res.status_code == 403
    assert api.get("/api/v1/auth/api-tokens", headers=headers).status_code == 403
    assert api.delete("/api/v1/auth/api-tokens/1", headers=headers).status_code == 403
