"""Disagreement with neighbours (邻站不一致): a device's value against the median of the devices
within a radius that report the same metric at the same time.

Streaming: readings are gathered in time buckets; a bucket is judged when the stream has moved
`lateness` past its end (or on `flush`), then dropped. State is the open buckets (bounded by
the lateness), the fixed neighbour lists and one ring of residuals per (device, metric)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cityops.sensing.anomaly.model import Anomaly, AnomalyKind, NeighbourParams, Position
from cityops.sensing.anomaly.robust import Ring, median, robust_center_scale
from cityops.sensing.model import Reading

EARTH_RADIUS_M = 6_371_008.8
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def distance_m(a: Position, b: Position) -> float:
    """Great-circle (haversine) distance in metres."""
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def neighbours_within(positions: Mapping[str, Position], radius_m: float) -> dict[str, list[str]]:
    return {
        d: [o for o, q in positions.items() if o != d and distance_m(p, q) <= radius_m]
        for d, p in positions.items()
    }


_SCALE_REFRESH = 24  # a series' residual centre and scale are recomputed every this many


@dataclass(slots=True)
class _SeriesState:
    residuals: Ring
    streak: int = 0
    active: bool = False
    center: float = 0.0
    scale: float = 1.0
    since_scale: int = _SCALE_REFRESH


@dataclass(slots=True)
class _Bucket:
    start: datetime
    metric: str
    values: dict[str, float] = field(default_factory=dict)


class NeighbourDetector:
    def __init__(
        self, positions: Mapping[str, Position], params: NeighbourParams | None = None
    ) -> None:
        self.params = params or NeighbourParams()
        self.neighbours = neighbours_within(positions, self.params.radius_m)
        self._buckets: dict[tuple[str, datetime], _Bucket] = {}
        self._series: dict[tuple[str, str], _SeriesState] = {}
        self._watermark: datetime | None = None
        self.dropped_late = 0

    def _bucket_start(self, ts: datetime) -> datetime:
        width = self.params.bucket
        return _EPOCH + ((ts - _EPOCH) // width) * width

    def feed(self, reading: Reading) -> list[Anomaly]:
        if reading.device_code not in self.neighbours:
            return []
        start = self._bucket_start(reading.ts)
        if self._watermark is not None and self._closed(start, self._watermark):
            self.dropped_late += 1
            return []
        bucket = self._buckets.setdefault((reading.metric, start), _Bucket(start, reading.metric))
        bucket.values[reading.device_code] = reading.value
        if self._watermark is None or reading.ts > self._watermark:
            self._watermark = reading.ts
        return self._close(lambda b: self._closed(b.start, self._watermark))

    def flush(self) -> list[Anomaly]:
        """Judge every open bucket (end of a series, or a backtest)."""
        return self._close(lambda b: True)

    def _closed(self, start: datetime, watermark: datetime | None) -> bool:
        p = self.params
        return watermark is not None and start + p.bucket + p.lateness <= watermark

    def _close(self, due: Callable[[_Bucket], bool]) -> list[Anomaly]:
        ready = sorted((b for b in self._buckets.values() if due(b)), key=lambda b: b.start)
        found: list[Anomaly] = []
        for bucket in ready:
            del self._buckets[(bucket.metric, bucket.start)]
            found.extend(self._judge(bucket))
        return found

    def _judge(self, bucket: _Bucket) -> list[Anomaly]:
        p = self.params
        found: list[Anomaly] = []
        for device, value in bucket.values.items():
            around = [bucket.values[n] for n in self.neighbours[device] if n in bucket.values]
            if len(around) < p.min_neighbours:
                continue
            consensus = median(around)
            residual = self._compare(value, consensus)
            state = self._series.setdefault((device, bucket.metric), _SeriesState(Ring(p.window)))
            if len(state.residuals) >= p.min_history:
                if state.since_scale >= _SCALE_REFRESH:
                    floor = p.abs_floor if p.log_offset is None else p.log_floor
                    state.center, state.scale = robust_center_scale(
                        state.residuals.values(), floor, p.rel_floor
                    )
                    state.since_scale = 0
                center = state.center
                z = (residual - center) / state.scale
                if abs(z) > p.threshold:
                    state.streak += 1
                    if state.streak >= p.persist and not state.active:
                        state.active = True
                        text = (
                            f"{bucket.metric} {value:g} against the median {consensus:g} of "
                            f"{len(around)} devices within {p.radius_m:g} m: {z:+.1f} robust sd "
                            f"from its usual {self._unit()} {center:+.3g}, for {state.streak} "
                            f"periods in a row"
                        )
                        found.append(
                            Anomaly(
                                device,
                                bucket.metric,
                                bucket.start,
                                AnomalyKind.neighbour,
                                abs(z),
                                text,
                            )
                        )
                else:
                    state.streak, state.active = 0, False
            state.residuals.push(residual)
            state.since_scale += 1
        return found

    def _unit(self) -> str:
        return "difference" if self.params.log_offset is None else "log ratio"

    def _compare(self, value: float, consensus: float) -> float:
        offset = self.params.log_offset
        if offset is None:
            return value - consensus
        return math.log(max(value + offset, 1e-9)) - math.log(max(consensus + offset, 1e-9))
