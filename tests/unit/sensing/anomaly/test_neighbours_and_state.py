"""Neighbour disagreement on a synthetic network, the same results streamed and in batch, and
state that does not grow with the length of the stream."""

from __future__ import annotations

import gc
import random
import tracemalloc

from sensing_series import daily_noise, hourly, stream

from cityops.sensing.anomaly.public import (
    AnomalyKind,
    AnomalyPipeline,
    DetectorSettings,
    NeighbourDetector,
    NeighbourParams,
    Position,
    detect,
    distance_m,
)
from cityops.sensing.model import Reading

# five stations within ~3 km of each other, one 100 km away
POSITIONS = {
    "N0": Position(116.40, 39.90),
    "N1": Position(116.42, 39.91),
    "N2": Position(116.38, 39.92),
    "N3": Position(116.41, 39.88),
    "N4": Position(116.39, 39.89),
    "FAR": Position(117.50, 39.90),
}


def network(hours: int, seed: int) -> dict[str, list[float]]:
    """A shared regional signal (what the air does) plus each station's own noise."""
    shared = daily_noise(hours, seed, noise=6.0)
    rng = random.Random(seed + 100)
    return {d: [round(v + rng.gauss(0, 1.5), 1) for v in shared] for d in POSITIONS}


def feed_all(values: dict[str, list[float]], detector: NeighbourDetector) -> list:
    found = []
    for i in range(len(next(iter(values.values())))):
        for device, series in values.items():
            found.extend(detector.feed(Reading(device, "pm25", hourly(i), series[i])))
    return found + detector.flush()


def test_distances_are_great_circle_metres() -> None:
    assert abs(distance_m(POSITIONS["N0"], POSITIONS["N1"]) - 2_050) < 50
    assert 90_000 < distance_m(POSITIONS["N0"], POSITIONS["FAR"]) < 100_000


def test_neighbours_are_those_within_the_radius() -> None:
    detector = NeighbourDetector(POSITIONS, NeighbourParams(radius_m=5_000))
    assert sorted(detector.neighbours["N0"]) == ["N1", "N2", "N3", "N4"]
    assert detector.neighbours["FAR"] == []


def test_clean_network_is_quiet_and_a_disagreeing_station_is_found() -> None:
    values = network(1500, 11)
    assert feed_all(values, NeighbourDetector(POSITIONS, NeighbourParams(radius_m=5_000))) == []
    values["N2"][900:918] = [v + 30 for v in values["N2"][900:918]]  # 18 h reading 30 high
    found = feed_all(values, NeighbourDetector(POSITIONS, NeighbourParams(radius_m=5_000)))
    assert [(a.device_code, a.kind) for a in found] == [("N2", AnomalyKind.neighbour)]
    assert hourly(900) <= found[0].ts <= hourly(917)
    assert "median" in found[0].explanation


def test_a_late_reading_past_the_lateness_is_dropped_not_judged() -> None:
    detector = NeighbourDetector(POSITIONS, NeighbourParams(radius_m=5_000))
    detector.feed(Reading("N0", "pm25", hourly(10), 50.0))
    detector.feed(Reading("N1", "pm25", hourly(2), 50.0))
    assert detector.dropped_late == 1


def test_batch_and_stream_give_the_same_anomalies() -> None:
    values = network(1200, 12)
    values["N1"][700:720] = [v * 3 for v in values["N1"][700:720]]
    values["N3"][500] += 80
    batch_input = [
        Reading(d, "pm25", hourly(i), v)
        for d, series in values.items()
        for i, v in enumerate(series)
    ]
    batch = detect(batch_input, positions=POSITIONS)
    pipeline = AnomalyPipeline(positions=POSITIONS)
    streamed = [
        a
        for r in sorted(batch_input, key=lambda r: (r.ts, r.device_code))
        for a in pipeline.feed(r)
    ]
    streamed += pipeline.flush()
    assert streamed == batch
    assert {a.kind for a in batch} >= {AnomalyKind.spike, AnomalyKind.neighbour}


def test_state_does_not_grow_with_the_length_of_the_stream() -> None:
    """Past the longest window (30 days of residuals for drift) the memory held stays put:
    fed four more months, the pipeline holds what it held after two, within allocator noise."""
    month = 24 * 31
    positions = {f"D{d}": Position(116.4 + 0.01 * d, 39.9) for d in range(3)}
    pipeline = AnomalyPipeline(DetectorSettings(), positions)
    readings = stream(devices=3, metrics=1, hours=6 * month, seed=5)
    gc.collect()
    tracemalloc.start()
    try:
        for _, reading in zip(range(3 * 2 * month), readings, strict=False):
            pipeline.feed(reading)
        gc.collect()
        after_two_months = tracemalloc.get_traced_memory()[0]
        for reading in readings:
            pipeline.feed(reading)
        gc.collect()
        after_six_months = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert after_two_months > 100_000  # the windows are really held (the measurement sees them)
    assert after_six_months - after_two_months < 16_000
