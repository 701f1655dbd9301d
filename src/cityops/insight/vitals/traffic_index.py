"""The traffic performance index (道路交通运行指数, TPI): 0–10 in five bands.

Method of Beijing's DB11/T 785-2011《城市道路交通运行评价指标体系》(and of the standards
modelled on it, e.g. Tianjin's DB12/T 1237-2023):

1. Each road segment gets a state from its average travel speed and its road class
   (DB11/T 785-2011 Table 1, km/h):

   | class            | 畅通   | 基本畅通   | 轻度拥堵   | 中度拥堵   | 严重拥堵 |
   |------------------|--------|------------|------------|------------|----------|
   | 快速路           | v > 65 | 50 < v ≤ 65 | 35 < v ≤ 50 | 20 < v ≤ 35 | v ≤ 20 |
   | 主干路           | v > 40 | 30 < v ≤ 40 | 20 < v ≤ 30 | 15 < v ≤ 20 | v ≤ 15 |
   | 次干路、支路     | v > 35 | 25 < v ≤ 35 | 15 < v ≤ 25 | 10 < v ≤ 15 | v ≤ 10 |

2. The network's congested mileage share (拥堵里程比例) weights each segment by its vehicle
   kilometres travelled (VKT = length × flow, Appendix B) and counts the segments in a congested
   state (by default 中度拥堵 and 严重拥堵).
3. The share becomes the TPI through a piecewise linear conversion (Appendix C, informative:
   each city calibrates its own). `TpiConversion` holds the table; `DEFAULT_CONVERSION` is the
   one commonly quoted for Beijing and is a parameter, not a law — replace it with the city's.
4. Bands: [0, 2) 畅通, [2, 4) 基本畅通, [4, 6) 轻度拥堵, [6, 8) 中度拥堵, [8, 10] 严重拥堵
   (a value on an edge belongs to the band above it).

Flow sensors (loops, microwave, video) give the speed and the flow of their segment; a segment
with no flow in the interval carries no VKT and does not count.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

TPI_MAX = 10.0


class RoadClass(StrEnum):
    expressway = "expressway"  # 快速路
    arterial = "arterial"  # 主干路
    secondary = "secondary"  # 次干路
    branch = "branch"  # 支路


class TrafficState(StrEnum):
    """A segment's state and a TPI band share the same five words."""

    smooth = "smooth"  # 畅通
    basically_smooth = "basically_smooth"  # 基本畅通
    lightly_congested = "lightly_congested"  # 轻度拥堵
    moderately_congested = "moderately_congested"  # 中度拥堵
    severely_congested = "severely_congested"  # 严重拥堵

    @property
    def name_zh(self) -> str:
        return _STATE_ZH[self]


_STATE_ZH = {
    TrafficState.smooth: "畅通",
    TrafficState.basically_smooth: "基本畅通",
    TrafficState.lightly_congested: "轻度拥堵",
    TrafficState.moderately_congested: "中度拥堵",
    TrafficState.severely_congested: "严重拥堵",
}
STATES: tuple[TrafficState, ...] = tuple(TrafficState)

SPEED_BANDS: Mapping[RoadClass, tuple[float, float, float, float]] = {
    # the lower speed bound (exclusive) of 畅通, 基本畅通, 轻度拥堵, 中度拥堵; at or below the last
    # bound the segment is 严重拥堵 (DB11/T 785-2011 Table 1)
    RoadClass.expressway: (65, 50, 35, 20),
    RoadClass.arterial: (40, 30, 20, 15),
    RoadClass.secondary: (35, 25, 15, 10),
    RoadClass.branch: (35, 25, 15, 10),
}
CONGESTED: frozenset[TrafficState] = frozenset(
    {TrafficState.moderately_congested, TrafficState.severely_congested}
)


def segment_state(
    road_class: RoadClass,
    speed_kmh: float,
    bands: Mapping[RoadClass, tuple[float, float, float, float]] = SPEED_BANDS,
) -> TrafficState:
    """The state of one segment from its average travel speed (km/h)."""
    if math.isnan(speed_kmh) or speed_kmh < 0:
        raise ValueError(f"not a speed: {speed_kmh}")
    for state, bound in zip(STATES, bands[road_class], strict=False):
        if speed_kmh > bound:
            return state
    return TrafficState.severely_congested


@dataclass(frozen=True, slots=True)
class SegmentFlow:
    """One segment over one interval, as its flow sensor reports it."""

    road_class: RoadClass
    length_km: float
    flow_veh_h: float  # vehicles per hour (any consistent unit: only the ratio matters)
    speed_kmh: float

    @property
    def vkt(self) -> float:
        return self.length_km * self.flow_veh_h


def congested_share(
    segments: Iterable[SegmentFlow],
    *,
    congested: frozenset[TrafficState] = CONGESTED,
    bands: Mapping[RoadClass, tuple[float, float, float, float]] = SPEED_BANDS,
) -> float | None:
    """The VKT-weighted share (0–1) of segments in a congested state; None with no traffic."""
    total = 0.0
    jammed = 0.0
    for seg in segments:
        if seg.length_km < 0 or seg.flow_veh_h < 0:
            raise ValueError(f"negative length or flow: {seg}")
        total += seg.vkt
        if seg.vkt and segment_state(seg.road_class, seg.speed_kmh, bands) in congested:
            jammed += seg.vkt
    return None if total == 0 else jammed / total


@dataclass(frozen=True)
class TpiConversion:
    """Congested share → TPI: points (share, tpi), shares and TPIs both strictly increasing,
    from (0, 0) to a share whose TPI is 10; beyond the last share the TPI stays 10."""

    points: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        pts = self.points
        if len(pts) < 2 or pts[0] != (0.0, 0.0) or pts[-1][1] != TPI_MAX:
            raise ValueError("a TPI conversion runs from (0, 0) to a share with TPI 10")
        for (s0, t0), (s1, t1) in pairwise(pts):
            if not (s1 > s0 and t1 > t0):
                raise ValueError(f"a TPI conversion must increase: {(s0, t0)} → {(s1, t1)}")

    def tpi(self, share: float) -> float:
        if math.isnan(share) or not 0 <= share <= 1:
            raise ValueError(f"a share is between 0 and 1: {share}")
        pts = self.points
        for (s0, t0), (s1, t1) in pairwise(pts):
            if share <= s1:
                return t0 + (t1 - t0) * (share - s0) / (s1 - s0)
        return TPI_MAX


DEFAULT_CONVERSION = TpiConversion(
    ((0.0, 0.0), (0.04, 2.0), (0.08, 4.0), (0.11, 6.0), (0.14, 8.0), (0.24, 10.0))
)


def tpi_band(tpi: float) -> TrafficState:
    """The band of a TPI: [0,2) 畅通 … [8,10] 严重拥堵; an edge belongs to the band above."""
    if math.isnan(tpi) or not 0 <= tpi <= TPI_MAX:
        raise ValueError(f"a TPI is between 0 and 10: {tpi}")
    return STATES[min(int(tpi // 2), len(STATES) - 1)]


@dataclass(frozen=True)
class TrafficIndex:
    tpi: float | None  # None: no traffic measured
    band: TrafficState | None
    congested_share: float | None
    segments: int


def network_tpi(
    segments: Iterable[SegmentFlow],
    *,
    conversion: TpiConversion = DEFAULT_CONVERSION,
    congested: frozenset[TrafficState] = CONGESTED,
    bands: Mapping[RoadClass, tuple[float, float, float, float]] = SPEED_BANDS,
    digits: int = 1,
) -> TrafficIndex:
    """The TPI of a road network (an area's segments) for one interval, rounded to `digits`
    (bulletins print one decimal); the band is that of the rounded value."""
    segs = list(segments)
    share = congested_share(segs, congested=congested, bands=bands)
    if share is None:
        return TrafficIndex(None, None, None, len(segs))
    value = round(conversion.tpi(share), digits)
    return TrafficIndex(value, tpi_band(value), share, len(segs))
