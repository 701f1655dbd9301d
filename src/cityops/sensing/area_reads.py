"""Grouped reads of readings and alarms per stored area code, for the layers above (the vital
signs of insight): each query groups by the devices' deepest area (`sensing_devices.area_code`),
so a caller adds the rows up to any enclosing area by code prefix. Instants are ms since 1970 UTC.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from cityops.sensing import store as t
from cityops.sensing.alarm_store import AREA_KIND
from cityops.sensing.model import DeviceStatus

ANY_METRIC = "*"


@dataclass(frozen=True, slots=True)
class AreaBuckets:
    """Rollup buckets of one metric over the devices of one stored area in a window."""

    area_code: str
    sum: float
    count: int
    min: float
    max: float


@dataclass(frozen=True, slots=True)
class DeviceLatest:
    """One device's newest reading (of one metric, or of any metric with `*`)."""

    area_code: str
    device_id: int
    ts: int | None  # None: never reported
    value: float | None
    inactivity_seconds: int


def bucket_aggregates(
    session: Session, metric: str, period: str, start_ms: int, end_ms: int
) -> list[AreaBuckets]:
    """Per stored area: sum, count, min and max of the `period` buckets ("1m" or "1h") whose
    start lies in [start_ms, end_ms), over the devices that are not retired."""
    r, d = t.rollups.c, t.devices.c
    stmt = (
        select(
            d.area_code,
            func.sum(r.sum),
            func.sum(r.count),
            func.min(r.min),
            func.max(r.max),
        )
        .select_from(t.rollups.join(t.devices, t.devices.c.id == r.device_id))
        .where(
            r.metric == metric,
            r.period == period,
            r.bucket >= start_ms,
            r.bucket < end_ms,
            d.status != DeviceStatus.retired.value,
        )
        .group_by(d.area_code)
    )
    return [
        AreaBuckets(code or "", float(s or 0), int(n or 0), float(lo), float(hi))
        for code, s, n, lo, hi in session.execute(stmt)
        if n
    ]


def latest_per_device(session: Session, metric: str) -> list[DeviceLatest]:
    """Every active device with its newest reading of `metric` (`*`: of any metric), one row
    per device; a device that never reported it has ts and value None."""
    lt, d = t.latest.c, t.devices.c
    cond = lt.device_id == d.id
    if metric != ANY_METRIC:
        cond = and_(cond, lt.metric == metric)
    ts = func.max(lt.ts)
    value = func.max(lt.value)  # one row per device and metric: its only value
    stmt = (
        select(d.area_code, d.id, ts, value, d.inactivity_seconds)
        .select_from(t.devices.outerjoin(t.latest, cond))
        .where(d.status == DeviceStatus.active.value)
        .group_by(d.id, d.area_code, d.inactivity_seconds)
    )
    if metric != ANY_METRIC:
        # only devices that measure the metric: a type listing it, or a stored reading of it
        stmt = stmt.having(func.count(lt.device_id) > 0)
    return [
        DeviceLatest(code or "", int(dev), None if ts_ is None else int(ts_), val, int(inact))
        for code, dev, ts_, val, inact in session.execute(stmt)
    ]


def active_alarm_counts(session: Session, metric: str) -> list[tuple[str, int]]:
    """Per alarm area: the active alarms about `metric` — those whose recorded values (the
    readings of the metrics the rule or the anomaly detector read when it fired, the alarm's
    `detail.values`) hold it, so a manhole gauge's overflow or battery alarm is not counted
    under its cover's tilt. `*`: every active alarm of the devices, whatever it is about
    (silent devices and groups too). An alarm of many devices (a group) counts once, under its
    own area; the areas' own alarms (raised by the vital signs themselves) are not counted."""
    a = t.alarms.c
    stmt = select(a.area_code, func.count()).where(a.active.is_(True), a.kind != AREA_KIND)
    if metric != ANY_METRIC:
        stmt = stmt.where(a.detail[("values", metric)].as_string().is_not(None))
    rows: Sequence[tuple[str, int]] = [
        (code or "", int(n)) for code, n in session.execute(stmt.group_by(a.area_code))
    ]
    return list(rows)
