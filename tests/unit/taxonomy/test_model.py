"""The pure taxonomy model: time limits, category validation, rows."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from cityops.taxonomy.model import (
    Category,
    CategoryKind,
    ResponsibleKind,
    TaxonomyFormatError,
    Urgency,
    category_from_row,
    category_problems,
)
from cityops.worktime.limits import LimitFormatError, LimitUnit, Stage, TimeLimit

LIMITS = {
    Stage.register: TimeLimit(1, LimitUnit.working_hours),
    Stage.dispatch: TimeLimit(1, LimitUnit.working_hours),
    Stage.handle: TimeLimit(3, LimitUnit.working_days),
    Stage.verify: TimeLimit(1, LimitUnit.working_days),
    Stage.close: TimeLimit(1, LimitUnit.working_days),
}
PARENT = Category(
    code="C0101",
    name="井盖",
    parent_code="C01",
    level=2,
    kind=CategoryKind.component,
    filing_condition="井盖缺失或破损",
    urgency=Urgency.urgent,
    responsible_kind=ResponsibleKind.street_office,
    department_code=None,
    limits=LIMITS,
)
LEAF = replace(
    PARENT,
    code="C010101",
    name="上水井盖",
    parent_code="C0101",
    level=3,
    responsible_kind=ResponsibleKind.department,
    department_code="GSGS",
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1wh", TimeLimit(1, LimitUnit.working_hours)),
        ("3wd", TimeLimit(3, LimitUnit.working_days)),
        ("0.5ch", TimeLimit(0.5, LimitUnit.calendar_hours)),
        ("2 working_days", TimeLimit(2, LimitUnit.working_days)),
        ({"amount": 2, "unit": "calendar_hours"}, TimeLimit(2, LimitUnit.calendar_hours)),
    ],
)
def test_time_limit_parse_and_str_round_trip(text: Any, expected: TimeLimit) -> None:
    parsed = TimeLimit.parse(text)
    assert parsed == expected
    assert TimeLimit.parse(str(parsed)) == parsed


@pytest.mark.parametrize("text", ["", "3", "3 weeks", "wd", "-1wd", {"amount": 1}])
def test_time_limit_parse_refuses_nonsense(text: Any) -> None:
    with pytest.raises(LimitFormatError):
        TimeLimit.parse(text)


def test_valid_categories_have_no_problems() -> None:
    assert category_problems(LEAF, PARENT) == []
    assert category_problems(replace(PARENT, code="C01", parent_code=None, level=1), None) == []


@pytest.mark.parametrize(
    ("changes", "parent", "problem"),
    [
        ({"code": "X010101"}, PARENT, "must be C/E/A followed by 2, 4 or 6 digits"),
        ({"code": "C01010101", "level": 4}, PARENT, "must be C/E/A"),
        ({"code": "C0101a1"}, PARENT, "must be C/E/A"),
        ({"kind": CategoryKind.event}, PARENT, "is a component code but kind is event"),
        ({"level": 2}, PARENT, "level 2 does not match code C010101"),
        ({"parent_code": "C0102"}, PARENT, "parent_code must be 'C0101'"),
        ({}, None, "parent category C0101 does not exist"),
        ({"name": "  "}, PARENT, "name is empty"),
        ({"filing_condition": ""}, PARENT, "filing_condition (立案条件) is empty"),
        ({"department_code": None}, PARENT, "department_code is required"),
        ({"department_code": "gsgs"}, PARENT, "must be upper-case letters/digits"),
        (
            {"responsible_kind": ResponsibleKind.street_office},
            PARENT,
            "department_code must be empty when responsible_kind is street_office",
        ),
        (
            {"limits": {**LIMITS, Stage.handle: TimeLimit(0, LimitUnit.working_days)}},
            PARENT,
            "time limit for stage handle must be positive",
        ),
        (
            {"limits": {s: v for s, v in LIMITS.items() if s is not Stage.verify}},
            PARENT,
            "time limit for stage verify is missing",
        ),
    ],
)
def test_category_problems(changes: dict[str, Any], parent: Category | None, problem: str) -> None:
    problems = category_problems(replace(LEAF, **changes), parent)
    assert any(problem in p for p in problems), problems


def test_parent_must_be_one_level_up_and_of_the_same_kind() -> None:
    odd_parent = replace(PARENT, level=1, kind=CategoryKind.event)
    problems = category_problems(LEAF, odd_parent)
    assert "level must be parent level + 1 (2)" in problems
    assert "kind component differs from parent's kind event" in problems


def test_top_level_code_has_no_parent() -> None:
    problems = category_problems(replace(PARENT, code="C01", level=1), None)
    assert "C01 is a top-level code (大类) and has no parent" in problems


def test_category_from_a_flat_row_derives_parent_level_and_kind() -> None:
    row = {
        "code": "E0201",
        "name": "非法小广告",
        "filing_condition": "乱张贴",
        "responsible_kind": "street_office",
        "department_code": "",
        "register": "1wh",
        "dispatch": "1wh",
        "handle": "2wd",
        "verify": "1wd",
        "close": "1wd",
        "active": "false",
    }
    category = category_from_row(row)
    assert (category.parent_code, category.level, category.kind) == ("E02", 2, CategoryKind.event)
    assert category.urgency is Urgency.normal
    assert category.limits[Stage.handle] == TimeLimit(2, LimitUnit.working_days)
    assert category.active is False
    assert category_from_row(category.to_json()) == category


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"code": ""}, "code is missing"),
        ({"urgency": "soon"}, "unknown urgency 'soon'"),
        ({"responsible_kind": "mayor"}, "unknown responsible_kind 'mayor'"),
        ({"handle": "2 weeks"}, "unknown time unit 'weeks'"),
        ({"active": "maybe"}, "active must be true or false"),
        ({"code": "Z01", "kind": ""}, "kind is missing"),
    ],
)
def test_unreadable_rows(changes: dict[str, str], message: str) -> None:
    row = {
        "code": "E0201",
        "name": "x",
        "filing_condition": "y",
        "responsible_kind": "street_office",
    }
    with pytest.raises(TaxonomyFormatError, match=message):
        category_from_row({**row, **changes})
