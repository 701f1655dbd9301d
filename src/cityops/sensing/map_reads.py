"""Device reads for the city map (一图观全域): each device's state — alarm (an active alarm on
it), offline (no value younger than its inactivity timeout), maintenance or online — as points,
or counted per square cell of a lon/lat grid, in SQL. Retired devices are left out."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    and_,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy import case as when
from sqlalchemy.orm import Session

from cityops.sensing import store as t

STATES = ("alarm", "offline", "maintenance", "online")


@dataclass(frozen=True, slots=True)
class DeviceCell:
    lon: float
    lat: float
    count: int
    alarm: int
    offline: int
    maintenance: int
    online: int


@dataclass(frozen=True, slots=True)
class MapDevice:
    code: str
    name: str
    type_code: str
    lon: float
    lat: float
    state: str


@dataclass(frozen=True, slots=True)
class DeviceMapFilter:
    """bbox (min_lon, min_lat, max_lon, max_lat), area prefixes (any of them; empty: all),
    device type, state (one of STATES)."""

    bbox: tuple[float, float, float, float] | None = None
    area_prefixes: tuple[str, ...] = ()
    type_code: str | None = None
    state: str | None = None


def _state(now_ms: int) -> ColumnElement[str]:
    d, lt, al = t.devices, t.latest, t.alarms
    newest = select(func.max(lt.c.ts)).where(lt.c.device_id == d.c.id).scalar_subquery()
    timeout_ms = cast(d.c.inactivity_seconds, BigInteger) * literal(1000, BigInteger)
    alarmed = exists().where(al.c.device_id == d.c.id, al.c.active.is_(True))
    return when(
        (alarmed, "alarm"),
        (d.c.status == "maintenance", "maintenance"),
        (or_(newest.is_(None), newest < literal(now_ms, BigInteger) - timeout_ms), "offline"),
        else_="online",
    )


def _where(f: DeviceMapFilter) -> list[ColumnElement[bool]]:
    d = t.devices
    where: list[ColumnElement[bool]] = [d.c.status != "retired"]
    if f.bbox is not None:
        min_lon, min_lat, max_lon, max_lat = f.bbox
        where.append(and_(d.c.lon.between(min_lon, max_lon), d.c.lat.between(min_lat, max_lat)))
    if f.area_prefixes:
        where.append(or_(*(d.c.area_code.startswith(p, autoescape=True) for p in f.area_prefixes)))
    if f.type_code:
        where.append(d.c.type_code == f.type_code)
    return where


def count_devices(session: Session, f: DeviceMapFilter) -> int:
    stmt = select(func.count()).select_from(t.devices).where(*_where(f))
    return int(session.execute(stmt).scalar_one())


def device_points(session: Session, f: DeviceMapFilter, now_ms: int, limit: int) -> list[MapDevice]:
    """The devices of the filter with their state, by code, at most `limit`."""
    d = t.devices
    state = _state(now_ms).label("state")
    inner = select(d.c.code, d.c.name, d.c.type_code, d.c.lon, d.c.lat, state).where(*_where(f))
    sub = inner.subquery()
    stmt = select(sub).order_by(sub.c.code).limit(limit)
    if f.state:
        stmt = stmt.where(sub.c.state == f.state)
    return [MapDevice(*row) for row in session.execute(stmt)]


def device_cells(
    session: Session, f: DeviceMapFilter, now_ms: int, cell_deg: float
) -> list[DeviceCell]:
    """The devices of the filter counted per cell of `cell_deg` degrees, per state."""
    d = t.devices
    sqlite = session.get_bind().dialect.name == "sqlite"
    state = _state(now_ms).label("state")
    sub = select(d.c.lon, d.c.lat, state).where(*_where(f)).subquery()

    def index(column: ColumnElement[float], origin: float) -> ColumnElement[int]:
        shifted = (column - origin) / cell_deg
        return cast(shifted if sqlite else func.floor(shifted), Integer)

    def n(name: str) -> ColumnElement[int]:
        return func.sum(when((sub.c.state == name, 1), else_=0))

    stmt = select(
        func.avg(sub.c.lon), func.avg(sub.c.lat), func.count(), *(n(s) for s in STATES)
    ).group_by(index(sub.c.lon, -180.0), index(sub.c.lat, -90.0))
    if f.state:
        stmt = stmt.where(sub.c.state == f.state)
    return [
        DeviceCell(
            float(lo), float(la), int(c), int(a or 0), int(o or 0), int(m or 0), int(on or 0)
        )
        for lo, la, c, a, o, m, on in session.execute(stmt)
    ]
