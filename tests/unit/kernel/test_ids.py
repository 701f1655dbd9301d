"""Tracking codes (查询码): unambiguous to read, forgiving to type."""

from __future__ import annotations

import re

import pytest

from cityops.kernel.ids import TRACKING_ALPHABET, new_tracking_code, normalize_tracking_code

SHAPE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


def test_new_codes_use_no_look_alike_characters() -> None:
    codes = {new_tracking_code() for _ in range(500)}
    assert len(codes) == 500
    for code in codes:
        assert SHAPE.fullmatch(code), code
    assert not set("ILOU") & set("".join(codes))
    assert set(TRACKING_ALPHABET) == set("".join(c.replace("-", "") for c in codes))


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("7KQ2-M9XD-4TFA", "7KQ2-M9XD-4TFA"),
        ("7kq2m9xd4tfa", "7KQ2-M9XD-4TFA"),
        (" 7KQ2 M9XD 4TFA ", "7KQ2-M9XD-4TFA"),
        ("7KQ2_M9XD.4TFA", "7KQ2-M9XD-4TFA"),
        ("O0I1-L000-AAAA", "0011-1000-AAAA"),  # O read as 0, I and L as 1
    ],
)
def test_typed_codes_are_read_kindly(typed: str, stored: str) -> None:
    assert normalize_tracking_code(typed) == stored


@pytest.mark.parametrize("typed", ["Iuob-Wvf_R0l", "7KQ2-M9XD-4TF", "7KQ2-M9XD-4TFU", " abc "])
def test_anything_else_is_left_as_typed(typed: str) -> None:
    assert normalize_tracking_code(typed) == typed.strip()
