"""Departments: the longest-prefix office rule on the database, the API, and the Actor's scope."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from cityops.app import Platform
from cityops.kernel.actor import SYSTEM
from cityops.kernel.errors import NotFound
from cityops.org.public import DepartmentKind, DepartmentUpdate

from .conftest import SignIn


@pytest.mark.parametrize(
    ("area", "kind", "expected"),
    [
        ("330103001002003", DepartmentKind.street_office, "JD-WL"),
        ("330103001", DepartmentKind.street_office, "JD-WL"),
        ("330103002001", DepartmentKind.street_office, "JD-TS"),
        ("330103003001", DepartmentKind.street_office, None),  # a street without an office
        ("330103003001", DepartmentKind.district_government, "QZF-XC"),
        ("330103001002003", DepartmentKind.district_government, "QZF-XC"),
        ("330104001", DepartmentKind.district_government, None),
    ],
)
def test_office_for_area_is_the_longest_prefix(
    org: Platform, area: str, kind: DepartmentKind, expected: str | None
) -> None:
    with org.read() as s:
        found = org.org.office_for_area(s, area, kind)
    assert (found.code if found else None) == expected


def test_a_narrower_office_wins_and_an_inactive_one_steps_aside(org: Platform) -> None:
    from cityops.org.public import NewDepartment

    with org.uow() as uow:
        community = org.org.create_department(
            uow,
            SYSTEM,
            NewDepartment("SQ-1", "社区工作站", DepartmentKind.street_office, "330103001002"),
        )
    with org.read() as s:
        assert org.org.office_for_area(s, "330103001002003", DepartmentKind.street_office) == (
            community
        )
    with org.uow() as uow:
        org.org.update_department(uow, SYSTEM, community.id, DepartmentUpdate(active=False))
    with org.read() as s:
        found = org.org.office_for_area(s, "330103001002003", DepartmentKind.street_office)
    assert found is not None
    assert found.code == "JD-WL"


def test_departments_by_code_and_id(org: Platform) -> None:
    with org.read() as s:
        dept = org.org.department_by_code(s, "CGJ")
        assert org.org.department_by_id(s, dept.id) == dept
        assert dept.kind is DepartmentKind.city_department
        with pytest.raises(NotFound):
            org.org.department_by_code(s, "NOPE")


@pytest.mark.parametrize(
    ("username", "department", "areas"),
    [
        ("wl1", "JD-WL", ("330103001",)),  # a street office's leader: the office's street
        ("insp1", None, ("330103001002",)),
        ("hd1", "CGJ", ()),
        ("admin", None, ()),
    ],
)
def test_actor_carries_department_and_area_scope(
    org: Platform, username: str, department: str | None, areas: tuple[str, ...]
) -> None:
    with org.read() as s:
        actor = org.org.actor_for_user(s, username)
    assert actor.username == username
    assert actor.department_code == department
    assert actor.area_codes == areas
    assert (actor.department_id is None) == (department is None)


@pytest.mark.parametrize("username", ["op1", "hd1", "insp1", "admin"])
def test_any_signed_in_user_lists_departments(
    api: TestClient, sign_in: SignIn, username: str
) -> None:
    res = api.get("/api/v1/departments", headers=sign_in(username))
    assert res.status_code == 200
    assert [d["code"] for d in res.json()] == sorted(["QZF-XC", "JD-WL", "JD-TS", "CGJ", "SW"])
    streets = api.get("/api/v1/departments?kind=street_office", headers=sign_in(username))
    assert {d["code"] for d in streets.json()} == {"JD-WL", "JD-TS"}


def test_departments_need_sign_in(api: TestClient) -> None:
    assert api.get("/api/v1/departments").status_code == 401


NEW_DEPT = {
    "code": "JD-CH",
    "name": "朝晖街道办事处",
    "kind": "street_office",
    "area_code": "330103003",
}


def test_admin_creates_a_department(api: TestClient, admin_headers: dict[str, str]) -> None:
    res = api.post("/api/v1/departments", json=NEW_DEPT, headers=admin_headers)
    assert res.status_code == 201, res.text
    assert res.json()["area_code"] == "330103003"
    res = api.patch(
        f"/api/v1/departments/{res.json()['id']}", json={"phone": "0571-1"}, headers=admin_headers
    )
    assert res.json()["phone"] == "0571-1"


def test_a_department_moves_only_to_an_area_that_exists(
    api: TestClient, admin_headers: dict[str, str]
) -> None:
    made = api.post("/api/v1/departments", json=NEW_DEPT, headers=admin_headers).json()
    res = api.patch(
        f"/api/v1/departments/{made['id']}", json={"area_code": "330199"}, headers=admin_headers
    )
    assert res.status_code == 422
    assert res.json()["error"]["code"] == "unknown_area"
    assert "330199" in res.json()["error"]["message"]


@pytest.mark.parametrize("username", ["op1", "wl1"])
def test_non_admins_cannot_create_departments(
    api: TestClient, sign_in: SignIn, username: str
) -> None:
    res = api.post("/api/v1/departments", json=NEW_DEPT, headers=sign_in(username))
    assert res.status_code == 403


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"code": "CGJ"}, 409, "department_exists"),
        ({"area_code": None}, 422, "missing_area"),
        ({"kind": "church"}, 422, "invalid_request"),
        ({"parent_code": "NOPE"}, 422, "unknown_department"),
        ({"area_code": "999999999"}, 422, "unknown_area"),
        ({"area": "330103003"}, 422, "invalid_request"),  # a misspelled field
    ],
)
def test_bad_department_input_is_named(
    api: TestClient, admin_headers: dict[str, str], change: dict[str, Any], status: int, code: str
) -> None:
    res = api.post("/api/v1/departments", json={**NEW_DEPT, **change}, headers=admin_headers)
    assert res.status_code == status, res.text
    assert res.json()["error"]["code"] == code
