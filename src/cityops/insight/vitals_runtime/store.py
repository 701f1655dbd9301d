"""The tables of city vital signs and their queries; tables never leave this module.

`vital_values` has one row per (indicator, area, evaluation instant); its primary key in that
order serves a trend (one indicator, one area, a time range) as a single index range, and on
SQLite the table is WITHOUT ROWID so the rows of one trend lie together. Its instant is stored
as epoch seconds (EpochSeconds), so a long trend is averaged into buckets in SQL by integer
arithmetic on either database.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    Index,
    Integer,
    String,
    Table,
    Text,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    true,
    tuple_,
    type_coerce,
)
from sqlalchemy.orm import Session

from cityops.infra.db import EpochSeconds, UTCDateTime, metadata
from cityops.insight.vitals.definitions import AlertLevel
from cityops.insight.vitals.states import IndicatorState, VitalStatus, VitalTransition
from cityops.insight.vitals_runtime.model import TrendPoint, VitalTransitionView
from cityops.insight.vitals_runtime.timing import LOCAL_OFFSET_S

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ID = BigInteger().with_variant(Integer, "sqlite")

definition_sets = Table(
    "vital_definition_sets",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("yaml", Text, nullable=False),
    Column("imported_at", UTCDateTime(), nullable=False),
    Column("imported_by", String(80), nullable=False),
)

values = Table(
    "vital_values",
    metadata,
    Column("indicator", String(64), primary_key=True),
    Column("area_code", String(40), primary_key=True),
    # whole seconds since 1970 UTC: a trend's buckets are integer arithmetic on both databases
    Column("at", EpochSeconds(), primary_key=True, autoincrement=False),
    Column("value", Float, nullable=True),
    sqlite_with_rowid=False,
)

states = Table(
    "vital_states",
    metadata,
    Column("indicator", String(64), primary_key=True),
    Column("area_code", String(40), primary_key=True),
    Column("status", String(10), nullable=False),
    Column("level", String(10), nullable=True),
    Column("since", UTCDateTime(), nullable=False),
    Column("streak_blue", Integer, nullable=False),
    Column("streak_yellow", Integer, nullable=False),
    Column("streak_orange", Integer, nullable=False),
    Column("streak_red", Integer, nullable=False),
    Column("below", Integer, nullable=False),
    Column("missed", Integer, nullable=False),
    Column("value", Float, nullable=True),
    Column("evaluated_at", UTCDateTime(), nullable=True),
)

transitions = Table(
    "vital_transitions",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("indicator", String(64), nullable=False),
    Column("area_code", String(40), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("from_status", String(10), nullable=False),
    Column("to_status", String(10), nullable=False),
    Column("from_level", String(10), nullable=True),
    Column("to_level", String(10), nullable=True),
    Column("value", Float, nullable=True),
    # the firing policy's action carried out at this transition (alarm, case), if any
    Column("action", String(10), nullable=False, default=""),
    Column("case_id", _ID, nullable=True),  # the case it opened (no FK: cases is below)
    Index("ix_vital_transitions_indicator_area_at", "indicator", "area_code", "at"),
)

series_points = Table(
    "vital_series_points",
    metadata,
    Column("series", String(80), primary_key=True),
    Column("area_code", String(40), primary_key=True),
    Column("at", UTCDateTime(), primary_key=True),
    Column("value", Float, nullable=False),
)


# --- definition sets ---------------------------------------------------------------------------


def current_set(session: Session) -> tuple[int, str] | None:
    """(version, YAML) of the newest stored definition set, or None."""
    row = session.execute(
        select(definition_sets.c.version, definition_sets.c.yaml)
        .order_by(definition_sets.c.version.desc())
        .limit(1)
    ).first()
    return None if row is None else (int(row[0]), str(row[1]))


def store_set(session: Session, version: int, text: str, at: datetime, by: str) -> None:
    session.execute(
        insert(definition_sets).values(version=version, yaml=text, imported_at=at, imported_by=by)
    )


# --- values ------------------------------------------------------------------------------------


def last_evaluations(session: Session) -> dict[str, datetime]:
    """Per indicator, the newest instant it was evaluated at."""
    stmt = select(values.c.indicator, func.max(values.c.at)).group_by(values.c.indicator)
    return {str(code): at for code, at in session.execute(stmt)}


def write_values(
    session: Session, indicator: str, at: datetime, items: Iterable[tuple[str, float | None]]
) -> int:
    rows = [
        {"indicator": indicator, "area_code": area, "at": at, "value": value}
        for area, value in items
    ]
    if rows:
        session.execute(
            delete(values).where(
                values.c.indicator == indicator,
                values.c.at == at,
                values.c.area_code.in_([r["area_code"] for r in rows]),
            )
        )
        session.execute(insert(values), rows)
    return len(rows)


def _whole_seconds(at: datetime, *, up: bool) -> int:
    """An instant as epoch seconds, rounded up (a lower bound) or down (an upper bound)."""
    exact = (at - _EPOCH).total_seconds()
    return math.ceil(exact) if up else math.floor(exact)


def trend_points(
    session: Session, indicator: str, area: str, start: datetime, end: datetime
) -> list[TrendPoint]:
    """The stored values of one indicator in one area with start <= at <= end, oldest first."""
    v = values.c
    lo, hi = _whole_seconds(start, up=True), _whole_seconds(end, up=False)
    at = type_coerce(v.at, BigInteger)
    stmt = (
        select(at, v.value)
        .where(v.indicator == indicator, v.area_code == area, at >= lo, at <= hi)
        .order_by(v.at)
    )
    return [TrendPoint(_EPOCH + timedelta(seconds=s), value) for s, value in session.execute(stmt)]


def trend_buckets(
    session: Session,
    indicator: str,
    area: str,
    start: datetime,
    end: datetime,
    step: int,
    shift: int = 0,
) -> list[TrendPoint]:
    """The values with start <= at <= end gathered into buckets of `step` seconds aligned in
    Asia/Shanghai once moved `shift` seconds forward (a baseline's earlier window lands on the
    buckets of the window it is compared with), oldest first: each bucket's point stands at its
    (moved) start with the mean as value and the least and greatest value as low and high, so
    a peak stays visible. A bucket without a stored value is left out; one whose values are all
    missing (no data) has None.

    A GROUP BY on the bucket would sort every row of the window (SQLite always, PostgreSQL
    unless its estimates call for hashing), so each bucket is instead an aggregate over its own
    range of the primary key: one index seek per bucket, each row read once, no sort — on
    PostgreSQL a LATERAL subquery per bucket of generate_series, on SQLite (no LATERAL) a
    correlated subquery per bucket of a recursive CTE giving its four figures as one JSON array
    (JSON text holds 15 significant digits)."""
    lo, hi = _whole_seconds(start, up=True), _whole_seconds(end, up=False)
    if hi < lo:
        return []
    base = LOCAL_OFFSET_S + shift
    # bucket k holds the instants t with k*step <= t + base < (k+1)*step
    first, last = (lo + base) // step, (hi + base) // step
    read = _buckets_sqlite if session.get_bind().dialect.name == "sqlite" else _buckets_lateral
    rows = read(session, indicator, area, (lo, hi), (first, last), step, base)
    return [
        TrendPoint(
            _EPOCH + timedelta(seconds=k * step - LOCAL_OFFSET_S),
            None if mean is None else float(mean),
            None if low is None else float(low),
            None if high is None else float(high),
        )
        for k, n, mean, low, high in rows
        if n
    ]


_Bucket = tuple[int, int, float | None, float | None, float | None]  # k, count, mean, min, max


def _buckets_sqlite(
    session: Session,
    indicator: str,
    area: str,
    bounds: tuple[int, int],
    ks: tuple[int, int],
    step: int,
    base: int,
) -> list[_Bucket]:
    v = values.c
    at = type_coerce(v.at, BigInteger)
    b = select(literal(ks[0], BigInteger).label("k")).cte("b", recursive=True)
    b = b.union_all(select((b.c.k + 1).label("k")).where(b.c.k < ks[1]))
    figures = (
        select(
            func.json_array(func.count(), func.avg(v.value), func.min(v.value), func.max(v.value))
        )
        .where(
            v.indicator == indicator,
            v.area_code == area,
            at >= func.max(b.c.k * step - base, bounds[0]),
            at < func.min((b.c.k + 1) * step - base, bounds[1] + 1),
        )
        .scalar_subquery()
    )
    out: list[_Bucket] = []
    for k, text in session.execute(select(b.c.k, figures).order_by(b.c.k)):
        n, mean, low, high = json.loads(text)
        out.append((int(k), int(n), mean, low, high))
    return out


def _buckets_lateral(
    session: Session,
    indicator: str,
    area: str,
    bounds: tuple[int, int],
    ks: tuple[int, int],
    step: int,
    base: int,
) -> list[_Bucket]:
    v = values.c
    at = type_coerce(v.at, BigInteger)
    buckets = (
        func.generate_series(cast(ks[0], BigInteger), cast(ks[1], BigInteger))
        .table_valued("k")
        .render_derived("b")
    )
    k = buckets.c.k
    figures = (
        select(
            func.count().label("n"),
            func.avg(v.value).label("mean"),
            func.min(v.value).label("low"),
            func.max(v.value).label("high"),
        )
        .where(
            v.indicator == indicator,
            v.area_code == area,
            at >= func.greatest(k * step - base, bounds[0]),
            at < func.least((k + 1) * step - base, bounds[1] + 1),
        )
        .lateral("s")
    )
    stmt = (
        select(k, figures.c.n, figures.c.mean, figures.c.low, figures.c.high)
        .select_from(buckets.join(figures, true()))
        .order_by(k)
    )
    return [(int(r[0]), int(r[1]), r[2], r[3], r[4]) for r in session.execute(stmt)]


# --- states and transitions --------------------------------------------------------------------


def _state(row: Sequence[object]) -> IndicatorState:
    (code, area, status, level, since, b, y, o, r, below, missed, value, evaluated_at) = row
    return IndicatorState(
        indicator=str(code),
        area=str(area),
        status=VitalStatus(str(status)),
        level=None if level is None else AlertLevel(str(level)),
        since=since,  # type: ignore[arg-type]
        streaks=(int(b), int(y), int(o), int(r)),  # type: ignore[call-overload]
        below=int(below),  # type: ignore[call-overload]
        missed=int(missed),  # type: ignore[call-overload]
        value=None if value is None else float(value),  # type: ignore[arg-type]
        evaluated_at=evaluated_at,  # type: ignore[arg-type]
    )


_STATE_COLUMNS = (
    states.c.indicator,
    states.c.area_code,
    states.c.status,
    states.c.level,
    states.c.since,
    states.c.streak_blue,
    states.c.streak_yellow,
    states.c.streak_orange,
    states.c.streak_red,
    states.c.below,
    states.c.missed,
    states.c.value,
    states.c.evaluated_at,
)


def load_states(
    session: Session, indicator: str | None = None, areas: Sequence[str] | None = None
) -> dict[tuple[str, str], IndicatorState]:
    """Stored states keyed by (indicator, area), of one indicator and/or some areas."""
    stmt = select(*_STATE_COLUMNS)
    if indicator is not None:
        stmt = stmt.where(states.c.indicator == indicator)
    if areas is not None:
        stmt = stmt.where(states.c.area_code.in_(list(areas)))
    out = {}
    for row in session.execute(stmt):
        state = _state(tuple(row))
        out[(state.indicator, state.area)] = state
    return out


def save_states(session: Session, items: Sequence[IndicatorState]) -> None:
    if not items:
        return
    keys = [(s.indicator, s.area) for s in items]
    for i in range(0, len(keys), 400):
        chunk = keys[i : i + 400]
        session.execute(
            delete(states).where(tuple_(states.c.indicator, states.c.area_code).in_(chunk))
        )
    session.execute(
        insert(states),
        [
            {
                "indicator": s.indicator,
                "area_code": s.area,
                "status": s.status.value,
                "level": None if s.level is None else s.level.value,
                "since": s.since,
                "streak_blue": s.streaks[0],
                "streak_yellow": s.streaks[1],
                "streak_orange": s.streaks[2],
                "streak_red": s.streaks[3],
                "below": s.below,
                "missed": s.missed,
                "value": s.value,
                "evaluated_at": s.evaluated_at,
            }
            for s in items
        ],
    )


def add_transition(
    session: Session, t: VitalTransition, action: str = "", case_id: int | None = None
) -> None:
    session.execute(
        insert(transitions).values(
            indicator=t.indicator,
            area_code=t.area,
            at=t.at,
            from_status=t.from_status.value,
            to_status=t.to_status.value,
            from_level=None if t.from_level is None else t.from_level.value,
            to_level=None if t.to_level is None else t.to_level.value,
            value=t.value,
            action=action,
            case_id=case_id,
        )
    )


def transitions_between(
    session: Session, indicator: str, area: str, start: datetime, end: datetime
) -> list[VitalTransitionView]:
    c = transitions.c
    stmt = (
        select(c.at, c.from_status, c.to_status, c.from_level, c.to_level, c.value)
        .where(c.indicator == indicator, c.area_code == area, c.at >= start, c.at <= end)
        .order_by(c.at, c.id)
    )
    return [VitalTransitionView(*row) for row in session.execute(stmt)]


# --- imported series ---------------------------------------------------------------------------


def write_series(
    session: Session, series: str, points: Sequence[tuple[str, datetime, float]]
) -> int:
    """Store points (area, at, value) of a series; a point already stored is replaced."""
    if not points:
        return 0
    unique = {(area, at): value for area, at, value in points}
    keys = list(unique)
    for i in range(0, len(keys), 400):
        chunk = keys[i : i + 400]
        session.execute(
            delete(series_points).where(
                series_points.c.series == series,
                tuple_(series_points.c.area_code, series_points.c.at).in_(chunk),
            )
        )
    session.execute(
        insert(series_points),
        [{"series": series, "area_code": a, "at": at, "value": v} for (a, at), v in unique.items()],
    )
    return len(unique)


def series_latest(
    session: Session, series: str, since: datetime, until: datetime
) -> dict[str, float]:
    """Per area: the newest point of `series` with since < at <= until."""
    p = series_points.c
    newest = (
        select(p.area_code, func.max(p.at).label("at"))
        .where(p.series == series, p.at > since, p.at <= until)
        .group_by(p.area_code)
        .subquery()
    )
    stmt = select(p.area_code, p.value).join(
        newest,
        (p.area_code == newest.c.area_code) & (p.at == newest.c.at) & (p.series == series),
    )
    return {area: float(value) for area, value in session.execute(stmt)}
