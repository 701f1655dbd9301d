"""The 三率 formulas on worked examples: every expected number is computed by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from cityops.appeals.followup.rates import (
    RateCounts,
    composite,
    count_visits,
    responded_within_limit,
    satisfaction_rate,
    three_rates,
)

T = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Visit:
    contacted: bool
    resolved: bool | None
    satisfaction: str | None
    responded_within_limit: bool | None = None


VISITS = [
    Visit(True, True, "satisfied", True),
    Visit(True, True, "satisfied", True),
    Visit(True, True, "basically_satisfied", False),
    Visit(True, False, "unsatisfied", True),
    Visit(False, None, None, None),  # not reached: counts only in 回访数
]


def test_counts_of_visits() -> None:
    assert count_visits(VISITS) == RateCounts(
        visits=5,
        contacted=4,
        timed=4,
        responded_on_time=3,
        resolution_rated=4,
        resolved=3,
        satisfaction_rated=4,
        satisfied=2,
        basically_satisfied=1,
        unsatisfied=1,
    )


def test_worked_example_with_default_weights() -> None:
    rates = three_rates(count_visits(VISITS))
    assert rates["response_rate"] == pytest.approx(0.8)  # 4/5
    assert rates["on_time_response_rate"] == pytest.approx(0.75)  # 3/4
    assert rates["resolution_rate"] == pytest.approx(0.75)  # 3/4
    assert rates["satisfaction_rate"] == pytest.approx(0.725)  # (2 + 0.9 × 1)/4
    # 0.1 × 0.8 + 0.5 × 0.75 + 0.4 × 0.725 = 0.08 + 0.375 + 0.29
    assert rates["composite"] == pytest.approx(0.745)


def test_configured_weights() -> None:
    counts = count_visits(VISITS)
    rates = three_rates(counts, basic_weight=0.5, weights=(0.2, 0.4, 0.4))
    assert rates["satisfaction_rate"] == pytest.approx(0.625)  # (2 + 0.5)/4
    # 0.2 × 0.8 + 0.4 × 0.75 + 0.4 × 0.625 = 0.16 + 0.3 + 0.25
    assert rates["composite"] == pytest.approx(0.71)


@pytest.mark.parametrize(
    ("satisfied", "basic", "rated", "weight", "expected"),
    [(10, 0, 10, 0.9, 1.0), (0, 10, 10, 0.9, 0.9), (3, 4, 8, 0.8, 0.775), (0, 0, 5, 0.9, 0.0)],
)
def test_satisfaction_rate(
    satisfied: int, basic: int, rated: int, weight: float, expected: float
) -> None:
    counts = RateCounts(satisfaction_rated=rated, satisfied=satisfied, basically_satisfied=basic)
    assert satisfaction_rate(counts, weight) == pytest.approx(expected)


def test_zero_denominators_give_none() -> None:
    rates = three_rates(RateCounts())
    assert rates == dict.fromkeys(
        [
            "response_rate",
            "on_time_response_rate",
            "resolution_rate",
            "satisfaction_rate",
            "composite",
        ]
    )


def test_composite_is_none_when_a_component_is_none() -> None:
    # every visit failed to reach the citizen: 响应率 0, nothing rated
    rates = three_rates(count_visits([Visit(False, None, None)]))
    assert rates["response_rate"] == 0.0
    assert rates["resolution_rate"] is None
    assert rates["composite"] is None
    assert composite(1.0, 1.0, 1.0) == pytest.approx(1.0)
    assert composite(1.0, None, 1.0) is None


def test_counts_add_up() -> None:
    a = RateCounts(visits=2, contacted=1)
    assert (a + a).as_dict()["visits"] == 4
    assert (a + a).contacted == 2


@pytest.mark.parametrize(
    ("urgency", "after", "expected"),
    [
        ("urgent", timedelta(hours=2), True),
        ("urgent", timedelta(hours=2, seconds=1), False),
        ("critical", timedelta(minutes=30), True),
        ("normal", timedelta(days=7), True),
        ("normal", timedelta(days=7, minutes=1), False),
        ("normal", timedelta(hours=3), True),
    ],
)
def test_timeliness_rule(urgency: str, after: timedelta, expected: bool) -> None:
    assert responded_within_limit(urgency, T, T + after) is expected


def test_never_handled_has_no_timeliness() -> None:
    assert responded_within_limit("urgent", T, None) is None
