"""The indicator formulas on worked examples (numbers written out by hand)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from cityops.insight.indicators import (
    COUNT_FIELDS,
    INDICATORS,
    counts_of,
    formulas,
    rates,
    ratio,
    total_counts,
)


@dataclass(frozen=True)
class Row:
    """Shaped like cases.public.CaseCounts."""

    group_code: str = "G"
    group_name: str = "group"
    reported: int = 0
    registered: int = 0
    dispatched: int = 0
    accurately_dispatched: int = 0
    due_to_handle: int = 0
    handled_on_time: int = 0
    due_to_close: int = 0
    closed: int = 0
    closed_on_time: int = 0
    reworked: int = 0
    extended: int = 0


# A street in one month: 200 reported, 180 registered, 171 dispatched, 152 to the right
# department first time, 160 due to handle of which 136 on time, 150 due to close, 141 closed,
# 120 closed on time, 9 reworked, 6 extended.
MONTH = Row(
    reported=200,
    registered=180,
    dispatched=171,
    accurately_dispatched=152,
    due_to_handle=160,
    handled_on_time=136,
    due_to_close=150,
    closed=141,
    closed_on_time=120,
    reworked=9,
    extended=6,
)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("registration_rate", 0.9),  # 180 / 200
        ("dispatch_rate", 0.95),  # 171 / 180
        ("accurate_dispatch_rate", 152 / 171),  # 0.888888…
        ("on_time_handling_rate", 0.85),  # 136 / 160
        ("closure_rate", 0.94),  # 141 / 150
        ("on_time_closure_rate", 0.8),  # 120 / 150
        ("rework_rate", 0.06),  # 9 / 150
        ("extension_rate", 6 / 171),  # 0.035087…
    ],
)
def test_rates_of_a_worked_month(key: str, expected: float) -> None:
    assert rates(MONTH)[key] == pytest.approx(expected)


def test_accurate_dispatch_rate_to_four_places() -> None:
    assert round(rates(MONTH)["accurate_dispatch_rate"] or 0, 4) == 0.8889
    assert round(rates(MONTH)["extension_rate"] or 0, 4) == 0.0351


@pytest.mark.parametrize(
    ("key", "row"),
    [
        ("registration_rate", Row(registered=0, reported=0)),
        ("dispatch_rate", Row(reported=3)),
        ("accurate_dispatch_rate", Row(reported=3, registered=3)),
        ("on_time_handling_rate", Row(dispatched=2)),
        ("closure_rate", Row(dispatched=2, due_to_handle=2)),
        ("on_time_closure_rate", Row(dispatched=2)),
        ("rework_rate", Row(dispatched=2)),
        ("extension_rate", Row(reported=5, registered=5)),
    ],
)
def test_zero_denominator_gives_none(key: str, row: Row) -> None:
    assert rates(row)[key] is None


def test_zero_numerator_over_real_denominator_is_zero_not_none() -> None:
    got = rates(Row(reported=10, registered=0))
    assert got["registration_rate"] == 0.0
    assert got["dispatch_rate"] is None


def test_perfect_month_is_one_everywhere_it_measures() -> None:
    row = Row(
        reported=4,
        registered=4,
        dispatched=4,
        accurately_dispatched=4,
        due_to_handle=4,
        handled_on_time=4,
        due_to_close=4,
        closed=4,
        closed_on_time=4,
    )
    got = rates(row)
    assert got["rework_rate"] == 0.0
    assert got["extension_rate"] == 0.0
    assert {
        k: v for k, v in got.items() if k not in ("rework_rate", "extension_rate")
    } == dict.fromkeys(
        (
            "registration_rate",
            "dispatch_rate",
            "accurate_dispatch_rate",
            "on_time_handling_rate",
            "closure_rate",
            "on_time_closure_rate",
        ),
        1.0,
    )


def test_total_rates_come_from_summed_counts_not_averaged_rates() -> None:
    # Group A: 9 of 10 registered (0.9); group B: 1 of 90 (0.0111). Mean of rates would be
    # 0.4556; the city's 立案率 is (9 + 1) / (10 + 90) = 0.1.
    a = Row(group_code="A", reported=10, registered=9)
    b = Row(group_code="B", reported=90, registered=1)
    total = total_counts([a, b])
    assert total["reported"] == 100
    assert total["registered"] == 10
    assert rates(total)["registration_rate"] == pytest.approx(0.1)


def test_total_of_nothing_is_all_zero_and_all_none() -> None:
    total = total_counts([])
    assert total == dict.fromkeys(COUNT_FIELDS, 0)
    assert set(rates(total).values()) == {None}


def test_counts_of_reads_every_count_in_order() -> None:
    assert list(counts_of(MONTH).values()) == [200, 180, 171, 152, 160, 136, 150, 141, 120, 9, 6]


def test_formulas_as_published() -> None:
    assert formulas() == {
        "registration_rate": "立案数/受理数",
        "dispatch_rate": "派遣数/立案数",
        "accurate_dispatch_rate": "准确派遣数/派遣数",
        "on_time_handling_rate": "按期处置数/应处置数",
        "closure_rate": "结案数/应结案数",
        "on_time_closure_rate": "按期结案数/应结案数",
        "rework_rate": "返工数/应结案数",
        "extension_rate": "延期数/派遣数",
    }
    assert [i.name for i in INDICATORS] == [
        "立案率",
        "派遣率",
        "准确派遣率",
        "按期处置率",
        "结案率",
        "按期结案率",
        "返工率",
        "延期率",
    ]


@pytest.mark.parametrize(("num", "den", "expected"), [(1, 3, 1 / 3), (0, 5, 0.0), (5, 0, None)])
def test_ratio(num: int, den: int, expected: float | None) -> None:
    assert ratio(num, den) == expected


def test_negative_counts_are_a_bug_not_a_rate() -> None:
    with pytest.raises(ValueError, match="negative"):
        ratio(-1, 4)
