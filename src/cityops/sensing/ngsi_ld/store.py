"""Read queries over the sensing tables for NGSI-LD (read-only; the tables are sensing/store.py's).

Devices are narrowed in SQL by SDM type, code and a bounding box; `q` and the exact geo test are
applied to the rows found (see service.py). Raw aggregation is one `GROUP BY` of the period index
`(ts − start) // step`, so an answer costs at most as many rows as it has periods.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, distinct, func, or_, select
from sqlalchemy.orm import Session

from cityops.sensing import store as t
from cityops.sensing.catalog import metric_from_dict
from cityops.sensing.model import DeviceStatus
from cityops.sensing.ngsi_ld.mapping import DEFAULT_TYPE, DeviceView, LatestValue
from cityops.sensing.ngsi_ld.temporal import Stats

_CHUNK = 500  # device ids per IN (…) when reading latest values


@dataclass(frozen=True)
class DeviceFilter:
    types: Collection[str] = ()  # SDM types; Device also matches a type without one
    codes: Collection[str] = ()
    bbox: tuple[float, float, float, float] | None = None  # west, south, east, north


def _devices_select(found: DeviceFilter) -> Select[tuple[object, ...]]:
    d, k = t.devices, t.device_types
    stmt = (
        select(d.c.id, d.c.code, d.c.name, d.c.lon, d.c.lat, d.c.area_code, k.c.sdm_type)
        .add_columns(k.c.metrics)
        .join(k, k.c.code == d.c.type_code)
        .where(d.c.status != DeviceStatus.retired.value)
    )
    if found.types:
        kinds: list[ColumnElement[bool]] = [k.c.sdm_type.in_(sorted(found.types))]
        if DEFAULT_TYPE in found.types:
            kinds.append(k.c.sdm_type == "")
        stmt = stmt.where(or_(*kinds))
    if found.codes:
        stmt = stmt.where(d.c.code.in_(sorted(found.codes)))
    if found.bbox is not None:
        west, south, east, north = found.bbox
        stmt = stmt.where(d.c.lat.between(south, north))
        if west >= -180 and east <= 180:
            stmt = stmt.where(d.c.lon.between(west, east))
    return stmt.order_by(d.c.code)


def device_views(session: Session, found: DeviceFilter) -> list[DeviceView]:
    """The devices that pass the filter, by code, each with its latest values."""
    rows = session.execute(_devices_select(found)).all()
    latest = _latest(session, [int(row.id) for row in rows])
    return [
        DeviceView(
            device_id=int(row.id),
            code=row.code,
            name=row.name,
            lon=float(row.lon),
            lat=float(row.lat),
            area_code=row.area_code,
            sdm_type=row.sdm_type,
            metrics=tuple(metric_from_dict(m) for m in row.metrics),
            latest=latest.get(int(row.id), {}),
        )
        for row in rows
    ]


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _latest(session: Session, ids: Sequence[int]) -> dict[int, dict[str, LatestValue]]:
    found: dict[int, dict[str, LatestValue]] = {}
    for chunk in _chunks(ids):
        rows = session.execute(
            select(t.latest.c.device_id, t.latest.c.metric, t.latest.c.ts, t.latest.c.value).where(
                t.latest.c.device_id.in_(chunk)
            )
        )
        for row in rows:
            found.setdefault(int(row.device_id), {})[row.metric] = LatestValue(
                int(row.ts), float(row.value)
            )
    return found


def recent_points(
    session: Session, device_id: int, metric: str, start: int | None, end: int | None, n: int
) -> list[tuple[int, float]]:
    """The newest `n` raw points in [start, end), oldest first."""
    p = t.points
    stmt = select(p.c.ts, p.c.value).where(p.c.device_id == device_id, p.c.metric == metric)
    if start is not None:
        stmt = stmt.where(p.c.ts >= start)
    if end is not None:
        stmt = stmt.where(p.c.ts < end)
    rows = session.execute(stmt.order_by(p.c.ts.desc()).limit(n)).all()
    return [(int(row.ts), float(row.value)) for row in reversed(rows)]


def raw_stats(
    session: Session, device_id: int, metric: str, start: int, end: int, step: int
) -> dict[int, Stats]:
    """Figures per period index `(ts − start) // step` of the raw points in [start, end)."""
    p = t.points
    index = ((p.c.ts - start) // step).label("ix")
    stmt = (
        select(
            index,
            func.count(),
            func.sum(p.c.value),
            func.min(p.c.value),
            func.max(p.c.value),
            func.sum(p.c.value * p.c.value),
            func.count(distinct(p.c.value)),
        )
        .where(p.c.device_id == device_id, p.c.metric == metric, p.c.ts >= start, p.c.ts < end)
        .group_by(index)
    )
    return {
        int(ix): Stats(int(n), float(total), float(low), float(high), float(sq), int(dist))
        for ix, n, total, low, high, sq, dist in session.execute(stmt)
    }


def rollup_stats(
    session: Session, device_id: int, metric: str, period: str, start: int, end: int
) -> dict[int, Stats]:
    """Rollup rows of one period (`1m`, `1h`, `1d`) whose bucket starts in [start, end)."""
    r = t.rollups
    stmt = select(r.c.bucket, r.c["count"], r.c["sum"], r.c["min"], r.c["max"]).where(
        and_(
            r.c.device_id == device_id,
            r.c.metric == metric,
            r.c.period == period,
            r.c.bucket >= start,
            r.c.bucket < end,
        )
    )
    return {
        int(bucket): Stats(int(n), float(total), float(low), float(high))
        for bucket, n, total, low, high in session.execute(stmt)
    }
