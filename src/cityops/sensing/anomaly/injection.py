"""Plant labelled anomalies of every kind into real series, with a fixed seed, to measure the
detectors where the truth is known (the benchmark on the Beijing air-quality series).

Per series, after a warm-up (the detectors' baselines need history) and with a gap around each
planted anomaly so that no two touch:
- drift: an offset that ramps from 0 over `drift_ramp` readings to D and holds until
  `drift_len` readings, D = U(1, 2) × the series' median level;
- stuck: `U(12, 48)` readings replaced by the value at the run's start (only where the original
  stretch had at least three distinct values);
- neighbour: `U(12, 36)` readings multiplied by U(0.2, 0.4) or U(2.5, 4) (a clogged or
  miscalibrated inlet), only on series whose device has neighbours to disagree with;
- spike: one reading raised by U(6, 12) × 1.4826·MAD of the series' hour-to-hour differences.
Everything else is left as measured, genuine extremes included: a detector that fires on them
counts a false positive (docs/sensing/anomalies.md)."""

from __future__ import annotations

import csv
import itertools
import random
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from cityops.sensing.anomaly.evaluation import LabelledReading
from cityops.sensing.anomaly.model import AnomalyKind, Position
from cityops.sensing.anomaly.robust import MAD_TO_SD, median
from cityops.sensing.model import Reading


@dataclass(frozen=True, slots=True)
class InjectionPlan:
    spikes: int = 6
    stuck: int = 2
    drifts: int = 1
    neighbour: int = 2
    warmup: int = 35 * 24  # readings left untouched at the start of each series
    gap: int = 72  # readings kept clean on either side of a planted anomaly
    drift_len: int = 14 * 24
    drift_ramp: int = 72


def _free(used: list[tuple[int, int]], start: int, end: int, gap: int) -> bool:
    return all(end + gap <= a or start >= b + gap for a, b in used)


def _place(
    rng: random.Random, n: int, length: int, used: list[tuple[int, int]], plan: InjectionPlan
) -> int | None:
    for _ in range(200):
        start = rng.randrange(plan.warmup, max(plan.warmup + 1, n - length))
        if start + length <= n and _free(used, start, start + length, plan.gap):
            used.append((start, start + length))
            return start
    return None


def inject_series(
    readings: Sequence[Reading],
    rng: random.Random,
    plan: InjectionPlan,
    with_neighbour: bool = True,
) -> list[LabelledReading]:
    """One series (time order) with anomalies planted; returns every reading with its label."""
    values = [r.value for r in readings]
    labels: list[AnomalyKind | None] = [None] * len(values)
    n, used = len(values), list[tuple[int, int]]()
    diffs = [abs(b - a) for a, b in itertools.pairwise(values)]
    jump = max(MAD_TO_SD * median(diffs), 1.0) if diffs else 1.0
    level = max(median(values), 1.0) if values else 1.0

    def mark(start: int, length: int, kind: AnomalyKind) -> None:
        for i in range(start, start + length):
            labels[i] = kind

    for _ in range(plan.drifts):
        start = _place(rng, n, plan.drift_len, used, plan)
        if start is not None:
            size = rng.uniform(1.0, 2.0) * level
            for k in range(plan.drift_len):
                ramp = size * min(1.0, (k + 1) / plan.drift_ramp)
                values[start + k] = round(values[start + k] + ramp, 1)
            mark(start, plan.drift_len, AnomalyKind.drift)
    for _ in range(plan.stuck):
        for _attempt in range(20):
            length = rng.randint(12, 48)
            start = _place(rng, n, length, used, plan)
            if start is None:
                break
            if len(set(values[start : start + length])) >= 3:
                for k in range(length):
                    values[start + k] = values[start]
                mark(start, length, AnomalyKind.stuck)
                break
            used.pop()
    for _ in range(plan.neighbour if with_neighbour else 0):
        length = rng.randint(12, 36)
        start = _place(rng, n, length, used, plan)
        if start is not None:
            factor = rng.uniform(0.2, 0.4) if rng.random() < 0.5 else rng.uniform(2.5, 4.0)
            for k in range(length):
                values[start + k] = round(values[start + k] * factor, 1)
            mark(start, length, AnomalyKind.neighbour)
    for _ in range(plan.spikes):
        start = _place(rng, n, 1, used, plan)
        if start is not None:
            values[start] = round(values[start] + rng.uniform(6.0, 12.0) * jump, 1)
            mark(start, 1, AnomalyKind.spike)
    return [
        LabelledReading(Reading(r.device_code, r.metric, r.ts, v), label)
        for r, v, label in zip(readings, values, labels, strict=True)
    ]


def inject(
    series: Mapping[tuple[str, str], Sequence[Reading]],
    seed: int,
    plan: InjectionPlan | None = None,
    neighbour_devices: Collection[str] | None = None,
) -> list[LabelledReading]:
    """Every series with its anomalies; `neighbour_devices` limits neighbour disagreement to
    the devices that have neighbours (all devices when None). Same seed, same output."""
    rng = random.Random(seed)
    out: list[LabelledReading] = []
    for key in sorted(series):
        eligible = neighbour_devices is None or key[0] in neighbour_devices
        out.extend(inject_series(series[key], rng, plan or InjectionPlan(), eligible))
    return out


def write_labelled_csv(path: Path, labelled: Iterable[LabelledReading]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["device", "ts", "metric", "value", "label"])
        for item in labelled:
            r = item.reading
            w.writerow([r.device_code, r.ts.isoformat(), r.metric, repr(r.value), item.label or ""])


def write_positions(path: Path, positions: Mapping[str, Position]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["device", "lon", "lat"])
        for device, p in sorted(positions.items()):
            w.writerow([device, p.lon, p.lat])
