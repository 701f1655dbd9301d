"""Bearer tokens end when the reason they were issued ends: a password change, a deactivation
and a sign-out refuse them at once, on every server process (two platforms over one database
stand for two workers), and no token outlives the configured lifetime whatever its `exp` says."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from cityops.app import Platform, build_platform
from cityops.infra.settings import Settings
from cityops.kernel.clock import FixedClock
from cityops.org import credentials, store
from cityops.web.app import create_app

from .conftest import SignIn

NEW_PASSWORD = "a-brand-new-passphrase"
Headers = dict[str, str]


@pytest.fixture
def other_worker(org: Platform, settings: Settings, clock: FixedClock) -> Iterator[TestClient]:
    """A second server process over the same database: a platform and app of its own."""
    second = build_platform(settings, clock=clock, migrate=False)
    with TestClient(create_app(second)) as client:
        yield client
    second.close()


def me(client: TestClient, headers: Headers) -> tuple[int, str | None]:
    res = client.get("/api/v1/users/me", headers=headers)
    return res.status_code, (res.json().get("error") or {}).get("code")


def user_id(api: TestClient, headers: Headers) -> int:
    return int(api.get("/api/v1/users/me", headers=headers).json()["id"])


def test_a_password_change_refuses_the_old_token_at_once_everywhere(
    api: TestClient, other_worker: TestClient, sign_in: SignIn, admin_headers: Headers
) -> None:
    old = sign_in("op1")
    assert me(other_worker, old) == (200, None)  # known (and cached) by the other worker too
    res = api.patch(
        f"/api/v1/users/{user_id(api, old)}", json={"password": NEW_PASSWORD}, headers=admin_headers
    )
    assert res.status_code == 200
    assert me(api, old) == (401, "token_revoked")
    assert me(other_worker, old) == (401, "token_revoked")
    new = sign_in("op1", NEW_PASSWORD)
    assert me(api, new) == (200, None)
    assert me(other_worker, new) == (200, None)


@pytest.mark.parametrize("via", ["patch", "other_worker_patch"])
def test_deactivation_refuses_tokens_at_once_on_every_worker(
    api: TestClient,
    other_worker: TestClient,
    sign_in: SignIn,
    admin_headers: Headers,
    via: str,
) -> None:
    headers = sign_in("op1")
    op1 = user_id(api, headers)
    for client in (api, other_worker):  # both workers have the user cached
        assert me(client, headers) == (200, None)
    writer = api if via == "patch" else other_worker
    res = writer.patch(f"/api/v1/users/{op1}", json={"active": False}, headers=admin_headers)
    assert res.status_code == 200
    # no 5-second window on either worker
    assert me(api, headers) == (401, "account_inactive")
    assert me(other_worker, headers) == (401, "account_inactive")
    # reactivated, the old token stays refused: the user signs in again
    res = writer.patch(f"/api/v1/users/{op1}", json={"active": True}, headers=admin_headers)
    assert res.status_code == 200
    assert me(other_worker, headers) == (401, "token_revoked")
    assert me(other_worker, sign_in("op1")) == (200, None)


def test_deactivation_refuses_the_users_api_tokens_on_every_worker(
    api: TestClient, other_worker: TestClient, sign_in: SignIn, admin_headers: Headers
) -> None:
    res = api.post(
        "/api/v1/auth/api-tokens", json={"name": "bridge", "username": "op1"}, headers=admin_headers
    )
    bridge = {"Authorization": f"Bearer {res.json()['token']}"}
    assert me(other_worker, bridge) == (200, None)
    op1 = res.json()["user_id"]
    api.patch(f"/api/v1/users/{op1}", json={"active": False}, headers=admin_headers)
    assert me(other_worker, bridge) == (401, "account_inactive")


def test_logout_refuses_that_token_on_every_worker_and_no_other(
    api: TestClient, other_worker: TestClient, sign_in: SignIn
) -> None:
    phone, laptop = sign_in("op1"), sign_in("op1")
    assert me(other_worker, phone) == (200, None)
    res = api.post("/api/v1/auth/logout", headers=phone)
    assert res.status_code == 204
    assert me(api, phone) == (401, "token_revoked")
    assert me(other_worker, phone) == (401, "token_revoked")
    assert other_worker.post("/api/v1/auth/logout", headers=phone).status_code == 401
    assert me(other_worker, laptop) == (200, None)


def test_logout_everywhere_refuses_every_token_of_the_account(
    api: TestClient, other_worker: TestClient, sign_in: SignIn
) -> None:
    phone, laptop, colleague = sign_in("op1"), sign_in("op1"), sign_in("hd1")
    res = other_worker.post("/api/v1/auth/logout?everywhere=true", headers=phone)
    assert res.status_code == 204
    for client in (api, other_worker):
        assert me(client, phone) == (401, "token_revoked")
        assert me(client, laptop) == (401, "token_revoked")
        assert me(client, colleague) == (200, None)
    assert me(api, sign_in("op1")) == (200, None)


def test_logout_needs_a_token(api: TestClient) -> None:
    assert api.post("/api/v1/auth/logout").status_code == 401


def test_signed_out_tokens_are_forgotten_once_they_would_have_expired(
    api: TestClient, org: Platform, clock: FixedClock, sign_in: SignIn
) -> None:
    first = sign_in("op1")
    assert api.post("/api/v1/auth/logout", headers=first).status_code == 204
    clock.advance(timedelta(minutes=org.settings.token_ttl_minutes, seconds=1))
    assert api.post("/api/v1/auth/logout", headers=sign_in("op1")).status_code == 204
    with org.read() as session:
        left = session.execute(select(func.count()).select_from(store.revoked_tokens)).scalar()
    assert left == 1


def forged(settings: Settings, claims: dict[str, object]) -> Headers:
    key = credentials.signing_key(settings.secret_key)
    return {"Authorization": f"Bearer {jwt.encode(claims, key, algorithm='HS256')}"}


def test_no_token_outlives_the_lifetime_whatever_its_exp_says(
    api: TestClient, org: Platform, clock: FixedClock, sign_in: SignIn
) -> None:
    op1 = user_id(api, sign_in("op1"))
    now = int(clock.now().timestamp())
    ttl = org.settings.token_ttl_minutes * 60
    year_2100 = 4102444800
    old = {"sub": str(op1), "iat": now - ttl, "exp": year_2100, "jti": "j1", "gen": 0}
    assert me(api, forged(org.settings, old)) == (401, "token_expired")
    fresh = forged(org.settings, {**old, "iat": now, "jti": "j2"})
    assert me(api, fresh) == (200, None)
    clock.advance(timedelta(seconds=ttl))
    assert me(api, fresh) == (401, "token_expired")
    no_issue_time = {"sub": str(op1), "exp": year_2100}
    assert me(api, forged(org.settings, no_issue_time)) == (401, "invalid_token")
