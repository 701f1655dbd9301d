"""Spike, stuck-at and drift detectors on synthetic series: each finds what was planted, when it
was planted, and stays quiet on clean noise."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sensing_series import daily_noise, hourly, readings

from cityops.sensing.anomaly.public import (
    AnomalyKind,
    DetectorSettings,
    DriftDetector,
    DriftParams,
    SpikeDetector,
    SpikeParams,
    StuckDetector,
    detect,
)


def run(detector: SpikeDetector | StuckDetector | DriftDetector, values: list[float]) -> list:
    found = []
    for i, v in enumerate(values):
        found.extend(detector.feed(hourly(i), v))
    return found


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_each_detector_stays_quiet_on_clean_noise(seed: int) -> None:
    values = daily_noise(24 * 7 * 12, seed)
    only = DetectorSettings(
        kinds=frozenset({AnomalyKind.spike, AnomalyKind.stuck, AnomalyKind.drift})
    )
    assert detect(readings("A", "pm25", values), only) == []


@pytest.mark.parametrize("sign", [1, -1])
def test_a_spike_is_found_at_its_reading_once_the_next_comes_back(sign: int) -> None:
    values = daily_noise(2000, 4)
    values[700] += sign * 40
    found = run(SpikeDetector("A", "pm25"), values)
    assert [(a.kind, a.ts) for a in found] == [(AnomalyKind.spike, hourly(700))]
    assert found[0].score > 8
    assert found[0].explanation.endswith("已回到近期水平")


def test_a_step_change_that_stays_is_not_a_spike() -> None:
    values = daily_noise(2000, 5)
    values[700:] = [v + 40 for v in values[700:]]
    assert run(SpikeDetector("A", "pm25"), values) == []
    unconfirmed = run(SpikeDetector("A", "pm25", SpikeParams(confirm=False)), values)
    assert [a.ts for a in unconfirmed] == [hourly(700)]


def test_the_mad_floor_keeps_a_flat_series_from_exploding() -> None:
    values = [20.0] * 500
    values[300] = 21.0  # one count on a series that never moves: MAD is 0
    assert run(SpikeDetector("A", "co"), values) == []
    values[400] = 60.0
    assert [a.ts for a in run(SpikeDetector("A", "co"), values)] == [hourly(400)]


def test_a_stuck_run_is_found_once_at_its_eighth_report() -> None:
    values = daily_noise(2000, 6)
    values[900:930] = [values[900]] * 30
    found = run(StuckDetector("A", "no2"), values)
    assert [(a.kind, a.ts, a.score) for a in found] == [(AnomalyKind.stuck, hourly(907), 8.0)]


def test_a_metric_that_normally_rests_is_not_stuck() -> None:
    rain = [0.0] * 2000  # mostly dry: zeros for days on end are normal
    for i in range(0, 2000, 97):
        rain[i : i + 3] = [0.4, 1.2, 0.2]
    assert run(StuckDetector("A", "rain"), rain) == []


def test_a_run_at_the_series_floor_is_not_stuck() -> None:
    values = [max(3.0, v - 45) for v in daily_noise(2000, 7)]  # clipped at a detection limit
    values[900:930] = [3.0] * 30
    assert run(StuckDetector("A", "pm25"), values) == []


def test_drift_from_the_hour_of_week_baseline_is_found_inside_the_drift() -> None:
    week = 24 * 7
    values = daily_noise(week * 12, 8)
    start = week * 7
    for k, i in enumerate(range(start, start + week * 3)):
        values[i] += 15 * min(1.0, (k + 1) / 72)  # ramps to +15 (7.5 noise sd) in three days
    found = run(DriftDetector("A", "pm25"), values)
    assert [a.kind for a in found] == [AnomalyKind.drift]
    assert hourly(start) < found[0].ts < hourly(start + week * 3)
    assert "按周内小时统计的基线" in found[0].explanation


def test_the_baseline_is_kept_in_local_time() -> None:
    detector = DriftDetector("A", "pm25", DriftParams(utc_offset=timedelta(hours=8)))
    detector.feed(hourly(0), 50.0)
    assert list(detector._slots) == [8]  # Monday 00:00 UTC is Monday 08:00 in Beijing
