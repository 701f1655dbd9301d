"""The shipped default responsibility list (default_taxonomy.yaml) is complete and consistent."""

from __future__ import annotations

from collections import Counter

import pytest

from cityops.taxonomy.model import (
    Category,
    CategoryKind,
    ResponsibleKind,
    Urgency,
    category_from_row,
    category_problems,
)
from cityops.taxonomy.transfer import DEFAULT_TAXONOMY_FILE, default_departments, read_rows
from cityops.worktime.limits import LimitUnit, Stage


@pytest.fixture(scope="module")
def categories() -> dict[str, Category]:
    rows = read_rows(DEFAULT_TAXONOMY_FILE)
    parsed = [category_from_row(row) for row in rows]
    assert len({c.code for c in parsed}) == len(parsed), "codes must be unique"
    return {c.code: c for c in parsed}


@pytest.fixture(scope="module")
def leaves(categories: dict[str, Category]) -> list[Category]:
    parents = {c.parent_code for c in categories.values()}
    return [c for c in categories.values() if c.code not in parents]


def test_at_least_150_leaves_of_every_kind(leaves: list[Category]) -> None:
    assert len(leaves) >= 150
    per_kind = Counter(c.kind for c in leaves)
    assert per_kind[CategoryKind.component] >= 50
    assert per_kind[CategoryKind.event] >= 40
    assert per_kind[CategoryKind.appeal] >= 50


def test_every_category_is_valid(categories: dict[str, Category]) -> None:
    problems = {
        code: category_problems(c, categories.get(c.parent_code or ""))
        for code, c in categories.items()
    }
    assert {code: p for code, p in problems.items() if p} == {}


def test_every_leaf_rule_is_complete(leaves: list[Category]) -> None:
    for leaf in leaves:
        assert leaf.filing_condition, leaf.code
        assert leaf.name, leaf.code
        assert set(leaf.limits) == set(Stage), leaf.code
        if leaf.responsible_kind is ResponsibleKind.department:
            assert leaf.department_code, leaf.code


def test_urgent_leaves_are_handled_in_calendar_hours(leaves: list[Category]) -> None:
    urgent = [c for c in leaves if c.urgency is not Urgency.normal]
    assert len(urgent) >= 15
    slow = [c.code for c in urgent if c.limits[Stage.handle].unit is not LimitUnit.calendar_hours]
    assert slow == []


def test_departments_section_names_every_department_used(categories: dict[str, Category]) -> None:
    departments = default_departments()
    codes = [d.code for d in departments]
    assert len(codes) == len(set(codes))
    used = {c.department_code for c in categories.values() if c.department_code}
    assert used == set(codes)
    assert all(d.name and d.kind in ("city_department", "company") for d in departments)
    assert {"CGJ", "ZJJ", "SWJ", "GDJ", "GAJ", "SJJ", "RSJ", "JYJ", "WJW", "JTJ", "HBJ", "YLJ"} <= (
        set(codes)
    )


@pytest.mark.parametrize(
    ("code", "department", "responsible"),
    [
        ("C010101", "GSGS", ResponsibleKind.department),  # 上水井盖 → 供水集团
        ("C010104", "GDJ", ResponsibleKind.department),  # 电力井盖 → 供电公司
        ("C010601", "CGJ", ResponsibleKind.department),  # 路灯 → 城管局
        ("C030101", None, ResponsibleKind.street_office),  # 垃圾箱 → 属地街道
        ("E0402", None, ResponsibleKind.street_office),  # 占道经营 → 属地街道
        ("E0501", "CGJ", ResponsibleKind.department),  # 路面塌陷 → 城管局
        ("A020101", "RSJ", ResponsibleKind.department),  # 农民工欠薪 → 人社局
        ("A1301", None, ResponsibleKind.district_government),  # 政策咨询 → 属地区政府
    ],
)
def test_routing_examples(
    categories: dict[str, Category],
    code: str,
    department: str | None,
    responsible: ResponsibleKind,
) -> None:
    category = categories[code]
    assert (category.responsible_kind, category.department_code) == (responsible, department)
