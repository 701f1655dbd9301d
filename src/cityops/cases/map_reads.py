"""Case reads for the city map (一图观全域): cases counted per square cell of a lon/lat grid, the
individual points of a small set, and counts per area of one level — all aggregated in SQL,
filtered by a `CaseFilter` and the reader's case scope. Merged duplicates are left out (the
case they were merged into stands for them); cases without a point count only per area."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Integer, cast, func, select
from sqlalchemy import case as when
from sqlalchemy.orm import Session

from cityops.cases.dtos import CaseFilter
from cityops.cases.model import OPEN_STATUSES
from cityops.cases.queries import _sla_clause, filter_clauses
from cityops.cases.scoping import scope_clause
from cityops.cases.store import cases
from cityops.kernel.actor import Actor
from cityops.worktime.public import SlaState

AREA_COLUMNS = {
    "district": cases.c.district_code,
    "street": cases.c.street_code,
    "community": cases.c.community_code,
    "grid": cases.c.grid_code,
}


@dataclass(frozen=True, slots=True)
class CaseCell:
    """The cases of one grid cell: where they are on average, how many, and how many of them
    are red (overdue), yellow (reminded), green (clock running) and open."""

    lon: float
    lat: float
    count: int
    red: int
    yellow: int
    green: int
    open: int


@dataclass(frozen=True, slots=True)
class MapCase:
    case_id: int
    lon: float
    lat: float
    status: str
    sla: str  # red, yellow, green, or "" without a running clock
    category_code: str
    source: str


@dataclass(frozen=True, slots=True)
class AreaCaseCounts:
    code: str
    total: int
    open: int
    overdue: int


def _where(actor: Actor, f: CaseFilter, now: datetime) -> list[ColumnElement[bool]]:
    return [
        *filter_clauses(f, now),
        scope_clause(actor),
        cases.c.merged_into_id.is_(None),
    ]


def _placed() -> list[ColumnElement[bool]]:
    return [cases.c.lon.is_not(None), cases.c.lat.is_not(None)]


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(when((condition, 1), else_=0))


def _cell_index(
    column: ColumnElement[float], origin: float, size: float, sqlite: bool
) -> ColumnElement[int]:
    shifted = (column - origin) / size  # positive: truncation is floor
    if sqlite:
        return cast(shifted, Integer)
    return cast(func.floor(shifted), Integer)


def count_cases(session: Session, actor: Actor, f: CaseFilter, now: datetime) -> int:
    """The placed cases of the filter in the actor's scope."""
    stmt = select(func.count()).select_from(cases).where(*_where(actor, f, now), *_placed())
    return int(session.execute(stmt).scalar_one())


def case_cells(
    session: Session, actor: Actor, f: CaseFilter, now: datetime, cell_deg: float
) -> list[CaseCell]:
    """The placed cases of the filter in the actor's scope, counted per cell of `cell_deg`
    degrees (cells counted from lon -180, lat -90), with their mean point per cell."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    ix = _cell_index(cases.c.lon, -180.0, cell_deg, sqlite).label("ix")
    iy = _cell_index(cases.c.lat, -90.0, cell_deg, sqlite).label("iy")
    stmt = (
        select(
            func.avg(cases.c.lon),
            func.avg(cases.c.lat),
            func.count(),
            _flag(_sla_clause(SlaState.red, now)),
            _flag(_sla_clause(SlaState.yellow, now)),
            _flag(_sla_clause(SlaState.green, now)),
            _flag(cases.c.status.in_([s.value for s in OPEN_STATUSES])),
        )
        .where(*_where(actor, f, now), *_placed())
        .group_by(ix, iy)
    )
    return [
        CaseCell(float(lo), float(la), int(n), int(r or 0), int(y or 0), int(g or 0), int(o or 0))
        for lo, la, n, r, y, g, o in session.execute(stmt)
    ]


def case_points(
    session: Session, actor: Actor, f: CaseFilter, now: datetime, limit: int
) -> list[MapCase]:
    """The placed cases of the filter in the actor's scope, newest first, at most `limit` (any
    `limit` of them when more match: the caller counts first). Sorted here, not in SQL, so the
    database reads the matching rows in one pass instead of walking the time index."""
    sla = when(
        (_sla_clause(SlaState.red, now), "red"),
        (_sla_clause(SlaState.yellow, now), "yellow"),
        (_sla_clause(SlaState.green, now), "green"),
        else_="",
    )
    stmt = (
        select(
            cases.c.id,
            cases.c.lon,
            cases.c.lat,
            cases.c.status,
            sla,
            cases.c.category_code,
            cases.c.source,
            cases.c.reported_at,
        )
        .where(*_where(actor, f, now), *_placed())
        .limit(limit)
    )
    rows = sorted(session.execute(stmt), key=lambda r: (r.reported_at, r.id), reverse=True)
    return [
        MapCase(int(i), float(lo), float(la), st, s, cat, src)
        for i, lo, la, st, s, cat, src, _at in rows
    ]


def cases_per_area(
    session: Session, actor: Actor, f: CaseFilter, now: datetime, level: str
) -> list[AreaCaseCounts]:
    """Per area of `level` (district, street, community, grid): the filter's cases in the
    actor's scope, the open ones and the overdue ones (red)."""
    column = AREA_COLUMNS[level]
    stmt = (
        select(
            column,
            func.count(),
            _flag(cases.c.status.in_([s.value for s in OPEN_STATUSES])),
            _flag(_sla_clause(SlaState.red, now)),
        )
        .where(*_where(actor, f, now), column.is_not(None))
        .group_by(column)
    )
    return [
        AreaCaseCounts(str(code), int(n), int(o or 0), int(r or 0))
        for code, n, o, r in session.execute(stmt)
    ]


@dataclass(frozen=True, slots=True)
class CategoryCaseCounts:
    code: str
    name: str
    total: int
    open: int


def cases_per_category(
    session: Session, actor: Actor, f: CaseFilter, now: datetime, limit: int
) -> list[CategoryCaseCounts]:
    """The categories with the most of the filter's cases in the actor's scope, at most
    `limit`, with how many of them are open."""
    stmt = (
        select(
            cases.c.category_code,
            func.max(cases.c.category_name),
            func.count().label("n"),
            _flag(cases.c.status.in_([s.value for s in OPEN_STATUSES])),
        )
        .where(*_where(actor, f, now))
        .group_by(cases.c.category_code)
        .order_by(func.count().desc(), cases.c.category_code)
        .limit(limit)
    )
    return [
        CategoryCaseCounts(str(code), str(name), int(n), int(o or 0))
        for code, name, n, o in session.execute(stmt)
    ]
