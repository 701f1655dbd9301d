"""Event-level scoring and the injector: events from labels, matching within the tolerance,
precision/recall/F1, and injection that is reproducible and labels what it plants."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sensing_series import daily_noise, hourly, readings

from cityops.sensing.anomaly.public import (
    Anomaly,
    AnomalyKind,
    InjectionPlan,
    LabelledReading,
    inject,
    read_labelled_csv,
    score,
    true_events,
    write_labelled_csv,
)
from cityops.sensing.model import Reading

SPIKE, STUCK = AnomalyKind.spike, AnomalyKind.stuck


def labelled(labels: list[AnomalyKind | None]) -> list[LabelledReading]:
    return [LabelledReading(Reading("A", "m", hourly(i), 1.0), k) for i, k in enumerate(labels)]


def found(kind: AnomalyKind, hour: int) -> Anomaly:
    return Anomaly("A", "m", hourly(hour), kind, 9.0, "")


def test_consecutive_labels_make_one_event() -> None:
    events = true_events(labelled([None, SPIKE, None, STUCK, STUCK, STUCK, SPIKE, None]))
    assert [(e.kind, e.start, e.end) for e in events] == [
        (SPIKE, hourly(1), hourly(1)),
        (STUCK, hourly(3), hourly(5)),
        (SPIKE, hourly(6), hourly(6)),
    ]


def test_scores_by_event_with_a_tolerance() -> None:
    labels: list[AnomalyKind | None] = [None] * 100
    labels[10] = labels[50] = labels[90] = SPIKE
    labels[60:70] = [STUCK] * 10
    truth = true_events(labelled(labels))
    detections = [
        found(SPIKE, 12),  # 2 h late: a hit within 3 h
        found(SPIKE, 13),  # same detected event as the one before (1 h apart)
        found(SPIKE, 30),  # nothing there: a false positive
        found(SPIKE, 65),  # on the stuck run: a false positive, on another kind
        found(SPIKE, 94),  # 4 h late: a miss and a false positive
        found(STUCK, 67),
    ]
    scores = score(truth, detections, timedelta(hours=3))
    spike = scores[SPIKE]
    assert (spike.true_events, spike.detected_events, spike.hits, spike.found) == (3, 4, 1, 1)
    assert spike.on_other_kind == 1
    assert spike.precision == 0.25
    assert abs((spike.recall or 0) - 1 / 3) < 1e-12
    assert abs((spike.f1 or 0) - 2 * 0.25 * (1 / 3) / (0.25 + 1 / 3)) < 1e-12
    assert (scores[STUCK].precision, scores[STUCK].recall, scores[STUCK].f1) == (1.0, 1.0, 1.0)
    drift = scores[AnomalyKind.drift]
    assert (drift.precision, drift.recall, drift.f1) == (None, None, None)


def _series() -> dict[tuple[str, str], list[Reading]]:
    return {
        (d, "pm25"): readings(d, "pm25", daily_noise(24 * 200, seed))
        for seed, d in enumerate("ABC")
    }


def test_injection_is_reproducible_and_labels_every_planted_reading(tmp_path: Path) -> None:
    series = _series()
    first = inject(series, seed=3, neighbour_devices={"A", "B"})
    assert first == inject(series, seed=3, neighbour_devices={"A", "B"})
    assert first != inject(series, seed=4, neighbour_devices={"A", "B"})
    kinds = Counter((e.device_code, e.kind) for e in true_events(first))
    plan = InjectionPlan()
    for device in "ABC":
        assert kinds[(device, AnomalyKind.spike)] == plan.spikes
        assert kinds[(device, AnomalyKind.stuck)] == plan.stuck
        assert kinds[(device, AnomalyKind.drift)] == plan.drifts
    assert kinds[("C", AnomalyKind.neighbour)] == 0
    assert kinds[("A", AnomalyKind.neighbour)] == plan.neighbour
    original = {(r.device_code, r.ts): r.value for rs in series.values() for r in rs}
    for item in first:
        changed = item.reading.value != original[(item.reading.device_code, item.reading.ts)]
        assert not changed or item.label is not None  # nothing changes without its label
    untouched_start = [i for i in first if i.reading.ts < hourly(InjectionPlan().warmup)]
    assert all(i.label is None for i in untouched_start)
    path = tmp_path / "labelled.csv"
    write_labelled_csv(path, first)
    assert read_labelled_csv(path) == first


def test_a_stuck_injection_holds_one_value_and_a_spike_stands_out() -> None:
    out = inject(_series(), seed=random.Random(9).randrange(1000))
    by_event = true_events(out)
    values = {(i.reading.device_code, i.reading.ts): i.reading.value for i in out}
    for event in by_event:
        span = [
            values[(event.device_code, event.start + timedelta(hours=h))]
            for h in range(int((event.end - event.start) / timedelta(hours=1)) + 1)
        ]
        if event.kind == AnomalyKind.stuck:
            assert len(set(span)) == 1
            assert len(span) >= 12
        if event.kind == AnomalyKind.spike:
            before = values[(event.device_code, event.start - timedelta(hours=1))]
            assert span[0] - before > 6  # at least 6 × the series' hour-to-hour spread
