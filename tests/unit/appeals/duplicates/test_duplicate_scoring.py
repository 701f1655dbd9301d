"""Scoring of duplicate candidates: text similarity, range filters, the combined score, ranking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cityops.appeals.duplicates.model import (
    MIN_TEXT_SIMILARITY,
    Appeal,
    Weights,
    char_ngrams,
    normalise,
    rank,
    score,
    text_similarity,
)

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
LON, LAT = 120.17, 30.27
DAY = timedelta(days=30)
# about 111 m per 0.001° of latitude
NORTH_100M = LAT + 100 / 111_195


def appeal(case_id: int, text: str, *, lat: float = LAT, days: float = 0, **kw: object) -> Appeal:
    return Appeal(case_id, text, T0 + timedelta(days=days), lon=LON, lat=lat, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("a", "b", "low", "high"),
    [
        ("湖滨路口路灯不亮", "湖滨路口路灯不亮", 1.0, 1.0),
        ("湖滨路口的路灯晚上不亮。", "湖滨 路口 路灯 晚上 不亮", 0.75, 0.99),
        ("湖滨路口路灯不亮", "小区物业违规收取停车费", 0.0, 0.0),
        ("", "路灯", 0.0, 0.0),
    ],
)
def test_text_similarity_ranges(a: str, b: str, low: float, high: float) -> None:
    assert low <= round(text_similarity(a, b), 6) <= high


def test_normalise_drops_punctuation_and_folds_width() -> None:
    assert normalise("Ａ1区，路灯 不亮！") == "a1区路灯不亮"
    assert char_ngrams("灯") == {"灯": 1}


@pytest.mark.parametrize(
    ("candidate", "in_range"),
    [
        (appeal(2, "路灯不亮", lat=NORTH_100M, days=3), True),
        (appeal(2, "路灯不亮", lat=LAT + 300 / 111_195), False),  # 300 m away
        (appeal(2, "路灯不亮", days=31), False),  # outside the window
        (appeal(2, "路灯不亮", days=-29), True),  # before the target, inside the window
    ],
)
def test_score_filters_by_distance_and_window(candidate: Appeal, in_range: bool) -> None:
    m = score(appeal(1, "路灯不亮"), candidate, radius_m=250, window=DAY)
    assert (m is not None) is in_range


def test_score_combines_the_three_parts_with_the_weights() -> None:
    m = score(
        appeal(1, "路灯不亮"),
        appeal(2, "路灯不亮", lat=NORTH_100M, days=15),
        radius_m=200,
        window=DAY,
    )
    assert m is not None
    assert m.distance_m == pytest.approx(100, abs=0.5)
    assert m.text_score == 1.0
    assert m.score == pytest.approx(0.6 * 1 + 0.25 * 0.5 + 0.15 * 0.5, abs=1e-3)


def test_without_points_only_the_same_area_counts() -> None:
    target = Appeal(1, "路灯不亮", T0, area_code="330191001001001")
    same = Appeal(2, "路灯不亮", T0, area_code="330191001001001")
    other = Appeal(3, "路灯不亮", T0, area_code="330191001001002")
    m = score(target, same, radius_m=250, window=DAY)
    assert m is not None
    assert m.distance_m is None
    assert m.score == pytest.approx(0.6 + 0.15)
    assert score(target, other, radius_m=250, window=DAY) is None


def test_rank_orders_by_score_then_distance_and_leaves_out_the_target() -> None:
    target = appeal(1, "湖滨路口路灯不亮")
    candidates = [
        target,
        appeal(2, "小区物业违规收取停车费"),
        appeal(3, "湖滨路口路灯晚上不亮", lat=NORTH_100M),
        appeal(4, "湖滨路口路灯不亮"),
        appeal(5, "湖滨路口路灯不亮", lat=LAT + 1),  # far away
    ]
    ranked = rank(target, candidates, radius_m=250, window=DAY, limit=3)
    assert [m.case_id for m in ranked] == [4, 3]  # 2 shares the place and time, not the matter
    assert rank(target, candidates, radius_m=250, window=DAY, limit=1)[0].case_id == 4
    # without a floor, nearness and recency alone would rank it (score ≈ 0.4)
    anything = rank(target, candidates, radius_m=250, window=DAY, limit=3, min_text=0.0)
    assert [m.case_id for m in anything] == [4, 3, 2]
    assert anything[2].text_score < MIN_TEXT_SIMILARITY
    assert 0.39 < anything[2].score < 0.41


@pytest.mark.parametrize("parts", [(0.5, 0.5, 0.5), (1.2, -0.1, -0.1)])
def test_weights_must_sum_to_one(parts: tuple[float, float, float]) -> None:
    with pytest.raises(ValueError, match="sum to 1"):
        Weights(*parts)
