"""A number past what the databases' 64-bit integers hold — an id in a path, a query or a body, a
version, a page — is a 422 naming the field, not a driver's overflow (500); nothing is written."""

from __future__ import annotations

import pytest
from case_city import City, build_city
from fastapi.testclient import TestClient

from cityops.app import Platform
from cityops.kernel.actor import SYSTEM
from cityops.org.public import NewUser

HUGE = 2**64  # one past what SQLite's INTEGER and PostgreSQL's bigint hold


@pytest.fixture
def city(platform: Platform, client: TestClient) -> City:
    city = build_city(platform, client)
    with platform.uow() as uow:
        platform.org.create_user(
            uow, SYSTEM, NewUser(username="admin", password="admin-pass-1", roles=("admin",))
        )
    return city


@pytest.mark.parametrize(
    ("user", "path", "field"),
    [
        ("op", f"/api/v1/cases/{HUGE}", "path.case_id"),
        ("op", f"/api/v1/cases/{HUGE}/history", "path.case_id"),
        ("disp", f"/api/v1/cases/{HUGE}/similar", "path.case_id"),
        ("disp", f"/api/v1/cases/{HUGE}/routing", "path.case_id"),
        ("op", f"/api/v1/cases?page={HUGE}", "query.page"),
        ("op", "/api/v1/cases?page=1000001", "query.page"),
        ("op", f"/api/v1/notifications?case_id={HUGE}", "query.case_id"),
        ("op", f"/api/v1/notifications?page={HUGE}", "query.page"),
        ("admin", f"/api/v1/users/{HUGE}", "path.user_id"),
        ("admin", f"/api/v1/departments/{HUGE}", "path.department_id"),
        ("admin", f"/api/v1/webhooks/{HUGE}/deliveries", "path.webhook_id"),
        ("op", f"/api/v1/cases/{-HUGE}", "path.case_id"),
    ],
)
def test_reads_refuse_a_number_out_of_range(city: City, user: str, path: str, field: str) -> None:
    r = city.client.get(path, headers=city.auth(user))
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "invalid_request"
    assert field in error["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [({"version": HUGE}, "version"), ({"version": 1, "into_case_id": HUGE}, "into_case_id")],
)
def test_an_action_refuses_a_number_out_of_range(
    city: City, body: dict[str, int], field: str
) -> None:
    case_id = city.create()["id"]
    before = city.snapshot()
    r = city.client.post(
        f"/api/v1/cases/{case_id}/actions/merge", json=body, headers=city.auth("disp")
    )
    assert r.status_code == 422, r.text
    assert field in r.json()["error"]["message"]
    assert city.snapshot() == before


def test_a_hotline_call_refuses_a_merge_target_out_of_range(city: City) -> None:
    before = city.snapshot()
    r = city.client.post(
        "/api/v1/hotline/calls",
        json={"appeal_type": "complaint", "text": "路灯不亮", "merge_into": HUGE},
        headers=city.auth("op"),
    )
    assert r.status_code == 422, r.text
    assert "merge_into" in r.json()["error"]["message"]
    assert city.snapshot() == before
