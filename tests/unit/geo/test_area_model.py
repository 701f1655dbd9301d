"""Area levels, chains and the GB/T 30428.1-style code rules."""

from __future__ import annotations

import pytest

from cityops.geo.model import (
    AreaChain,
    AreaLevel,
    AreaRef,
    assign_sequences,
    build_chain,
    child_code,
    sequence_hint,
    sequence_of,
    sequence_width,
)
from cityops.kernel.errors import ValidationFailed

DISTRICT = AreaRef("330103", "下城区", AreaLevel.district)
STREET = AreaRef("330103001", "石桥街道", AreaLevel.street, "SQ")
COMMUNITY = AreaRef("330103001003", "华丰社区", AreaLevel.community, "SQ-3")
GRID = AreaRef("330103001003002", "华丰社区第二网格", AreaLevel.grid, "SQ-3-2")
LINKS = {
    DISTRICT.code: (DISTRICT, None),
    STREET.code: (STREET, DISTRICT.code),
    COMMUNITY.code: (COMMUNITY, STREET.code),
    GRID.code: (GRID, COMMUNITY.code),
}


def test_levels_rank_from_city_to_grid() -> None:
    assert [lvl.rank for lvl in AreaLevel] == [0, 1, 2, 3, 4]
    assert AreaLevel.grid.rank > AreaLevel.community.rank


def test_chain_is_built_from_the_top_down() -> None:
    chain = build_chain(GRID.code, LINKS)
    assert chain.areas == (DISTRICT, STREET, COMMUNITY, GRID)
    assert chain.smallest == GRID
    assert chain.at(AreaLevel.street) == STREET
    assert chain.at(AreaLevel.city) is None
    assert chain.codes == (DISTRICT.code, STREET.code, COMMUNITY.code, GRID.code)


def test_chain_of_a_community_stops_at_the_community() -> None:
    chain = build_chain(COMMUNITY.code, LINKS)
    assert chain.smallest == COMMUNITY
    assert chain.at(AreaLevel.grid) is None


def test_chain_of_an_unknown_code_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        build_chain("999", LINKS)


def test_a_cycle_in_parent_links_is_refused() -> None:
    a = AreaRef("1", "a", AreaLevel.street)
    b = AreaRef("2", "b", AreaLevel.street)
    with pytest.raises(ValueError, match="cycle"):
        build_chain("1", {"1": (a, "2"), "2": (b, "1")})


def test_an_empty_chain_cannot_exist() -> None:
    with pytest.raises(ValueError, match="at least one"):
        AreaChain(())


@pytest.mark.parametrize(
    ("parent", "parent_level", "level", "seq", "expected"),
    [
        ("330100", AreaLevel.city, AreaLevel.district, 3, "330103"),
        ("330103", AreaLevel.district, AreaLevel.street, 1, "330103001"),
        ("330103001", AreaLevel.street, AreaLevel.community, 12, "330103001012"),
        ("330103001003", AreaLevel.community, AreaLevel.grid, 2, "330103001003002"),
        # levels are configurable: a grid straight under a street still adds 3 digits
        ("330103001", AreaLevel.street, AreaLevel.grid, 7, "330103001007"),
    ],
)
def test_child_codes_extend_the_parent_code(
    parent: str, parent_level: AreaLevel, level: AreaLevel, seq: int, expected: str
) -> None:
    code = child_code(parent, parent_level, level, seq)
    assert code == expected
    assert sequence_of(code, parent, parent_level, level) == seq


@pytest.mark.parametrize(
    ("parent_level", "level"),
    [
        (None, AreaLevel.district),
        (AreaLevel.district, AreaLevel.district),
        (AreaLevel.street, AreaLevel.district),
        (AreaLevel.district, AreaLevel.city),
    ],
)
def test_codes_that_cannot_be_derived_need_an_explicit_code(
    parent_level: AreaLevel | None, level: AreaLevel
) -> None:
    assert sequence_width(parent_level, level) == 0
    with pytest.raises(ValidationFailed) as err:
        child_code("330103", parent_level, level, 1)
    assert err.value.code == "code_required"


@pytest.mark.parametrize("seq", [0, 1000])
def test_sequences_must_fit_three_digits(seq: int) -> None:
    with pytest.raises(ValidationFailed) as err:
        child_code("330103", AreaLevel.district, AreaLevel.street, seq)
    assert err.value.code == "code_space_full"


@pytest.mark.parametrize(
    ("source", "hint"),
    [("SQ-3-2", 2), ("SQ-3", 3), ("WH-99", 99), ("SQ", None), (None, None), ("", None)],
)
def test_sequence_hint_is_the_trailing_number_of_the_source_code(
    source: str | None, hint: int | None
) -> None:
    assert sequence_hint(source) == hint


def test_assign_sequences_keeps_free_hints_and_fills_the_rest_from_the_lowest() -> None:
    # hints 3 and 1 are free; the second 3 is contested; 2 is taken already
    assert assign_sequences([3, None, 3, 1, 5000], taken=[2]) == [3, 4, 5, 1, 6]


def test_assign_sequences_without_hints_counts_up_past_taken_numbers() -> None:
    assert assign_sequences([None, None, None], taken=[1, 3]) == [2, 4, 5]


def test_assign_sequences_refuses_when_the_space_is_full() -> None:
    with pytest.raises(ValidationFailed):
        assign_sequences([None], taken=range(1, 100), width=2)
