"""Use cases that read the time series: a device's series, latest values, device health.

Sensing viewers (`policy.SENSING_VIEWERS`) see every device for now: devices carry an area and
an O&M unit, but no rule yet narrows a viewer to theirs (a scope by area would go here, as a
filter on the device queries, the way cases are scoped).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from cityops.kernel.actor import Actor
from cityops.kernel.errors import NotFound, ValidationFailed
from cityops.sensing import devices as rows
from cityops.sensing import policy, queries
from cityops.sensing.buckets import MINUTE_MS, Period, bucket_start
from cityops.sensing.catalog import DeviceType
from cityops.sensing.devices import DeviceRecord
from cityops.sensing.downsample import lttb
from cityops.sensing.queries import Bucket, DeviceDoc, DeviceLatest
from cityops.sensing.rollup import read_watermark

INTERVALS = ("raw", "1m", "1h", "1d")
AGGS = ("avg", "min", "max", "sum", "count", "last")
# the longest range each interval answers (a year of hours is 8,784 buckets)
MAX_SPAN = {
    "raw": timedelta(days=31),
    "1m": timedelta(days=31),
    "1h": timedelta(days=3 * 366),
    "1d": timedelta(days=20 * 366),
}
MAX_RAW_POINTS = 200_000
GROUPINGS = ("type", "area", "om_department")


@dataclass(frozen=True)
class Series:
    device_code: str
    metric: str
    unit: str
    interval: str
    agg: str
    start: int  # ms
    end: int
    points: list[tuple[int, float]]  # (ms, value)
    downsampled_from: int | None  # the number of points before LTTB, when it was applied


@dataclass(frozen=True)
class MetricSummary:
    """A metric's latest values across the devices asked for."""

    metric: str
    devices: int
    min: float
    max: float
    avg: float
    newest: int  # ms


@dataclass(frozen=True)
class LatestTexts:
    """The latest values of many devices, each device's as the JSON text the API answers with."""

    devices: list[DeviceDoc]
    total: int
    summary: list[MetricSummary]


@dataclass(frozen=True)
class LatestAnswer:
    devices: list[DeviceLatest]
    total: int
    summary: list[MetricSummary]


@dataclass(frozen=True)
class HealthGroup:
    key: str
    devices: int
    online: int
    maintenance: int
    received: int
    expected: float

    @property
    def online_rate(self) -> float:  # 在线率
        return self.online / self.devices if self.devices else 0.0

    @property
    def completeness(self) -> float:  # 数据完整率
        return min(1.0, self.received / self.expected) if self.expected else 0.0


@dataclass(frozen=True)
class HealthAnswer:
    group_by: str
    window_start: int  # ms
    window_end: int
    groups: list[HealthGroup]


def bucket_value(bucket: Bucket, agg: str) -> float:
    """The value of a rollup bucket under `agg`."""
    if agg == "avg":
        return bucket.sum / bucket.count if bucket.count else math.nan
    if agg == "count":
        return float(bucket.count)
    value: float = getattr(bucket, agg)
    return value


def summarize(devices: list[DeviceLatest]) -> list[MetricSummary]:
    """Per metric: how many devices have a value, their min, max and mean, the newest instant."""
    held: dict[str, list[float]] = {}  # metric → [devices, min, max, sum, newest]
    for device in devices:
        for v in device.values:
            acc = held.get(v.metric)
            if acc is None:
                held[v.metric] = [1, v.value, v.value, v.value, v.ts]
                continue
            acc[0] += 1
            acc[1] = min(acc[1], v.value)
            acc[2] = max(acc[2], v.value)
            acc[3] += v.value
            acc[4] = max(acc[4], v.ts)
    return [
        MetricSummary(metric, int(n), lo, hi, total / n, int(newest))
        for metric, (n, lo, hi, total, newest) in sorted(held.items())
    ]


def expected_points(window: tuple[int, int], created_ms: int, interval_ms: int) -> float:
    """How many points a metric reporting every `interval_ms` owes in the window, counted from
    when its device was registered."""
    start = max(window[0], created_ms)
    return max(0, window[1] - start) / interval_ms


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


class SeriesReads:
    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now

    def series(
        self,
        session: Session,
        actor: Actor,
        code: str,
        *,
        metric: str,
        start: datetime | None,
        end: datetime | None,
        interval: str = "raw",
        agg: str = "avg",
        points: int | None = None,
    ) -> Series:
        policy.may_view_sensing(actor)
        device = _device(session, code)
        kind = {k.code: k for k in rows.load_types(session)}[device.type_code]
        spec = kind.spec_map().get(metric)
        if spec is None:
            raise ValidationFailed(
                f"device {code} has no metric {metric!r}; its metrics: "
                + ", ".join(m.key for m in kind.metrics),
                code="unknown_series_metric",
            )
        if interval not in INTERVALS or agg not in AGGS:
            raise ValidationFailed(
                f"interval is one of {', '.join(INTERVALS)} and agg one of {', '.join(AGGS)}",
                code="bad_series_interval",
            )
        end = end or self._now()
        start = start or end - timedelta(days=1)
        if start >= end or end - start > MAX_SPAN[interval]:
            raise ValidationFailed(
                f"from must be before to, at most {MAX_SPAN[interval].days} days apart for "
                f"interval={interval}",
                code="bad_time_range",
            )
        a, b = _ms(start), _ms(end)
        conn = session.connection()
        if interval == "raw":
            found = queries.raw_points(conn, device.id, metric, a, b, MAX_RAW_POINTS + 1)
            if len(found) > MAX_RAW_POINTS:
                raise ValidationFailed(
                    f"more than {MAX_RAW_POINTS} raw points in the range: ask for an interval",
                    code="bad_time_range",
                )
        else:
            period = Period(interval)
            found = [
                (item.ts, bucket_value(item, agg))
                for item in queries.buckets(
                    conn, device.id, metric, period, bucket_start(a, period), b
                )
            ]
        before = len(found)
        if points is not None and before > points:
            chart = lttb([(float(ts), v) for ts, v in found], points)
            found = [(int(x), y) for x, y in chart]
        return Series(
            device_code=code,
            metric=metric,
            unit=spec.unit,
            interval=interval,
            agg=agg if interval != "raw" else "raw",
            start=a,
            end=b,
            points=found,
            downsampled_from=before if len(found) < before else None,
        )

    def latest(
        self,
        session: Session,
        actor: Actor,
        *,
        device: str | None = None,
        area: str | None = None,
        type_code: str | None = None,
        metric: str | None = None,
        limit: int = 10_000,
    ) -> LatestAnswer:
        """The latest values (of one metric, or all) of one device, or of the devices of an area
        (code prefix) and/or a type, with each metric's count, min, max and average over them."""
        policy.may_view_sensing(actor)
        if (device and (area or type_code)) or not (device or area or type_code):
            raise ValidationFailed(
                "ask for one device, or an area and/or a type", code="bad_latest_filter"
            )
        conn = session.connection()
        if device:
            record = _device(session, device)
            values = [
                v
                for v in queries.latest_of_device(conn, record.id)
                if not metric or v.metric == metric
            ]
            found = [DeviceLatest(record.code, record.type_code, record.area_code, tuple(values))]
            total = 1
        else:
            found, total = queries.latest_of_devices(
                conn, type_code=type_code, area_prefix=area, metric=metric, limit=limit
            )
        return LatestAnswer(devices=found, total=total, summary=summarize(found))

    def latest_texts(
        self,
        session: Session,
        actor: Actor,
        *,
        area: str | None = None,
        type_code: str | None = None,
        limit: int = 10_000,
    ) -> LatestTexts:
        """All the latest values of the devices of an area (code prefix) and/or a type, each
        device's as its stored JSON text, with each metric's count, min, max and average: what
        `latest` answers for many devices, without a Python object per value."""
        policy.may_view_sensing(actor)
        if not (area or type_code):
            raise ValidationFailed("ask for an area and/or a type", code="bad_latest_filter")
        found, total, stats = queries.latest_docs_of_devices(
            session.connection(), type_code=type_code, area_prefix=area, limit=limit
        )
        return LatestTexts(
            devices=found, total=total, summary=[MetricSummary(*row) for row in stats]
        )

    def health(
        self,
        session: Session,
        actor: Actor,
        *,
        group_by: str = "type",
        area: str | None = None,
        window_minutes: int = 60,
    ) -> HealthAnswer:
        """Per group: devices, online (newest value younger than the device's inactivity
        timeout), in maintenance, and the points received against those expected over the
        last `window_minutes` whole minutes the rollup job has rolled up."""
        policy.may_view_sensing(actor)
        if group_by not in GROUPINGS:
            raise ValidationFailed(
                f"group_by is one of {', '.join(GROUPINGS)}", code="bad_health_grouping"
            )
        now = _ms(self._now())
        conn = session.connection()
        mark = read_watermark(conn)
        end = bucket_start(min(now, mark if mark is not None else now), Period.minute)
        window = (end - window_minutes * MINUTE_MS, end)
        online = queries.online_counts(conn, group_by, now, area)
        kinds: dict[str, DeviceType] = {k.code: k for k in rows.load_types(session)}
        since = datetime.fromtimestamp(window[0] / 1000, tz=UTC)
        spans = {d.id: d for d in queries.devices_for_health(conn, group_by, since, area)}
        received, expected = _completeness(
            window, kinds, spans, queries.received(conn, window[0], window[1])
        )
        groups = [
            HealthGroup(key, n, on, maint, received.get(key, 0), expected.get(key, 0.0))
            for key, (n, on, maint) in sorted(online.items())
        ]
        return HealthAnswer(group_by, window[0], window[1], groups)


def _completeness(
    window: tuple[int, int],
    kinds: dict[str, DeviceType],
    spans: dict[int, queries.DeviceSpan],
    got: Sequence[tuple[int, str, int]],
) -> tuple[dict[str, int], dict[str, float]]:
    """Points received (each device's metric counted up to what it owed) and owed, per group.
    A device registered before the window owes what its type owes; the few registered inside
    it owe from their registration."""
    owed_by_type = {
        code: {s.key: expected_points(window, 0, _ms_of(s.interval)) for s in kind.metrics}
        for code, kind in kinds.items()
    }
    received: dict[str, int] = {}
    expected: dict[str, float] = {}
    for span in spans.values():
        if span.created_ms:
            owed = sum(
                expected_points(window, span.created_ms, _ms_of(s.interval))
                for s in kinds[span.type_code].metrics
            )
        else:
            owed = sum(owed_by_type[span.type_code].values())
        expected[span.group] = expected.get(span.group, 0.0) + owed
    for device_id, metric, n in got:
        one = spans.get(device_id)
        if one is None:
            continue
        if one.created_ms:
            spec = kinds[one.type_code].spec_map().get(metric)
            cap = (
                0.0
                if spec is None
                else expected_points(window, one.created_ms, _ms_of(spec.interval))
            )
        else:
            cap = owed_by_type[one.type_code].get(metric, 0.0)
        received[one.group] = received.get(one.group, 0) + min(n, math.ceil(cap))
    return received, expected


def _ms_of(delta: timedelta) -> int:
    return max(1, int(delta.total_seconds() * 1000))


def _device(session: Session, code: str) -> DeviceRecord:
    device = rows.get_device(session, code)
    if device is None:
        raise NotFound(f"no device {code}", code="device_not_found")
    return device
