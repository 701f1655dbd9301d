"""Temporal parameters: ranges, durations, buckets, the bound on periods, the figures."""

from __future__ import annotations

import math

import pytest

from cityops.sensing.ngsi_ld.problems import NgsiLdProblem
from cityops.sensing.ngsi_ld.temporal import (
    MAX_BUCKETS,
    Stats,
    aggregated_attribute,
    parse_duration_ms,
    parse_temporal_query,
)

T = "2026-11-23T00:00:00Z"
T_MS = 1_795_392_000_000


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        ("PT1M", 60_000),
        ("PT1H", 3_600_000),
        ("P1D", 86_400_000),
        ("P1W", 7 * 86_400_000),
        ("P1DT12H", 36 * 3_600_000),
        ("PT1H30M", 90 * 60_000),
        ("PT0.5S", 500),
        ("P0D", 0),
    ],
)
def test_durations(text: str, ms: int) -> None:
    assert parse_duration_ms(text) == ms


@pytest.mark.parametrize("text", ["P1Y", "P1M", "PT", "P", "1H", "PT1H2D", "P1DT", "pt1h"])
def test_durations_refused(text: str) -> None:
    with pytest.raises(NgsiLdProblem):
        parse_duration_ms(text)


def test_buckets_start_at_time_at_and_the_last_is_cut_at_end_time_at() -> None:
    query = parse_temporal_query(
        {
            "timerel": "between",
            "timeAt": T,
            "endTimeAt": "2026-11-23T02:30:00+00:00",
            "aggrMethods": "avg,max",
            "aggrPeriodDuration": "PT1H",
        }
    )
    hour = 3_600_000
    assert query.methods == ("avg", "max")
    assert query.buckets() == [
        (T_MS, T_MS + hour),
        (T_MS + hour, T_MS + 2 * hour),
        (T_MS + 2 * hour, T_MS + 2 * hour + hour // 2),
    ]
    whole = parse_temporal_query(
        {"timerel": "between", "timeAt": T, "endTimeAt": "2026-11-24T08:00:00+08:00",
         "aggrMethods": "sum"}
    )  # fmt: skip
    assert whole.buckets() == [(T_MS, T_MS + 86_400_000)]


def test_the_number_of_periods_is_bounded() -> None:
    base = {"timerel": "between", "timeAt": T, "aggrMethods": "avg", "aggrPeriodDuration": "PT1M"}
    parse_temporal_query(base | {"endTimeAt": "2026-11-23T16:40:00Z"})  # 1000 minutes
    with pytest.raises(NgsiLdProblem) as refused:
        parse_temporal_query(base | {"endTimeAt": "2026-11-23T16:41:00Z"})
    assert f"at most {MAX_BUCKETS}" in refused.value.detail
    assert "1001 periods" in refused.value.detail


def test_figures_and_their_representation() -> None:
    values = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]
    stats = Stats(len(values), sum(values), min(values), max(values), sum(v * v for v in values), 5)
    assert stats.value("avg") == 5.0
    assert stats.value("stddev") == 2.0
    assert stats.value("distinctCount") == 5
    assert stats.value("sumsq") == 232.0
    attribute = aggregated_attribute(
        ("avg", "totalCount"), [(0, 60_000), (60_000, 120_000)], {60_000: stats}
    )
    assert attribute == {
        "type": "Property",
        "avg": [[5.0, "1970-01-01T00:01:00.000Z", "1970-01-01T00:02:00.000Z"]],
        "totalCount": [[8, "1970-01-01T00:01:00.000Z", "1970-01-01T00:02:00.000Z"]],
    }
    assert math.isnan(Stats(1, 1.0, 1.0, 1.0).value("sumsq"))  # a rollup keeps no squares


@pytest.mark.parametrize(
    "params",
    [
        {"timerel": "before"},
        {"timerel": "between", "timeAt": T},
        {"timerel": "between", "timeAt": T, "endTimeAt": T},
        {"timerel": "after", "timeAt": "yesterday"},
        {"timeAt": T},
        {"timeproperty": "modifiedAt"},
        {"lastN": "1001"},
        {"aggrPeriodDuration": "PT1H"},
        {"options": "aggregatedValues"},
        {"timerel": "after", "timeAt": T, "aggrMethods": "avg"},
    ],
)
def test_refused(params: dict[str, str]) -> None:
    with pytest.raises(NgsiLdProblem):
        parse_temporal_query(params)
