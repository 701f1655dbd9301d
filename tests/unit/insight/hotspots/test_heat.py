"""The heat index on worked numbers, and the emerging-topic rule."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from cityops.insight.hotspots.heat import first_flagged, heat_index, is_emerging, window_counts
from cityops.insight.public import HeatParts, HeatWeights, HotspotSettings

SETTINGS = HotspotSettings()  # recent 7 days, baseline 28 days, weights 1 / 0.5 / 1 / 0.5


def test_heat_index_on_worked_numbers() -> None:
    # 9 messages, support 20, 4 this week against 4 in the four weeks before, half severe:
    # expected = 4 × 7/28 = 1; growth = ln(5/2) = 0.9163
    # heat = 10 × (ln 10 + 0.5 ln 21 + 0.9163) × (1 + 0.5 × 0.5)
    #      = 10 × (2.3026 + 1.5223 + 0.9163) × 1.25 = 59.26
    parts = HeatParts(count=9, support=20, recent=4, baseline=4, severity=0.5)
    assert heat_index(parts, SETTINGS) == pytest.approx(59.264, abs=1e-3)


def test_a_group_that_is_not_rising_has_no_growth_term() -> None:
    # 1 this week against 8 before (expected 2): growth would be negative, so it is 0
    parts = HeatParts(count=1, support=0, recent=1, baseline=8, severity=0.0)
    assert heat_index(parts, SETTINGS) == pytest.approx(10 * math.log(2))


def test_the_weights_change_the_index() -> None:
    parts = HeatParts(count=3, support=100, recent=0, baseline=0, severity=0.0)
    votes_only = HotspotSettings(weights=HeatWeights(volume=0, support=1, growth=0, severity=0))
    assert heat_index(parts, votes_only) == pytest.approx(10 * math.log(101))


@pytest.mark.parametrize(
    ("recent", "baseline", "emerging"),
    [
        (3, 0, True),  # three new ones from nothing
        (2, 0, False),  # fewer than emerging_min
        (3, 4, False),  # expected 1: (3 + 1) < 3 × (1 + 1)
        (5, 4, True),  # (5 + 1) ≥ 3 × 2
        (10, 40, False),  # a steady ten a week is not new
    ],
)
def test_emerging_rule(recent: int, baseline: int, emerging: bool) -> None:
    assert is_emerging(recent, baseline, SETTINGS) is emerging


def test_window_counts_and_first_flagged() -> None:
    start = datetime(2019, 6, 1, tzinfo=UTC)
    # one message a fortnight for ten weeks, then three within two days
    steady = [start + timedelta(days=14 * k) for k in range(6)]
    burst_start = steady[-1] + timedelta(days=20)
    burst = [burst_start + timedelta(days=d) for d in (0, 1, 2)]
    times = steady + burst
    assert window_counts(times, burst[-1], SETTINGS) == (3, 1)
    assert first_flagged(times, SETTINGS) == burst[-1]
    assert first_flagged(steady, SETTINGS) is None
