"""Reads of the time series for people: a device's series (raw or from the rollups), latest
values per device, area and type, and device health (online and data completeness).

Every read goes through a primary key: points by (device, metric, instant), rollups by
(device, metric, period, bucket), latest values by device. Health never scans the time
series: online is each device's newest instant in `sensing_latest` against its inactivity
timeout (the writer upserts latest values in batches, no row update per message), and the
points received in a window are the counts of the 1-minute rollups of the (device, metric)
pairs that ever reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Connection, Select, and_, case, cast, func, literal, select

from cityops.sensing import store as t
from cityops.sensing.buckets import Period


@dataclass(frozen=True, slots=True)
class Bucket:
    """One rollup bucket: its start (ms) and aggregates."""

    ts: int
    min: float
    max: float
    sum: float
    count: int
    last: float


@dataclass(frozen=True, slots=True)
class LatestValue:
    metric: str
    ts: int  # ms
    value: float


@dataclass(frozen=True)
class DeviceLatest:
    code: str
    type_code: str
    area_code: str
    values: tuple[LatestValue, ...]


def raw_points(
    conn: Connection, device_id: int, metric: str, start: int, end: int, limit: int
) -> list[tuple[int, float]]:
    p = t.points
    rows = conn.execute(
        select(p.c.ts, p.c.value)
        .where(p.c.device_id == device_id, p.c.metric == metric, p.c.ts >= start, p.c.ts < end)
        .order_by(p.c.ts)
        .limit(limit)
    )
    return [(int(ts), float(value)) for ts, value in rows]


def buckets(
    conn: Connection, device_id: int, metric: str, period: Period, start: int, end: int
) -> list[Bucket]:
    r = t.rollups
    rows = conn.execute(
        select(r.c.bucket, r.c.min, r.c.max, r.c.sum, r.c.count, r.c.last)
        .where(
            r.c.device_id == device_id,
            r.c.metric == metric,
            r.c.period == period.value,
            r.c.bucket >= start,
            r.c.bucket < end,
        )
        .order_by(r.c.bucket)
    )
    return [
        Bucket(int(b), float(lo), float(hi), float(s), int(n), float(la))
        for b, lo, hi, s, n, la in rows
    ]


def latest_of_device(conn: Connection, device_id: int) -> list[LatestValue]:
    lt = t.latest
    rows = conn.execute(
        select(lt.c.metric, lt.c.ts, lt.c.value)
        .where(lt.c.device_id == device_id)
        .order_by(lt.c.metric)
    )
    return [LatestValue(m, int(ts), float(v)) for m, ts, v in rows]


def latest_of_devices(
    conn: Connection,
    *,
    type_code: str | None = None,
    area_prefix: str | None = None,
    metric: str | None = None,
    limit: int = 10_000,
) -> tuple[list[DeviceLatest], int]:
    """The latest values (of one metric, or all) of the devices of a type and/or an area (code
    prefix), by device code; at most `limit` devices, with the number that matched. Two reads:
    the devices, then their values (fewer columns per value row than one join)."""
    d, lt = t.devices, t.latest
    where = [d.c.status != "retired"]
    if type_code:
        where.append(d.c.type_code == type_code)
    if area_prefix:
        where.append(d.c.area_code.startswith(area_prefix, autoescape=True))
    found = conn.execute(
        select(d.c.id, d.c.code, d.c.type_code, d.c.area_code)
        .where(*where)
        .order_by(d.c.code)
        .limit(limit + 1)
    ).all()
    if len(found) > limit:
        found = found[:limit]
        total = int(conn.execute(select(func.count()).select_from(d).where(*where)).scalar_one())
    else:
        total = len(found)
    held: dict[int, list[LatestValue]] = {int(row[0]): [] for row in found}
    values = select(lt.c.device_id, lt.c.metric, lt.c.ts, lt.c.value)
    if total > limit:  # only the devices listed
        chosen = select(d.c.id).where(*where).order_by(d.c.code).limit(limit).subquery()
        values = values.join(chosen, chosen.c.id == lt.c.device_id)
    else:
        values = values.join(d, d.c.id == lt.c.device_id).where(*where)
    if metric:
        values = values.where(lt.c.metric == metric)
    values = values.order_by(lt.c.device_id, lt.c.metric)
    for device_id, name, ts, value in fetch_tuples(conn, values):
        held[device_id].append(LatestValue(name, ts, value))
    return [DeviceLatest(code, kind, area, tuple(held[i])) for i, code, kind, area in found], total


@dataclass(frozen=True, slots=True)
class DeviceDoc:
    """A device's latest values as the stored JSON text (latest_docs.py), "[]" before any."""

    code: str
    type_code: str
    area_code: str
    doc: str


MetricStats = tuple[str, int, float, float, float, int]  # metric, devices, min, max, avg, newest


def latest_docs_of_devices(
    conn: Connection,
    *,
    type_code: str | None = None,
    area_prefix: str | None = None,
    limit: int = 10_000,
) -> tuple[list[DeviceDoc], int, list[MetricStats]]:
    """The stored latest-values texts of the devices of a type and/or an area (code prefix), by
    device code: at most `limit` devices, the number that matched, and per metric over the
    devices listed: how many have a value, min, max, average and the newest instant (from
    `sensing_latest`, by the database)."""
    d, docs, lt = t.devices, t.latest_docs, t.latest
    where = [d.c.status != "retired"]
    if type_code:
        where.append(d.c.type_code == type_code)
    if area_prefix:
        where.append(d.c.area_code.startswith(area_prefix, autoescape=True))
    listed = (
        select(d.c.code, d.c.type_code, d.c.area_code, func.coalesce(docs.c.doc, "[]"))
        .outerjoin(docs, docs.c.device_id == d.c.id)
        .where(*where)
        .order_by(d.c.code)
        .limit(limit + 1)
    )
    found = fetch_tuples(conn, listed)
    stats = select(
        lt.c.metric,
        func.count(),
        func.min(lt.c.value),
        func.max(lt.c.value),
        func.avg(lt.c.value),
        func.max(lt.c.ts),
    )
    if len(found) > limit:
        found = found[:limit]
        total = int(conn.execute(select(func.count()).select_from(d).where(*where)).scalar_one())
        chosen = select(d.c.id).where(*where).order_by(d.c.code).limit(limit).subquery()
        stats = stats.join(chosen, chosen.c.id == lt.c.device_id)
    else:
        total = len(found)
        stats = stats.join(d, d.c.id == lt.c.device_id).where(*where)
    summary = [
        (m, int(n), float(lo), float(hi), float(avg), int(newest))
        for m, n, lo, hi, avg, newest in fetch_tuples(
            conn, stats.group_by(lt.c.metric).order_by(lt.c.metric)
        )
    ]
    return [DeviceDoc(*row) for row in found], total, summary


def fetch_tuples(conn: Connection, stmt: Select[Any]) -> list[tuple[Any, ...]]:
    """The rows of `stmt` as the driver's tuples, on the connection's transaction: for reads of
    a hundred thousand small rows, where building SQLAlchemy rows costs more than the query."""
    compiled = stmt.compile(dialect=conn.dialect)
    params = compiled.construct_params()
    args: Any = (
        [params[name] for name in compiled.positiontup or ()] if compiled.positional else params
    )
    cursor = conn.connection.cursor()
    try:
        cursor.execute(compiled.string, args)
        return list(cursor.fetchall())
    finally:
        cursor.close()


_GROUPS = {
    "type": t.devices.c.type_code,
    "area": t.devices.c.area_code,
    "om_department": t.devices.c.om_department,
}


def online_counts(
    conn: Connection, group_by: str, now_ms: int, area_prefix: str | None = None
) -> dict[str, tuple[int, int, int]]:
    """Per group: (devices, online, in maintenance), retired devices left out. A device is
    online when its newest value is younger than its inactivity timeout."""
    d, lt = t.devices, t.latest
    newest = (
        select(lt.c.device_id, func.max(lt.c.ts).label("newest"))
        .group_by(lt.c.device_id)
        .subquery()
    )
    group = _GROUPS[group_by]
    timeout_ms = cast(d.c.inactivity_seconds, BigInteger) * literal(1000, BigInteger)
    online = case((newest.c.newest >= literal(now_ms, BigInteger) - timeout_ms, 1), else_=0)
    where = [d.c.status != "retired"]
    if area_prefix:
        where.append(d.c.area_code.startswith(area_prefix, autoescape=True))
    rows = conn.execute(
        select(
            group,
            func.count(),
            func.sum(online),
            func.sum(case((d.c.status == "maintenance", 1), else_=0)),
        )
        .select_from(d.outerjoin(newest, newest.c.device_id == d.c.id))
        .where(*where)
        .group_by(group)
    )
    return {str(g): (int(n), int(on or 0), int(m or 0)) for g, n, on, m in rows}


@dataclass(frozen=True)
class DeviceSpan:
    id: int
    group: str
    type_code: str
    created_ms: int


def devices_for_health(
    conn: Connection, group_by: str, since: datetime, area_prefix: str | None = None
) -> list[DeviceSpan]:
    """Every device not retired with its group and type; `created_ms` is its registration for
    the few registered after `since`, else 0 (one read of plain tuples for the many)."""
    d = t.devices
    where = [d.c.status != "retired"]
    if area_prefix:
        where.append(d.c.area_code.startswith(area_prefix, autoescape=True))
    recent = {
        int(i): _ms(c)
        for i, c in conn.execute(
            select(d.c.id, d.c.created_at).where(*where, d.c.created_at > since)
        )
    }
    rows = fetch_tuples(conn, select(d.c.id, _GROUPS[group_by], d.c.type_code).where(*where))
    return [DeviceSpan(i, g, k, recent.get(i, 0)) for i, g, k in rows]


def received(conn: Connection, start: int, end: int) -> Sequence[tuple[int, str, int]]:
    """(device id, metric, points) in [start, end) from the 1-minute rollups' counts, for the
    pairs that ever reported (read through `sensing_latest`, on the rollups' primary key)."""
    lt, r = t.latest, t.rollups
    stmt = (
        select(r.c.device_id, r.c.metric, func.sum(r.c.count))
        .select_from(
            lt.join(
                r,
                and_(
                    r.c.device_id == lt.c.device_id,
                    r.c.metric == lt.c.metric,
                    r.c.period == Period.minute.value,
                    r.c.bucket >= start,
                    r.c.bucket < end,
                ),
            )
        )
        .where(lt.c.ts >= start)
        .group_by(r.c.device_id, r.c.metric)
    )
    return [(i, m, int(n)) for i, m, n in fetch_tuples(conn, stmt)]


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)
