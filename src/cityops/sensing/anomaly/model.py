"""The words of anomaly detection, without I/O: the kinds, the record a detector emits, and the
parameters of each detector (defaults documented in docs/sensing/anomalies.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class AnomalyKind(StrEnum):
    spike = "spike"  # 尖峰: one value far from its recent neighbours in time
    stuck = "stuck"  # 恒值: the same value reported again and again
    drift = "drift"  # 漂移: the level departs from the device's own hour-of-week baseline
    neighbour = "neighbour"  # 邻站不一致: the value departs from the devices nearby


@dataclass(frozen=True, slots=True)
class Anomaly:
    """One finding: which series and instant, what kind, how strong (`score`, in robust
    standard deviations for spike, drift and neighbour; the run length for stuck) and why, in
    words a duty officer can read."""

    device_code: str
    metric: str
    ts: datetime
    kind: AnomalyKind
    score: float
    explanation: str


@dataclass(frozen=True, slots=True)
class SpikeParams:
    """Robust z-score of a value against the recent level: the departure from the median of the
    last `ref_points` values, over the scale of the last `window` values' hour-to-hour changes
    (1.4826·MAD of the first differences, never below `abs_floor` nor `rel_floor`·|level|, so a
    flat series does not turn every wobble into a spike). With `confirm`, a candidate is
    reported only when the next value comes back (is nearer the level than `return_ratio` of the
    candidate's departure): a glitch returns, a genuine step change does not; the report is
    then one reading late."""

    window: int = 48
    ref_points: int = 1
    min_history: int = 12
    threshold: float = 8.0
    abs_floor: float = 1.0
    rel_floor: float = 0.05
    confirm: bool = True
    return_ratio: float = 0.5


@dataclass(frozen=True, slots=True)
class StuckParams:
    """`run` consecutive reports equal within `tolerance` are a stuck sensor, but only where
    the metric normally varies: among the `window` values before the run, at most
    `max_repeat_share` of consecutive pairs were equal and at least `min_distinct` values
    differed. With `skip_at_floor`, a run at or below the lowest of those values is a series
    resting at its floor (a detection limit), not a stuck sensor."""

    run: int = 8
    tolerance: float = 1e-9
    window: int = 48
    max_repeat_share: float = 0.3
    min_distinct: int = 5
    skip_at_floor: bool = True


@dataclass(frozen=True, slots=True)
class DriftParams:
    """The baseline is, per hour-of-week slot (local time: `utc_offset`), the median of the
    last `weeks` values in that slot. A residual is the value minus its slot's baseline, divided
    by the residual scale (1.4826·MAD of the last `scale_window` residuals, floored as for
    spikes). Drift is reported when the median of the last `horizon` scaled residuals passes
    `threshold` in either direction, and again only after it has come back under
    `threshold`·`rearm`. While drift is reported the baseline stops learning, for at most
    `weeks` weeks of reports (then a lasting change becomes the new normal)."""

    weeks: int = 4
    min_weeks: int = 2
    horizon: int = 240
    threshold: float = 1.5
    rearm: float = 0.5
    scale_window: int = 720
    abs_floor: float = 1.0
    rel_floor: float = 0.05
    utc_offset: timedelta = timedelta(0)


@dataclass(frozen=True, slots=True)
class NeighbourParams:
    """Readings are put in time buckets of `bucket`; a bucket is judged once a reading
    `lateness` past it arrives (or on flush). For each device with at least `min_neighbours`
    devices within `radius_m` reporting the same metric in the bucket, the residual is its value
    minus the neighbours' median, scaled by the robust spread (median and 1.4826·MAD, floored)
    of its own last `window` residuals. With `log_offset` set (positive metrics such as
    concentrations), values are compared as log(value + log_offset), so the disagreement is
    relative and a polluted hour does not look like a disagreement by its size alone; the
    scale's floor is then `log_floor` (0.05 ≈ 5 %). `persist` consecutive buckets past
    `threshold` make one report; the next report needs the residual back under the threshold
    first."""

    radius_m: float = 25_000.0
    min_neighbours: int = 2
    bucket: timedelta = timedelta(hours=1)
    lateness: timedelta = timedelta(hours=2)
    window: int = 336
    min_history: int = 48
    threshold: float = 5.0
    persist: int = 6
    abs_floor: float = 1.0
    rel_floor: float = 0.05
    log_offset: float | None = None
    log_floor: float = 0.05


@dataclass(frozen=True, slots=True)
class Position:
    """Where a device stands (WGS84 degrees)."""

    lon: float
    lat: float
