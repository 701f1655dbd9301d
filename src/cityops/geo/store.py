"""The `areas` table and its queries. Tables never leave this module.

Geometry is GeoJSON text in WGS84 (portable across SQLite and PostgreSQL, no spatial extension);
the bbox columns let a query filter cheaply before any polygon is parsed. Every write bumps a
process-wide generation number so each in-memory spatial index in this process knows to rebuild.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    event,
    false,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session

from cityops.geo.model import AreaLevel, AreaRef
from cityops.infra.db import UTCDateTime, metadata

areas = Table(
    "areas",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("code", String(32), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("level", String(16), nullable=False, index=True),
    Column("parent_code", String(32), ForeignKey("areas.code"), nullable=True, index=True),
    Column("alias", String(64), nullable=True, unique=True),
    Column("geometry", Text, nullable=False),
    Column("min_lon", Float, nullable=False),
    Column("min_lat", Float, nullable=False),
    Column("max_lon", Float, nullable=False),
    Column("max_lat", Float, nullable=False),
    # a grid cut by `cityops geo grid` (not drawn by the city); retired once the community
    # receives real grids, kept so that its code still means what it meant
    Column("generated", Boolean, nullable=False, server_default=false()),
    Column("retired_at", UTCDateTime(), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)


@dataclass(frozen=True, slots=True)
class AreaRow:
    code: str
    name: str
    level: AreaLevel
    parent_code: str | None
    alias: str | None
    geometry: str
    bbox: tuple[float, float, float, float]
    generated: bool = False
    retired: bool = False

    @property
    def ref(self) -> AreaRef:
        return AreaRef(
            code=self.code,
            name=self.name,
            level=self.level,
            alias=self.alias,
            generated=self.generated,
            retired=self.retired,
        )


@dataclass(frozen=True, slots=True)
class NewArea:
    code: str
    name: str
    level: AreaLevel
    parent_code: str | None
    alias: str | None
    geometry: str
    bbox: tuple[float, float, float, float]
    generated: bool = False


# --- change tracking (this process) ----------------------------------------------------------

_generation = itertools.count(1)
_current = 0
_lock = threading.Lock()


def generation() -> int:
    """Increases whenever this process writes areas (and again when that write commits)."""
    return _current


def _bump() -> None:
    global _current
    with _lock:
        _current = next(_generation)


def _touched(session: Session) -> None:
    _bump()
    if not session.info.get("geo_areas_listening"):
        session.info["geo_areas_listening"] = True
        event.listen(session, "after_commit", _after_end, once=True)
        event.listen(session, "after_rollback", _after_end, once=True)


def _after_end(session: Session) -> None:
    session.info.pop("geo_areas_listening", None)
    _bump()


# --- queries ---------------------------------------------------------------------------------

_COLUMNS = (
    areas.c.code,
    areas.c.name,
    areas.c.level,
    areas.c.parent_code,
    areas.c.alias,
    areas.c.geometry,
    areas.c.min_lon,
    areas.c.min_lat,
    areas.c.max_lon,
    areas.c.max_lat,
    areas.c.generated,
    areas.c.retired_at,
)


def _row(m: RowMapping) -> AreaRow:
    return AreaRow(
        code=m["code"],
        name=m["name"],
        level=AreaLevel(m["level"]),
        parent_code=m["parent_code"],
        alias=m["alias"],
        geometry=m["geometry"],
        bbox=(m["min_lon"], m["min_lat"], m["max_lon"], m["max_lat"]),
        generated=bool(m["generated"]),
        retired=m["retired_at"] is not None,
    )


def all_areas(session: Session) -> list[AreaRow]:
    """Every area, retired ones included (the index still resolves their codes)."""
    rows = session.execute(select(*_COLUMNS).order_by(areas.c.code)).all()
    return [_row(r._mapping) for r in rows]


def find_area(session: Session, code_or_alias: str) -> AreaRow | None:
    row = session.execute(select(*_COLUMNS).where(areas.c.code == code_or_alias)).first()
    if row is None:
        row = session.execute(select(*_COLUMNS).where(areas.c.alias == code_or_alias)).first()
    return None if row is None else _row(row._mapping)


def list_areas(
    session: Session,
    *,
    level: AreaLevel | None = None,
    parent_code: str | None = None,
    code_prefix: str | None = None,
    include_retired: bool = False,
) -> list[AreaRow]:
    query = select(*_COLUMNS).order_by(areas.c.code)
    if not include_retired:
        query = query.where(areas.c.retired_at.is_(None))
    if level is not None:
        query = query.where(areas.c.level == level.value)
    if parent_code is not None:
        query = query.where(areas.c.parent_code == parent_code)
    if code_prefix is not None:
        query = query.where(areas.c.code.startswith(code_prefix, autoescape=True))
    return [_row(r._mapping) for r in session.execute(query).all()]


def child_codes(session: Session, parent_code: str) -> list[str]:
    """Codes of every child, retired ones included (a code is never given out twice)."""
    rows = session.execute(select(areas.c.code).where(areas.c.parent_code == parent_code))
    return [r[0] for r in rows]


def parents_with_children(session: Session, levels: Sequence[AreaLevel]) -> set[str]:
    """Codes of areas that have at least one child of the given levels in use."""
    if not levels:
        return set()
    rows = session.execute(
        select(areas.c.parent_code)
        .where(
            areas.c.level.in_([level.value for level in levels]),
            areas.c.parent_code.is_not(None),
            areas.c.retired_at.is_(None),
        )
        .distinct()
    )
    return {r[0] for r in rows}


def fingerprint(session: Session) -> tuple[int, datetime | None]:
    """Cheap summary that changes whenever any process adds or updates an area."""
    row = session.execute(select(func.count(areas.c.id), func.max(areas.c.updated_at))).one()
    count, last = row
    return int(count), last


# --- writes ----------------------------------------------------------------------------------


def insert_areas(session: Session, new: Sequence[NewArea], now: datetime) -> None:
    if not new:
        return
    session.execute(
        insert(areas),
        [
            {
                "code": a.code,
                "name": a.name,
                "level": a.level.value,
                "parent_code": a.parent_code,
                "alias": a.alias,
                "geometry": a.geometry,
                "min_lon": a.bbox[0],
                "min_lat": a.bbox[1],
                "max_lon": a.bbox[2],
                "max_lat": a.bbox[3],
                "generated": a.generated,
                "retired_at": None,
                "created_at": now,
                "updated_at": now,
            }
            for a in new
        ],
    )
    _touched(session)


def retire_generated_grids(
    session: Session, parent_codes: Sequence[str], keep: Sequence[str], now: datetime
) -> list[str]:
    """Retire the generated grids in use under `parent_codes` (but not the codes in `keep`);
    returns their codes."""
    if not parent_codes:
        return []
    where = (
        areas.c.level == AreaLevel.grid.value,
        areas.c.generated.is_(True),
        areas.c.retired_at.is_(None),
        areas.c.parent_code.in_(list(parent_codes)),
        areas.c.code.not_in(list(keep)),
    )
    codes = [r[0] for r in session.execute(select(areas.c.code).where(*where))]
    if codes:
        session.execute(update(areas).where(*where).values(retired_at=now, updated_at=now))
        _touched(session)
    return sorted(codes)


def update_area_shape(
    session: Session,
    code: str,
    *,
    name: str,
    geometry: str,
    bbox: tuple[float, float, float, float],
    now: datetime,
) -> None:
    session.execute(
        update(areas)
        .where(areas.c.code == code)
        .values(
            name=name,
            geometry=geometry,
            min_lon=bbox[0],
            min_lat=bbox[1],
            max_lon=bbox[2],
            max_lat=bbox[3],
            generated=False,  # drawn by an import now
            retired_at=None,
            updated_at=now,
        )
    )
    _touched(session)
