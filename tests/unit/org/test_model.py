"""Pure org rules: the longest-prefix office, input checks for users and departments."""

from __future__ import annotations

import pytest

from cityops.kernel.actor import Role
from cityops.kernel.errors import ValidationFailed
from cityops.org.model import (
    DepartmentKind,
    DepartmentRef,
    NewDepartment,
    area_prefixes,
    check_department,
    check_password,
    check_user_scope,
    check_username,
    longest_prefix_office,
    parse_roles,
)


def office(id: int, area: str | None, *, active: bool = True) -> DepartmentRef:
    return DepartmentRef(
        id=id,
        code=f"D{id}",
        name=f"office {id}",
        kind=DepartmentKind.street_office,
        area_code=area,
        active=active,
    )


OFFICES = [
    office(1, "330103"),
    office(2, "330103001"),
    office(3, "330103002"),
    office(4, "330103001002", active=False),
    office(5, None),
]


@pytest.mark.parametrize(
    ("area", "expected"),
    [
        ("330103001002003", 2),  # grid inside street 001: the street beats the district
        ("330103001", 2),  # the street itself
        ("330103002005", 3),
        ("330103009001", 1),  # a street without its own office falls back to the district
        ("330103", 1),
        ("330104001", None),  # another district
        ("33010", None),
    ],
)
def test_office_for_area_takes_the_longest_prefix(area: str, expected: int | None) -> None:
    found = longest_prefix_office(OFFICES, area)
    assert (found.id if found else None) == expected


def test_office_for_area_ignores_inactive_offices() -> None:
    found = longest_prefix_office(OFFICES, "330103001002003")
    assert found is not None
    assert found.id == 2  # office 4 is narrower but inactive


def test_area_prefixes_cover_every_enclosing_level() -> None:
    prefixes = area_prefixes("330103001002")
    assert {"330103", "330103001", "330103001002"} <= set(prefixes)
    assert "33010" not in prefixes


def test_unknown_role_lists_the_valid_ones() -> None:
    with pytest.raises(ValidationFailed) as err:
        parse_roles(["dispatcher", "janitor"])
    assert err.value.code == "unknown_role"
    assert "'janitor'" in err.value.message
    assert all(r.value in err.value.message for r in Role)


def test_roles_are_deduplicated_and_ordered() -> None:
    assert parse_roles(["admin", "operator", "admin"]) == (Role.operator, Role.admin)
    with pytest.raises(ValidationFailed):
        parse_roles([])


@pytest.mark.parametrize("password", ["", "short", "1234567"])
def test_short_passwords_are_refused(password: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        check_password(password)
    assert err.value.code == "password_too_short"


@pytest.mark.parametrize(("raw", "clean"), [("Zhang.San", "zhang.san"), (" op_1 ", "op_1")])
def test_usernames_are_normalised(raw: str, clean: str) -> None:
    assert check_username(raw) == clean


@pytest.mark.parametrize("raw", ["x", "张三", "a b", "-lead", "a" * 65])
def test_bad_usernames_are_refused(raw: str) -> None:
    with pytest.raises(ValidationFailed):
        check_username(raw)


@pytest.mark.parametrize(
    ("roles", "department", "areas", "code"),
    [
        ((Role.handler,), None, (), "handler_department"),
        ((Role.inspector,), "CGJ", (), "inspector_area"),
    ],
)
def test_handlers_need_a_department_and_inspectors_an_area(
    roles: tuple[Role, ...], department: str | None, areas: tuple[str, ...], code: str
) -> None:
    with pytest.raises(ValidationFailed) as err:
        check_user_scope(roles, department, areas)
    assert err.value.code == code


@pytest.mark.parametrize("kind", [DepartmentKind.street_office, DepartmentKind.district_government])
def test_offices_must_name_their_area(kind: DepartmentKind) -> None:
    with pytest.raises(ValidationFailed) as err:
        check_department(NewDepartment(code="JD1", name="街道", kind=kind))
    assert err.value.code == "missing_area"


def test_a_city_department_needs_no_area() -> None:
    dept = check_department(
        NewDepartment(code=" CGJ ", name=" 城管局 ", kind=DepartmentKind.city_department)
    )
    assert (dept.code, dept.name, dept.area_code) == ("CGJ", "城管局", None)
