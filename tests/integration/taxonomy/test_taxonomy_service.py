"""TaxonomyService on SQLite and PostgreSQL: reads, versioned changes, all-or-nothing import,
export → import round trip, and the shipped default list."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from default_city import seed_default_departments

from cityops.app import Platform
from cityops.kernel.actor import SYSTEM, Actor, Role
from cityops.kernel.clock import FixedClock
from cityops.kernel.errors import NotFound, PermissionDenied, ValidationFailed
from cityops.org.public import DepartmentKind, DepartmentUpdate, NewDepartment
from cityops.taxonomy.model import Category, CategoryKind, ResponsibleKind, category_from_row
from cityops.taxonomy.transfer import (
    FileFormat,
    default_departments,
    load_default_taxonomy,
    parse_rows,
    render,
)

ADMIN = Actor(user_id=1, username="admin1", roles=frozenset({Role.admin}))
OPERATOR = Actor(user_id=2, username="op1", roles=frozenset({Role.operator}))
LIMITS = {"register": "1wh", "dispatch": "1wh", "handle": "3wd", "verify": "1wd", "close": "1wd"}


def row(code: str, name: str = "名称", **extra: Any) -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "filing_condition": "立案条件",
        "responsible_kind": "street_office",
        **LIMITS,
        **extra,
    }


def count(platform: Platform) -> int:
    with platform.read() as session:
        return len(platform.taxonomy.list_categories(session, include_inactive=True))


@pytest.fixture
def with_default(platform: Platform) -> Platform:
    seed_default_departments(platform)
    with platform.uow() as uow:
        load_default_taxonomy(uow, platform.taxonomy, SYSTEM)
    return platform


def test_default_list_loads_and_reads(with_default: Platform) -> None:
    taxonomy = with_default.taxonomy
    with with_default.read() as session:
        leaves = taxonomy.list_categories(session, leaf_only=True)
        assert len(leaves) >= 150
        events = taxonomy.list_categories(session, kind=CategoryKind.event)
        assert events
        assert all(c.kind is CategoryKind.event for c in events)
        covers = {c.code for c in taxonomy.list_categories(session, q="井盖")}
        assert {"C0101", "C010101", "C010111"} <= covers
        assert [c.code for c in taxonomy.list_categories(session, q="c0101", leaf_only=True)][
            :2
        ] == ["C010101", "C010102"]
        assert taxonomy.get_category(session, "E0501").name == "路面塌陷"
        assert taxonomy.department_codes_used(session) == {d.code for d in default_departments()}


def test_unknown_category_is_not_found(platform: Platform) -> None:
    with platform.read() as session, pytest.raises(NotFound) as err:
        platform.taxonomy.get_category(session, "C999999")
    assert err.value.code == "unknown_category"
    assert "C999999" in err.value.message


def test_changes_are_versioned(platform: Platform, clock: FixedClock) -> None:
    seed_default_departments(platform)
    taxonomy = platform.taxonomy
    with platform.uow() as uow:
        taxonomy.import_categories(uow, ADMIN, [row("E01", "市容环境"), row("E0101", "暴露垃圾")])
    clock.advance(timedelta(hours=1))
    with platform.read() as session:
        before = taxonomy.get_category(session, "E0101")
    changed = replace(before, responsible_kind=ResponsibleKind.department, department_code="CGJ")
    with platform.uow() as uow:
        taxonomy.upsert_category(uow, ADMIN, changed)
        taxonomy.upsert_category(uow, ADMIN, changed)  # unchanged: no new revision
    with platform.uow() as uow:
        taxonomy.deactivate_category(uow, ADMIN, "E0101")
    with platform.read() as session:
        revisions = taxonomy.revisions(session, "E0101")
        assert [(r.revision, r.change, r.changed_by) for r in revisions] == [
            (1, "created", "admin1"),
            (2, "updated", "admin1"),
            (3, "deactivated", "admin1"),
        ]
        assert revisions[0].before is None
        assert revisions[1].before is not None
        assert revisions[1].before["responsible_kind"] == "street_office"
        assert revisions[1].after["department_code"] == "CGJ"
        assert revisions[1].changed_at == clock.now()
        assert taxonomy.list_categories(session, q="暴露垃圾") == []
        assert not taxonomy.get_category(session, "E0101").active


def test_a_parent_with_active_children_cannot_be_deactivated(platform: Platform) -> None:
    with platform.uow() as uow:
        platform.taxonomy.import_categories(uow, ADMIN, [row("E01"), row("E0101")])
    with pytest.raises(ValidationFailed, match="active children: E0101"), platform.uow() as uow:
        platform.taxonomy.deactivate_category(uow, ADMIN, "E01")


@pytest.mark.parametrize(
    "call",
    [
        lambda p, uow: p.taxonomy.import_categories(uow, OPERATOR, [row("E01")]),
        lambda p, uow: p.taxonomy.upsert_category(uow, OPERATOR, category_from_row(row("E01"))),
        lambda p, uow: p.taxonomy.deactivate_category(uow, OPERATOR, "E01"),
    ],
)
def test_only_admins_change_the_list(platform: Platform, call: Any) -> None:
    with pytest.raises(PermissionDenied), platform.uow() as uow:
        call(platform, uow)
    assert count(platform) == 0


def test_upsert_refuses_an_invalid_category(platform: Platform) -> None:
    orphan = category_from_row(row("E0101", department_code="CGJ", responsible_kind="department"))
    with pytest.raises(ValidationFailed) as err, platform.uow() as uow:
        platform.taxonomy.upsert_category(uow, ADMIN, orphan)
    assert err.value.code == "invalid_category"
    assert "parent category E01 does not exist" in err.value.message


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        (row("E0102", urgency="soon"), "row 3 (E0102): unknown urgency 'soon'"),
        (row("E0102", handle="-2wd"), "row 3 (E0102): handle: cannot read time limit '-2wd'"),
        (row("E0301"), "row 3 (E0301): parent category E03 does not exist"),
        (row("E0101"), "row 3 (E0101): the code appears more than once"),
        (row("E0102", responsible_kind="department"), "row 3 (E0102): department_code is required"),
    ],
)
def test_import_is_all_or_nothing(platform: Platform, bad: dict[str, Any], problem: str) -> None:
    with platform.uow() as uow:
        platform.taxonomy.import_categories(uow, ADMIN, [row("E01", "old name")])
    rows = [row("E01", "new name"), row("E0101"), bad, row("E0103")]
    with pytest.raises(ValidationFailed) as err, platform.uow() as uow:
        platform.taxonomy.import_categories(uow, ADMIN, rows)
    assert err.value.code == "invalid_import"
    assert "nothing was written" in err.value.message
    assert problem in err.value.message
    assert err.value.details["problems"][0]["row"] == 3
    with platform.read() as session:
        assert [c.name for c in platform.taxonomy.list_categories(session)] == ["old name"]
        assert len(platform.taxonomy.revisions(session, "E01")) == 1


def test_import_orders_parents_first_and_counts(platform: Platform) -> None:
    with platform.uow() as uow:
        first = platform.taxonomy.import_categories(
            uow, ADMIN, [row("A010101"), row("A0101"), row("A01")]
        )
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    with platform.uow() as uow:
        again = platform.taxonomy.import_categories(uow, ADMIN, [row("A01"), row("A0101", "改名")])
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)


@pytest.mark.parametrize("fmt", list(FileFormat))
def test_export_import_round_trip(with_default: Platform, fmt: FileFormat) -> None:
    taxonomy = with_default.taxonomy
    with with_default.uow() as uow:
        taxonomy.deactivate_category(uow, ADMIN, "C010403")
    with with_default.read() as session:
        stored: list[Category] = taxonomy.export_categories(session)
    text = render(stored, fmt)
    rows = parse_rows(text.encode("utf-8"), fmt)
    assert [category_from_row(r) for r in rows] == stored  # lossless, inactive ones included
    with with_default.uow() as uow:
        result = taxonomy.import_categories(uow, ADMIN, rows)
    assert (result.created, result.updated, result.unchanged) == (0, 0, len(stored))


def _department(platform: Platform, code: str, *, active: bool = True) -> None:
    with platform.uow() as uow:
        made = platform.org.create_department(
            uow, SYSTEM, NewDepartment(code, f"{code} 局", DepartmentKind.city_department)
        )
        if not active:
            platform.org.update_department(uow, SYSTEM, made.id, DepartmentUpdate(active=False))


@pytest.mark.parametrize(
    ("department", "problem"),
    [
        ("NOPE", "department_code NOPE names no department"),
        ("OLD", "department_code OLD names an inactive department"),
    ],
)
def test_the_list_names_only_departments_in_service(
    platform: Platform, department: str, problem: str
) -> None:
    _department(platform, "CGJ")
    _department(platform, "OLD", active=False)
    rows = [
        row("E01", "市容环境"),
        row("E0101", "路灯", responsible_kind="department", department_code="CGJ"),
        row("E0102", "井盖", responsible_kind="department", department_code=department),
    ]
    with pytest.raises(ValidationFailed) as err, platform.uow() as uow:
        platform.taxonomy.import_categories(uow, ADMIN, rows)
    assert err.value.code == "invalid_import"
    assert f"row 3 (E0102): {problem}" in err.value.message
    assert count(platform) == 0  # all or nothing
    with platform.uow() as uow:
        platform.taxonomy.import_categories(uow, ADMIN, rows[:2])
    with pytest.raises(ValidationFailed) as err, platform.uow() as uow:
        platform.taxonomy.upsert_category(uow, ADMIN, category_from_row(rows[2]))
    assert err.value.code == "invalid_category"
    assert problem in err.value.message
    assert count(platform) == 2
    # a category out of use may keep naming a department that is gone
    retired = category_from_row({**rows[2], "active": "false"})
    with platform.uow() as uow:
        platform.taxonomy.upsert_category(uow, ADMIN, retired)
