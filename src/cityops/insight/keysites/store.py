"""The key sites' table (重点场所): one row a site, its point in WGS84 and the area geo located it
in at import; `batch` names the import that wrote it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Float,
    Index,
    Integer,
    String,
    Table,
    delete,
    func,
    insert,
    or_,
    select,
)
from sqlalchemy.orm import Session

from cityops.infra.db import UTCDateTime, metadata

_ID = BigInteger().with_variant(Integer, "sqlite")

key_sites = Table(
    "insight_key_sites",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),
    Column("name", String(200), nullable=False),
    Column("lon", Float, nullable=False),  # WGS84
    Column("lat", Float, nullable=False),
    Column("area_code", String(40), nullable=False),  # the smallest area holding the point
    Column("address", String(300), nullable=True),
    Column("properties", JSON, nullable=False),
    Column("imported_at", UTCDateTime(), nullable=False),
    Column("batch", String(32), nullable=False),
    Index("ix_insight_key_sites_kind", "kind"),
    Index("ix_insight_key_sites_lon_lat", "lon", "lat"),
    Index("ix_insight_key_sites_area", "area_code"),
)


@dataclass(frozen=True)
class KeySite:
    id: int
    kind: str
    name: str
    lon: float
    lat: float
    area_code: str
    address: str | None
    properties: dict[str, Any]
    imported_at: datetime
    batch: str


@dataclass(frozen=True)
class NewSite:
    kind: str
    name: str
    lon: float
    lat: float
    area_code: str
    address: str | None
    properties: dict[str, Any]


def insert_sites(
    session: Session, sites: Sequence[NewSite], imported_at: datetime, batch: str
) -> None:
    for start in range(0, len(sites), 1000):
        session.execute(
            insert(key_sites),
            [
                {
                    "kind": s.kind,
                    "name": s.name,
                    "lon": s.lon,
                    "lat": s.lat,
                    "area_code": s.area_code,
                    "address": s.address,
                    "properties": s.properties,
                    "imported_at": imported_at,
                    "batch": batch,
                }
                for s in sites[start : start + 1000]
            ],
        )


def delete_kinds(session: Session, kinds: Sequence[str]) -> int:
    if not kinds:
        return 0
    result = session.execute(delete(key_sites).where(key_sites.c.kind.in_(list(kinds))))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _row(r: Any) -> KeySite:
    return KeySite(
        int(r.id),
        r.kind,
        r.name,
        float(r.lon),
        float(r.lat),
        r.area_code,
        r.address,
        dict(r.properties or {}),
        r.imported_at,
        r.batch,
    )


def select_sites(
    session: Session,
    *,
    kinds: Sequence[str] = (),
    bbox: tuple[float, float, float, float] | None = None,
    area_prefixes: Sequence[str] = (),
    limit: int,
) -> list[KeySite]:
    """The sites of the kinds (all when none), inside the bbox, in one of the areas (all when
    none), by kind and name, at most `limit`."""
    stmt = select(key_sites)
    if kinds:
        stmt = stmt.where(key_sites.c.kind.in_(list(kinds)))
    if bbox is not None:
        min_lon, min_lat, max_lon, max_lat = bbox
        stmt = stmt.where(
            key_sites.c.lon.between(min_lon, max_lon), key_sites.c.lat.between(min_lat, max_lat)
        )
    if area_prefixes:
        stmt = stmt.where(or_(*(key_sites.c.area_code.startswith(p) for p in area_prefixes)))
    stmt = stmt.order_by(key_sites.c.kind, key_sites.c.name, key_sites.c.id).limit(limit)
    return [_row(r) for r in session.execute(stmt)]


def get_site(session: Session, site_id: int) -> KeySite | None:
    r = session.execute(select(key_sites).where(key_sites.c.id == site_id)).first()
    return None if r is None else _row(r)


def count_per_kind(session: Session, area_prefixes: Sequence[str] = ()) -> list[tuple[str, int]]:
    stmt = select(key_sites.c.kind, func.count()).group_by(key_sites.c.kind)
    if area_prefixes:
        stmt = stmt.where(or_(*(key_sites.c.area_code.startswith(p) for p in area_prefixes)))
    return [(k, int(n)) for k, n in session.execute(stmt.order_by(key_sites.c.kind))]
