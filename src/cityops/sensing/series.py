"""Writes and reads of the time series (points, latest values, reading log, dead letters).

Statements are built once per dialect; a batch is one executemany per table. A point already
stored (same device, metric and instant) is skipped by the primary key (`ON CONFLICT DO
NOTHING`), so a message delivered twice — MQTT QoS 1 is at least once — is stored once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, Insert, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from cityops.sensing import latest_docs
from cityops.sensing import store as t


@dataclass(frozen=True, slots=True)
class PointRow:
    device_id: int
    metric: str
    ts: int  # ms since 1970 UTC
    value: float


@dataclass(frozen=True)
class DeadLetter:
    received_at: datetime
    channel: str
    reason: str
    detail: str = ""
    device_code: str = ""
    source: str = ""
    payload: str = ""
    repeats: int = 1


def _dialect_insert(dialect: str, table: Any) -> Any:
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


@cache
def _points_insert(dialect: str) -> Insert:
    stmt: Insert = _dialect_insert(dialect, t.points).on_conflict_do_nothing(
        index_elements=["device_id", "metric", "ts"]
    )
    return stmt


@cache
def _latest_upsert(dialect: str) -> Insert:
    stmt = _dialect_insert(dialect, t.latest)
    newer = stmt.excluded.ts > t.latest.c.ts
    upsert: Insert = stmt.on_conflict_do_update(
        index_elements=["device_id", "metric"],
        set_={"ts": stmt.excluded.ts, "value": stmt.excluded.value},
        where=newer,
    )
    return upsert


def insert_points(conn: Connection, rows: Sequence[PointRow]) -> None:
    if not rows:
        return
    conn.execute(
        _points_insert(conn.dialect.name),
        [
            {"device_id": r.device_id, "metric": r.metric, "ts": r.ts, "value": r.value}
            for r in rows
        ],
    )


def upsert_latest(conn: Connection, rows: Iterable[PointRow]) -> None:
    """Upsert the latest values (an older instant never overwrites a newer one), then rewrite
    the stored texts of their devices (latest_docs.py) in the same transaction."""
    held = list(rows)
    params = [
        {"device_id": r.device_id, "metric": r.metric, "ts": r.ts, "value": r.value} for r in held
    ]
    if params:
        conn.execute(_latest_upsert(conn.dialect.name), params)
        latest_docs.refresh(conn, {r.device_id for r in held})


def log_readings(conn: Connection, at: datetime, readings: list[list[Any]]) -> None:
    """One reading-log row for a committed batch: `[device_code, metric, ts_ms, value]`s."""
    if readings:
        conn.execute(insert(t.reading_log), [{"created_at": at, "readings": readings}])


def insert_dead_letters(conn: Connection, letters: Sequence[DeadLetter]) -> None:
    if not letters:
        return
    conn.execute(
        insert(t.dead_letters),
        [
            {
                "received_at": d.received_at,
                "channel": d.channel[:10],
                "reason": d.reason[:40],
                "detail": d.detail[:500],
                "device_code": d.device_code[:64],
                "source": d.source[:200],
                "payload": d.payload[:4096],
                "repeats": d.repeats,
            }
            for d in letters
        ],
    )


def count_points(conn: Connection, device_id: int | None = None) -> int:
    stmt = select(func.count()).select_from(t.points)
    if device_id is not None:
        stmt = stmt.where(t.points.c.device_id == device_id)
    return int(conn.execute(stmt).scalar_one())


def pending_reading_logs(conn: Connection, limit: int) -> list[tuple[int, list[list[Any]]]]:
    rows = conn.execute(
        select(t.reading_log.c.id, t.reading_log.c.readings)
        .order_by(t.reading_log.c.id)
        .limit(limit)
    )
    return [(int(row.id), list(row.readings)) for row in rows]


def delete_reading_logs(conn: Connection, ids: Sequence[int]) -> None:
    if ids:
        conn.execute(delete(t.reading_log).where(t.reading_log.c.id.in_(ids)))


@dataclass(frozen=True)
class StoredDeadLetter:
    id: int
    received_at: datetime
    channel: str
    device_code: str
    reason: str
    detail: str
    source: str
    payload: str
    repeats: int


def list_dead_letters(
    conn: Connection,
    *,
    reason: str | None = None,
    device_code: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[StoredDeadLetter], int, dict[str, int]]:
    """The newest dead letters first, their total under the filters, and counts per reason."""
    d = t.dead_letters
    where = []
    if reason:
        where.append(d.c.reason == reason)
    if device_code:
        where.append(d.c.device_code == device_code)
    total = int(conn.execute(select(func.count()).select_from(d).where(*where)).scalar_one())
    rows = conn.execute(select(d).where(*where).order_by(d.c.id.desc()).offset(offset).limit(limit))
    items = [
        StoredDeadLetter(
            id=int(r.id),
            received_at=r.received_at,
            channel=r.channel,
            device_code=r.device_code,
            reason=r.reason,
            detail=r.detail,
            source=r.source,
            payload=r.payload,
            repeats=int(r.repeats),
        )
        for r in rows
    ]
    per_reason = {
        str(r.reason): int(r.n)
        for r in conn.execute(
            select(d.c.reason, func.sum(d.c.repeats).label("n")).group_by(d.c.reason)
        )
    }
    return items, total, per_reason
