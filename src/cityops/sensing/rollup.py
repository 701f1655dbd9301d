"""The rollup job: 1-minute rollups from raw points, hourly from minutes, daily from hours.

Each level is one `INSERT … SELECT … GROUP BY … ON CONFLICT DO UPDATE` per window, the same
text on SQLite and PostgreSQL: min, max, sum, count, and `last` — the value at the newest
instant of the bucket (a lookup of that instant on the primary key) with `last_ts`. A bucket
is recomputed whole from its source, so running a window twice changes nothing.

The statements find their rows through `sensing_latest` (one row per device and metric that
ever reported, with its newest instant): a pair whose newest point is older than the window
has nothing in it and is skipped, and the others are read on their primary key
(device, metric, instant), never by scanning the time range of every device.

Watermark and late data. The job keeps a watermark: the instant up to which it has rolled up
(a row of `sensing_rollups` with device 0 and period `wm`; no device has id 0). A run (each
minute) rolls up from the watermark less 5 minutes of slack to now, in hour windows, and moves
the watermark after each window, so a run stopped by its time budget goes on from there next
time. Every 15 minutes (and on the first run of a process) a run goes back the whole lateness
window instead, 2 hours: a point that arrives up to 5 minutes after its instant is in the
rollups after the next run, one up to 2 hours late within 15 minutes. Recomputing 2 hours every
minute would read each point 120 times; this reads it about 13 times. A point later than that
(a device's buffer sent after a long outage; ingestion accepts up to 30 days) is stored raw and
shown by `interval=raw` at once; its rollups are recomputed by `cityops sensing rollup --since
<instant>` (the backfill runs the same statements over the given range). Rollups outlive raw
points: a recomputation only writes the buckets it finds points for, so buckets whose raw
points retention deleted keep their rollups.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from sqlalchemy import Connection, Engine, TextClause, text

from cityops.sensing.buckets import HOUR_MS, Period, bucket_sql, covering, windows

LATENESS_MS = 2 * HOUR_MS  # gone back over every FULL_EVERY_MS
SLACK_MS = 5 * 60_000  # gone back over every run
FULL_EVERY_MS = 15 * 60_000
WINDOW_MS = HOUR_MS
_WATERMARK = {"device_id": 0, "metric": "rollup", "period": "wm"}

_COLUMNS = 'device_id, metric, period, bucket, "min", "max", "sum", "count", "last", last_ts'
_UPSERT = (
    "ON CONFLICT (device_id, metric, period, bucket) DO UPDATE SET "
    '"min" = excluded."min", "max" = excluded."max", "sum" = excluded."sum", '
    '"count" = excluded."count", "last" = excluded."last", last_ts = excluded.last_ts'
)


def _lookup_last(source: str) -> str:
    """The outer SELECT over the grouped rows `g`: `last` is looked up at `g.last_ts` (SQLite
    lets no subquery use an aggregate of the query around it, so the grouping is inside)."""
    return (
        f"SELECT g.device_id, g.metric, g.period, g.bucket, g.lo, g.hi, g.total, g.n, "
        f"({source}), g.last_ts FROM ("
    )


@cache
def _minutes_statement() -> TextClause:
    bucket = bucket_sql("p.ts", Period.minute)
    last = (
        "SELECT q.value FROM sensing_points q WHERE q.device_id = g.device_id "
        "AND q.metric = g.metric AND q.ts = g.last_ts"
    )
    return text(
        f"INSERT INTO sensing_rollups ({_COLUMNS}) {_lookup_last(last)}"
        f"SELECT p.device_id, p.metric, '1m' AS period, {bucket} AS bucket, min(p.value) AS lo, "
        "max(p.value) AS hi, sum(p.value) AS total, count(*) AS n, max(p.ts) AS last_ts "
        "FROM sensing_latest l JOIN sensing_points p ON p.device_id = l.device_id "
        "AND p.metric = l.metric AND p.ts >= :start AND p.ts < :end "
        "WHERE l.ts >= :start AND l.device_id > 0 "
        f"GROUP BY p.device_id, p.metric, {bucket}) g WHERE true {_UPSERT}"
    )


@cache
def _from_rollups_statement(period: Period, source: Period) -> TextClause:
    bucket = bucket_sql("r.bucket", period)
    last = (
        'SELECT q."last" FROM sensing_rollups q WHERE q.device_id = g.device_id '
        f"AND q.metric = g.metric AND q.period = '{source.value}' AND q.bucket = g.last_bucket"
    )
    return text(
        f"INSERT INTO sensing_rollups ({_COLUMNS}) {_lookup_last(last)}"
        f"SELECT r.device_id, r.metric, '{period.value}' AS period, {bucket} AS bucket, "
        'min(r."min") AS lo, max(r."max") AS hi, sum(r."sum") AS total, sum(r."count") AS n, '
        "max(r.bucket) AS last_bucket, max(r.last_ts) AS last_ts "
        "FROM sensing_latest l JOIN sensing_rollups r ON r.device_id = l.device_id "
        f"AND r.metric = l.metric AND r.period = '{source.value}' "
        "AND r.bucket >= :start AND r.bucket < :end "
        "WHERE l.ts >= :start AND l.device_id > 0 "
        f"GROUP BY r.device_id, r.metric, {bucket}) g WHERE true {_UPSERT}"
    )


def roll_minutes(conn: Connection, start: int, end: int) -> None:
    """The 1-minute rollups of the minutes overlapping [start, end)."""
    a, b = covering(start, end, Period.minute)
    conn.execute(_minutes_statement(), {"start": a, "end": b})


def roll_hours(conn: Connection, start: int, end: int) -> None:
    """The hourly rollups of the hours overlapping [start, end), from their minutes."""
    a, b = covering(start, end, Period.hour)
    conn.execute(_from_rollups_statement(Period.hour, Period.minute), {"start": a, "end": b})


def roll_days(conn: Connection, start: int, end: int) -> None:
    """The daily rollups (Beijing days) of the days overlapping [start, end), from hours."""
    a, b = covering(start, end, Period.day)
    conn.execute(_from_rollups_statement(Period.day, Period.hour), {"start": a, "end": b})


def read_watermark(conn: Connection) -> int | None:
    value = conn.execute(
        text(
            "SELECT bucket FROM sensing_rollups WHERE device_id = :device_id "
            "AND metric = :metric AND period = :period"
        ),
        _WATERMARK,
    ).scalar()
    return None if value is None else int(value)


def write_watermark(conn: Connection, at: int) -> None:
    conn.execute(
        text(
            "UPDATE sensing_rollups SET bucket = :at, last_ts = :at WHERE device_id = :device_id "
            "AND metric = :metric AND period = :period"
        ),
        {**_WATERMARK, "at": at},
    )
    if read_watermark(conn) is None:
        conn.execute(
            text(
                f"INSERT INTO sensing_rollups ({_COLUMNS}) VALUES (:device_id, :metric, "
                ":period, :at, 0, 0, 0, 0, 0, :at)"
            ),
            {**_WATERMARK, "at": at},
        )


@dataclass(frozen=True)
class RollupRun:
    start: int  # ms: the range rolled up
    end: int
    windows: int
    complete: bool  # False: the time budget ended the run before `end`


class RollupJob:
    """Rolls up new buckets and the lateness window; `run` is the scheduled job."""

    def __init__(
        self,
        engine: Engine,
        now_ms: Callable[[], int],
        *,
        lateness_ms: int = LATENESS_MS,
        slack_ms: int = SLACK_MS,
        full_every_ms: int = FULL_EVERY_MS,
        budget_seconds: float = 50.0,
    ) -> None:
        self._engine = engine
        self._now_ms = now_ms
        self.lateness_ms = lateness_ms
        self.slack_ms = slack_ms
        self.full_every_ms = full_every_ms
        self.budget_seconds = budget_seconds
        self._last_full: int | None = None  # when a run last went back the lateness window

    def run(self) -> RollupRun:
        now = self._now()
        with self._engine.connect() as conn:
            mark = read_watermark(conn)
        full = self._last_full is None or now - self._last_full >= self.full_every_ms
        if mark is None or full:
            start = now - self.lateness_ms if mark is None else min(mark, now - self.lateness_ms)
        else:
            start = min(mark, now) - self.slack_ms
        done = self.roll(start, now, watermark=mark or 0)
        if full and done.complete:
            self._last_full = now
        return done

    def roll(self, start: int, end: int, *, watermark: int | None = None) -> RollupRun:
        """Roll up [start, end): minutes and hours window by window (each its own transaction),
        then the days they touch. With a `watermark` (the scheduled run), each window past it
        moves it, and a window that ends the time budget stops the run while it is catching up
        (windows before the lateness window); the lateness window is always done whole."""
        began = time.monotonic()
        first, _ = covering(start, end, Period.hour)
        first_minute, _ = covering(start, end, Period.minute)
        done = start
        count = 0
        complete = True
        for a, b in windows(first, end, WINDOW_MS):
            with self._engine.begin() as conn:
                roll_minutes(conn, max(a, first_minute), b)  # from raw: only the minutes asked
                roll_hours(conn, a, b)  # from minutes: the whole hours they are in
                if watermark is not None and b > watermark:
                    write_watermark(conn, b)
                    watermark = b
            done = b
            count += 1
            over = time.monotonic() - began > self.budget_seconds
            if over and b < end - self.lateness_ms:
                complete = False
                break
        day_start, day_end = covering(first, done, Period.day)
        for a, b in windows(day_start, day_end, 86_400_000):
            with self._engine.begin() as conn:
                roll_days(conn, a, b)
        return RollupRun(start=first, end=done, windows=count, complete=complete)

    def _now(self) -> int:
        return int(self._now_ms())
