"""Users over HTTP: administrators create and change accounts; nobody else may."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from cityops.app import Platform
from cityops.kernel.actor import SYSTEM, Role
from cityops.org.public import UserCreated, UserUpdated

from .conftest import PASSWORD, SignIn

NEW_USER = {
    "username": "dp1",
    "password": "dispatch-2026",
    "roles": ["dispatcher", "shift_leader"],
    "display_name": "派遣员一",
    "phone": "13900001111",
}


def test_admin_creates_a_user_who_can_sign_in(
    api: TestClient, org: Platform, admin_headers: dict[str, str]
) -> None:
    seen: list[str] = []
    org.bus.subscribe(UserCreated, lambda e: seen.append(e.username), name="test.user_created")
    res = api.post("/api/v1/users", json=NEW_USER, headers=admin_headers)
    assert res.status_code == 201, res.text
    created = res.json()
    assert created["roles"] == ["dispatcher", "shift_leader"]
    assert created["active"] is True
    assert "password" not in created
    assert "password_hash" not in created

    res = api.post("/api/v1/auth/token", data={"username": "dp1", "password": "dispatch-2026"})
    assert res.status_code == 200
    assert res.json()["user"]["id"] == created["id"]
    org.relay.drain()
    assert seen == ["dp1"]
    listed = api.get("/api/v1/users", headers=admin_headers).json()
    assert "dp1" in [u["username"] for u in listed]


@pytest.mark.parametrize("username", ["op1", "hd1", "wl1", "insp1"])
def test_non_admins_cannot_create_or_list_users(
    api: TestClient, sign_in: SignIn, username: str
) -> None:
    headers = sign_in(username)
    res = api.post("/api/v1/users", json=NEW_USER, headers=headers)
    assert res.status_code == 403
    assert res.json()["error"]["code"] == "admin_only"
    assert api.get("/api/v1/users", headers=headers).status_code == 403
    assert (
        api.patch("/api/v1/users/1", json={"roles": ["admin"]}, headers=headers).status_code == 403
    )


def test_creating_users_needs_a_signed_in_admin(api: TestClient) -> None:
    assert api.post("/api/v1/users", json=NEW_USER).status_code == 401


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"password": "short"}, 422, "password_too_short"),
        ({"roles": ["janitor"]}, 422, "unknown_role"),
        ({"roles": []}, 422, "invalid_request"),
        ({"username": "admin"}, 409, "user_exists"),
        ({"username": "bad name"}, 422, "invalid_username"),
        ({"department_code": "NOPE"}, 422, "unknown_department"),
        ({"roles": ["handler"]}, 422, "handler_department"),
        ({"roles": ["inspector"], "area_codes": ["SQ-3-2"]}, 422, "invalid_area_code"),
        ({"roles": ["inspector"], "area_codes": ["999999"]}, 422, "unknown_area"),
        ({"roles": ["dispatcher"], "area_codes": ["330103009"]}, 422, "unknown_area"),
        ({"area_code": ["330103001"]}, 422, "invalid_request"),  # a misspelled field
    ],
)
def test_bad_user_input_is_named(
    api: TestClient,
    org: Platform,
    admin_headers: dict[str, str],
    change: dict[str, Any],
    status: int,
    code: str,
) -> None:
    res = api.post("/api/v1/users", json={**NEW_USER, **change}, headers=admin_headers)
    assert res.status_code == status, res.text
    assert res.json()["error"]["code"] == code
    with org.read() as s:
        assert "dp1" not in [u.username for u in org.org.list_users(s, SYSTEM)]


def test_unknown_role_message_lists_valid_roles(
    api: TestClient, admin_headers: dict[str, str]
) -> None:
    res = api.post("/api/v1/users", json={**NEW_USER, "roles": ["janitor"]}, headers=admin_headers)
    message = res.json()["error"]["message"]
    assert "janitor" in message
    assert all(role.value in message for role in Role)


def test_admin_changes_roles_department_and_password(
    api: TestClient, org: Platform, admin_headers: dict[str, str]
) -> None:
    seen: list[tuple[str, ...]] = []
    org.bus.subscribe(UserUpdated, lambda e: seen.append(e.changed), name="test.user_updated")
    op1 = api.get("/api/v1/users", headers=admin_headers).json()
    op1_id = next(u["id"] for u in op1 if u["username"] == "op1")
    change = {"roles": ["handler"], "department_code": "SW", "password": "new-password-1"}
    res = api.patch(f"/api/v1/users/{op1_id}", json=change, headers=admin_headers)
    assert res.status_code == 200, res.text
    assert res.json()["roles"] == ["handler"]
    assert res.json()["department_code"] == "SW"
    assert res.json()["phone"] == "13812341234"  # untouched
    old = api.post("/api/v1/auth/token", data={"username": "op1", "password": PASSWORD})
    assert old.status_code == 401
    new = api.post("/api/v1/auth/token", data={"username": "op1", "password": "new-password-1"})
    assert new.json()["user"]["roles"] == ["handler"]
    # removing the department of a handler is refused, nothing changes
    res = api.patch(
        f"/api/v1/users/{op1_id}", json={"department_code": None}, headers=admin_headers
    )
    assert res.status_code == 422
    org.relay.drain()
    assert seen == [("department_id", "password_hash", "roles")]


def test_areas_of_a_user_must_exist(api: TestClient, admin_headers: dict[str, str]) -> None:
    users = api.get("/api/v1/users", headers=admin_headers).json()
    insp1 = next(u for u in users if u["username"] == "insp1")
    res = api.patch(
        f"/api/v1/users/{insp1['id']}", json={"area_codes": ["330103004"]}, headers=admin_headers
    )
    assert res.status_code == 422
    assert res.json()["error"]["code"] == "unknown_area"
    assert "330103004" in res.json()["error"]["message"]
    again = api.get(f"/api/v1/users/{insp1['id']}", headers=admin_headers).json()
    assert again["area_codes"] == insp1["area_codes"]
    res = api.patch(
        f"/api/v1/users/{insp1['id']}", json={"area_codes": ["330103002"]}, headers=admin_headers
    )
    assert res.json()["area_codes"] == ["330103002"]


@pytest.mark.parametrize("change", [{"active": False}, {"roles": ["leader"]}])
def test_admin_cannot_lock_themselves_out(
    api: TestClient, admin_headers: dict[str, str], change: dict[str, Any]
) -> None:
    me = api.get("/api/v1/users/me", headers=admin_headers).json()
    res = api.patch(f"/api/v1/users/{me['id']}", json=change, headers=admin_headers)
    assert res.status_code == 409
    assert res.json()["error"]["code"] == "self_lockout"


def test_users_see_only_their_own_account(
    api: TestClient, sign_in: SignIn, admin_headers: dict[str, str]
) -> None:
    headers = sign_in("op1")
    me = api.get("/api/v1/users/me", headers=headers).json()
    assert api.get(f"/api/v1/users/{me['id']}", headers=headers).status_code == 200
    others = [u["id"] for u in api.get("/api/v1/users", headers=admin_headers).json()]
    other = next(i for i in others if i != me["id"])
    assert api.get(f"/api/v1/users/{other}", headers=headers).status_code == 403
    assert api.get("/api/v1/users/99999", headers=admin_headers).status_code == 404
