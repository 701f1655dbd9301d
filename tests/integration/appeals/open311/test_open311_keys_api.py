"""Open311 api keys over the admin API: created (the key shown once), listed without the key,
revoked (then refused by the Open311 endpoint); only administrators."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from role_header import acting_by_role_header

from cityops.app import Platform

ADMIN = {"X-Test-Role": "admin"}


@pytest.fixture
def keys_api(platform: Platform) -> Iterator[TestClient]:
    with acting_by_role_header(platform) as client:
        yield client


def test_a_key_is_created_shown_once_listed_and_revoked(
    keys_api: TestClient, platform: Platform
) -> None:
    r = keys_api.post("/api/v1/open311/keys", json={"name": "city-app"}, headers=ADMIN)
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["api_key"].startswith("o311_")
    assert created["active"] is True
    with platform.read() as session:
        assert platform.open311.authenticate(session, created["api_key"]).username.endswith(
            "city-app"
        )

    listed = keys_api.get("/api/v1/open311/keys", headers=ADMIN).json()
    assert [k["name"] for k in listed] == ["city-app"]
    assert "api_key" not in listed[0]

    r = keys_api.post(f"/api/v1/open311/keys/{created['id']}/revoke", headers=ADMIN)
    assert r.status_code == 200, r.text
    assert r.json()["active"] is False
    assert r.json()["revoked_at"] is not None
    post = keys_api.post(
        "/open311/v2/requests.json",
        data={"api_key": created["api_key"], "service_code": "x", "description": "d"},
    )
    assert post.status_code == 403, post.text


def test_a_taken_or_bad_name_is_refused(keys_api: TestClient) -> None:
    assert keys_api.post("/api/v1/open311/keys", json={"name": "app"}, headers=ADMIN).is_success
    taken = keys_api.post("/api/v1/open311/keys", json={"name": "app"}, headers=ADMIN)
    assert (taken.status_code, taken.json()["error"]["code"]) == (409, "key_name_taken")
    bad = keys_api.post("/api/v1/open311/keys", json={"name": "City App"}, headers=ADMIN)
    assert (bad.status_code, bad.json()["error"]["code"]) == (422, "invalid_key_name")


def test_revoking_an_unknown_key_is_a_404(keys_api: TestClient) -> None:
    r = keys_api.post("/api/v1/open311/keys/999/revoke", headers=ADMIN)
    assert (r.status_code, r.json()["error"]["code"]) == (404, "key_not_found")


@pytest.mark.parametrize("role", ["dispatcher", "leader", "handler"])
def test_only_an_admin_manages_keys(keys_api: TestClient, role: str) -> None:
    who = {"X-Test-Role": role}
    assert keys_api.get("/api/v1/open311/keys", headers=who).status_code == 403
    assert keys_api.post("/api/v1/open311/keys", json={"name": "x"}, headers=who).status_code == 403
    assert keys_api.get("/api/v1/open311/keys", headers=ADMIN).json() == []
