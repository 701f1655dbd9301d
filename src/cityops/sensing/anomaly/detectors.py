"""Per-series streaming detectors: spike, stuck-at and drift. One instance watches one
(device, metric) series; `feed(ts, value)` takes the next reading in time order and returns the
anomalies it makes certain (possibly one reading late, for a confirmed spike). State is a few
fixed-size rings, so memory does not grow with the length of the stream."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta

from cityops.kernel.clock import SHANGHAI
from cityops.sensing.anomaly.model import (
    Anomaly,
    AnomalyKind,
    DriftParams,
    SpikeParams,
    StuckParams,
)
from cityops.sensing.anomaly.robust import Ring, median, robust_center_scale

HOURS_PER_WEEK = 168
_SCALE_REFRESH = 24  # the drift residual scale is recomputed every this many residuals


@dataclass(frozen=True, slots=True)
class _Candidate:
    ts: datetime
    value: float
    center: float
    scale: float

    @property
    def z(self) -> float:
        return (self.value - self.center) / self.scale


class SpikeDetector:
    """Robust z-score of each value against the recent level and the recent hour-to-hour
    variability (median and MAD over a rolling window)."""

    def __init__(self, device_code: str, metric: str, params: SpikeParams | None = None) -> None:
        self.device_code, self.metric = device_code, metric
        self.params = params or SpikeParams()
        self._window = Ring(self.params.window)
        self._pending: _Candidate | None = None

    def feed(self, ts: datetime, value: float) -> list[Anomaly]:
        p = self.params
        found: list[Anomaly] = []
        pending, self._pending = self._pending, None
        if pending is not None:
            departure = abs(pending.value - pending.center)
            if abs(value - pending.center) <= p.return_ratio * departure:
                found.append(self._anomaly(pending, f"；下一个值 {value:g} 已回到近期水平"))
        if len(self._window) >= p.min_history:
            recent = list(self._window.values())
            center = median(recent[-p.ref_points :])
            changes = [b - a for a, b in itertools.pairwise(recent)]
            _, spread = robust_center_scale(changes, p.abs_floor, 0.0)
            candidate = _Candidate(ts, value, center, max(spread, p.rel_floor * abs(center)))
            if abs(candidate.z) > p.threshold:
                if p.confirm:
                    self._pending = candidate
                else:
                    found.append(self._anomaly(candidate, ""))
        self._window.push(value)
        return found

    def _anomaly(self, c: _Candidate, tail: str) -> Anomaly:
        text = (
            f"{self.metric} 读数 {c.value:g} 偏离近期水平 {c.center:g} 达 {c.z:+.1f} 个稳健标准差"
            f"（尺度 {c.scale:.3g}：最近 {len(self._window)} 个值相邻两值之差的离散程度）{tail}"
        )
        return Anomaly(self.device_code, self.metric, c.ts, AnomalyKind.spike, abs(c.z), text)


class StuckDetector:
    """The same value `run` times in a row, on a series that normally varies."""

    def __init__(self, device_code: str, metric: str, params: StuckParams | None = None) -> None:
        self.device_code, self.metric = device_code, metric
        self.params = params or StuckParams()
        self._history = Ring(self.params.window + self.params.run)
        self._run_value: float | None = None
        self._run_len = 0
        self._run_start: datetime | None = None

    def feed(self, ts: datetime, value: float) -> list[Anomaly]:
        p = self.params
        if self._run_value is not None and abs(value - self._run_value) <= p.tolerance:
            self._run_len += 1
        else:
            self._run_value, self._run_len, self._run_start = value, 1, ts
        self._history.push(value)
        if self._run_len != p.run or not self._varies_before_run():
            return []
        start = _local(self._run_start) if self._run_start is not None else ts
        text = (
            f"{self.metric} 自 {start:%Y-%m-%d %H:%M} 起连续 {self._run_len} 次上报同一读数 "
            f"{value:g}，而该指标平时有波动"
        )
        return [
            Anomaly(
                self.device_code, self.metric, ts, AnomalyKind.stuck, float(self._run_len), text
            )
        ]

    def _varies_before_run(self) -> bool:
        p = self.params
        before = list(self._history.values())[: -self._run_len]
        if len(before) < max(2, p.window // 2):
            return False
        if p.skip_at_floor and (self._run_value or 0.0) <= min(before) + p.tolerance:
            return False
        repeats = sum(1 for a, b in itertools.pairwise(before) if abs(a - b) <= p.tolerance)
        distinct = len({round(v / p.tolerance) if p.tolerance > 0 else v for v in before})
        return repeats / (len(before) - 1) <= p.max_repeat_share and distinct >= p.min_distinct


def _local(ts: datetime) -> datetime:
    """An instant shown in Beijing time; a naive one (a series without a zone) as it is."""
    return ts.astimezone(SHANGHAI) if ts.tzinfo is not None else ts


def hour_of_week(ts: datetime, utc_offset: timedelta) -> int:
    local = ts + utc_offset
    return local.weekday() * 24 + local.hour


class DriftDetector:
    """The recent level against the device's own hour-of-week baseline."""

    def __init__(self, device_code: str, metric: str, params: DriftParams | None = None) -> None:
        self.device_code, self.metric = device_code, metric
        self.params = params or DriftParams()
        self._slots: dict[int, Ring] = {}  # at most 168 rings of `weeks` values
        self._residuals = Ring(self.params.scale_window)
        self._recent = Ring(self.params.horizon)
        self._scale = 0.0
        self._since_scale = _SCALE_REFRESH
        self._active = False
        self._frozen = 0

    def feed(self, ts: datetime, value: float) -> list[Anomaly]:
        p = self.params
        slot = self._slots.setdefault(hour_of_week(ts, p.utc_offset), Ring(p.weeks))
        found: list[Anomaly] = []
        if len(slot) >= p.min_weeks:
            base = median(slot.values())
            residual = value - base
            self._residuals.push(residual)
            self._since_scale += 1
            if self._since_scale >= _SCALE_REFRESH:
                _, self._scale = robust_center_scale(
                    self._residuals.values(), p.abs_floor, p.rel_floor
                )
                self._since_scale = 0
            self._recent.push(residual / self._scale)
            if len(self._recent) == p.horizon:
                level = median(self._recent.values())
                if not self._active and abs(level) > p.threshold:
                    self._active = True
                    found.append(self._anomaly(ts, value, base, level))
                elif self._active and abs(level) < p.threshold * p.rearm:
                    self._active = False
        if self._active and self._frozen < p.weeks * HOURS_PER_WEEK:
            self._frozen += 1  # a drifting sensor does not teach its own baseline (for a while)
        else:
            self._frozen = self._frozen if self._active else 0
            slot.push(value)
        return found

    def _anomaly(self, ts: datetime, value: float, base: float, level: float) -> Anomaly:
        text = (
            f"{self.metric} 最近 {self.params.horizon} 次上报的残差中位数偏离本设备按周内小时"
            f"统计的基线 {level:+.1f} 个稳健标准差（当前 {value:g}，该时段基线 {base:g}）"
        )
        return Anomaly(self.device_code, self.metric, ts, AnomalyKind.drift, abs(level), text)
