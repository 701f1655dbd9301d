"""The pure parts of the series reads: a bucket's value per aggregate, the points a metric owes
in a window, the per-metric summary of latest values, the health rates."""

from __future__ import annotations

import pytest

from cityops.sensing.queries import Bucket, DeviceLatest, LatestValue
from cityops.sensing.reads import HealthGroup, bucket_value, expected_points, summarize

B = Bucket(ts=0, min=1.0, max=9.0, sum=20.0, count=4, last=3.0)


@pytest.mark.parametrize(
    ("agg", "value"),
    [("avg", 5.0), ("min", 1.0), ("max", 9.0), ("sum", 20.0), ("count", 4.0), ("last", 3.0)],
)
def test_bucket_value(agg: str, value: float) -> None:
    assert bucket_value(B, agg) == value


def test_expected_points_count_from_registration() -> None:
    window = (0, 3_600_000)
    assert expected_points(window, -1, 60_000) == 60
    assert expected_points(window, 1_800_000, 60_000) == 30
    assert expected_points(window, 3_600_000, 60_000) == 0
    assert expected_points(window, 9_999_999, 600_000) == 0
    assert expected_points(window, 0, 3_600_000) == 1


def test_summary_per_metric() -> None:
    devices = [
        DeviceLatest("A", "t", "1", (LatestValue("pm25", 10, 30.0), LatestValue("no2", 11, 5.0))),
        DeviceLatest("B", "t", "1", (LatestValue("pm25", 20, 50.0),)),
        DeviceLatest("C", "t", "1", ()),
    ]
    summary = {s.metric: s for s in summarize(devices)}
    assert summary["pm25"].devices == 2
    assert (summary["pm25"].min, summary["pm25"].max, summary["pm25"].avg) == (30.0, 50.0, 40.0)
    assert summary["pm25"].newest == 20
    assert summary["no2"].devices == 1


def test_health_rates() -> None:
    group = HealthGroup("t", devices=4, online=3, maintenance=0, received=90, expected=120.0)
    assert group.online_rate == 0.75
    assert group.completeness == 0.75
    assert HealthGroup("t", 0, 0, 0, 0, 0.0).online_rate == 0.0
    assert HealthGroup("t", 1, 1, 0, 5, 4.0).completeness == 1.0
