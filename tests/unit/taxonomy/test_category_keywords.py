"""A category's keywords (关键词) as a field of the list: read from a row (a YAML list or one
cell separated by 、 , ; or spaces), cleaned, checked, written with the category, and exported
in CSV and YAML."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from cityops.taxonomy.model import (
    KEYWORD_MAX_CHARS,
    KEYWORDS_MAX,
    category_from_row,
    category_problems,
    cleaned,
    split_keywords,
)
from cityops.taxonomy.transfer import FileFormat, parse_rows, render

ROW: dict[str, Any] = {
    "code": "A01",
    "name": "城乡建设",
    "filing_condition": "诉求明确",
    "responsible_kind": "street_office",
    "limits": dict.fromkeys(("register", "dispatch", "handle", "verify", "close"), "3wd"),
}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ()),
        ("", ()),
        (["井盖", "窨井盖"], ("井盖", "窨井盖")),
        ("井盖、窨井盖，下水道; 井盖  雨水口", ("井盖", "窨井盖", "下水道", "雨水口")),
        ([" 井盖 ", "", "井盖,路灯"], ("井盖", "路灯")),
    ],
)
def test_keywords_are_read_from_a_list_or_one_cell(
    value: object, expected: tuple[str, ...]
) -> None:
    assert split_keywords(value) == expected
    assert category_from_row({**ROW, "keywords": value}).keywords == expected


def test_a_row_without_keywords_has_none_and_the_json_carries_them() -> None:
    assert category_from_row(ROW).keywords == ()
    category = category_from_row({**ROW, "keywords": "物业、物业费"})
    assert category.to_json()["keywords"] == ["物业", "物业费"]


def test_keywords_are_cleaned_like_names() -> None:
    category = replace(category_from_row(ROW), keywords=("物业\u0007", "物业", "e\u0301"))
    assert cleaned(category).keywords == ("物业", "\u00e9")


def test_too_many_or_too_long_keywords_are_problems() -> None:
    category = category_from_row(ROW)
    assert category_problems(category, None) == []
    many = replace(category, keywords=tuple(f"词{i}" for i in range(KEYWORDS_MAX + 1)))
    assert any("at most 30 keywords" in p for p in category_problems(many, None))
    long = replace(category, keywords=("长" * (KEYWORD_MAX_CHARS + 1),))
    assert any("at most 20 characters" in p for p in category_problems(long, None))


@pytest.mark.parametrize("fmt", list(FileFormat))
def test_export_and_import_keep_the_keywords(fmt: FileFormat) -> None:
    with_words = category_from_row({**ROW, "keywords": ["物业", "物业费"]})
    without = category_from_row({**ROW, "code": "A02", "name": "劳动"})
    rows = {r["code"]: r for r in parse_rows(render([with_words, without], fmt), fmt)}
    assert category_from_row(rows["A01"]).keywords == ("物业", "物业费")
    assert category_from_row(rows["A02"]).keywords == ()
