"""Benchmark: sensing storage and queries on SQLite and PostgreSQL.

On a fresh, migrated database it loads a city of sensors straight into the tables (bulk loads:
COPY on PostgreSQL, executemany on SQLite), then times, as the median of N runs after a warm-up:

- one device's year of hourly aggregates (`interval=1h&agg=avg`, 8,784 buckets) with a year of
  hourly rollups filled for `--year-devices` devices (target ≤ 100 ms), through the service
  (`sensing.series`) and through the route function with its JSON answer;
- the latest values of 10,000 devices (one type, all their metrics) from `sensing_latest`
  (target ≤ 200 ms), service and route with JSON;
- device health over `--devices` (100,000) devices grouped by type, area and O&M unit: online
  from the newest latest value against each device's timeout, completeness from the 1-minute
  rollups of the last `--window` minutes (filled for every reporting pair, 1 in 10 points
  missing); and the online part alone;
- storage (PostgreSQL): `--points` raw points copied into the day partitions, the bytes of the
  partitions with their indexes (`pg_total_relation_size`), points per GiB; on SQLite the bytes
  of `sensing_points` and its index from `dbstat` when SQLite has it, else the file's growth;
- the rollup job over the hour of raw points that holds the most of them (minutes and hours).

Writes bench/results/sensing_queries.json.

    .venv/bin/python -m bench.sensing_queries                 # SQLite and PostgreSQL
    .venv/bin/python -m bench.sensing_queries --db sqlite --points 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import platform as pyplatform
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy
from rich.console import Console
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from cityops.app import Platform, build_platform
from cityops.infra.db import make_engine
from cityops.infra.migrate import upgrade
from cityops.infra.settings import Settings
from cityops.kernel.actor import SYSTEM
from cityops.kernel.clock import SHANGHAI, FixedClock
from cityops.sensing import latest_docs
from cityops.sensing.catalog import shipped_types
from cityops.sensing.partitions import PartitionKeeper
from cityops.sensing.rollup import roll_hours, roll_minutes, write_watermark
from cityops.web.api import sensing as api

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "sensing_queries.json"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)
NOW_MS = int(NOW.timestamp() * 1000)
MIN, HOUR, DAY = 60_000, 3_600_000, 86_400_000
LATEST_TYPE = "air_quality"
console = Console()


# ---- loading ---------------------------------------------------------------------------------


def bulk(
    engine: Engine, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> int:
    """Load rows fast: COPY on PostgreSQL, executemany in chunks on SQLite."""
    n = 0
    raw = engine.raw_connection()
    try:
        if engine.dialect.name == "postgresql":
            cols = ", ".join(f'"{c}"' for c in columns)
            cur = raw.driver_connection.cursor()  # type: ignore[union-attr]
            with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    n += 1
        else:
            cols = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join("?" for _ in columns)
            cur = raw.cursor()
            chunk: list[tuple[Any, ...]] = []
            for row in rows:
                chunk.append(row)
                if len(chunk) >= 50_000:
                    cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", chunk)
                    n += len(chunk)
                    chunk = []
            if chunk:
                cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", chunk)
                n += len(chunk)
        raw.commit()
    finally:
        raw.close()
    return n


def city_devices(count: int, rng: random.Random) -> list[dict[str, Any]]:
    """`count` devices: 10,000 air-quality stations (or all, when fewer), the rest spread over
    the other shipped types; 6 districts × 8 streets × 10 communities; 12 O&M units."""
    types = [k for k in shipped_types() if k.code != LATEST_TYPE]
    out = []
    for i in range(count):
        kind = LATEST_TYPE if i < min(10_000, count) else types[i % len(types)].code
        area = f"330191{rng.randrange(6):03d}{rng.randrange(8):03d}{rng.randrange(10):03d}"
        out.append(
            {
                "id": i + 1,
                "code": f"D{i + 1:06d}",
                "type": kind,
                "area": area,
                "om": f"OM{i % 12:02d}",
            }
        )
    return out


def load_devices(engine: Engine, devices: list[dict[str, Any]]) -> None:
    created = datetime(2026, 1, 1, tzinfo=UTC)
    timeouts = {k.code: int(k.shortest_interval.total_seconds() * 3) for k in shipped_types()}
    bulk(
        engine,
        "sensing_devices",
        (
            "id",
            "code",
            "type_code",
            "name",
            "lon",
            "lat",
            "area_code",
            "owner_department",
            "om_department",
            "gateway_code",
            "inactivity_seconds",
            "status",
            "created_at",
            "updated_at",
        ),
        (
            (
                d["id"],
                d["code"],
                d["type"],
                "",
                120.1,
                30.25,
                d["area"],
                "",
                d["om"],
                "",
                timeouts[d["type"]],
                "active",
                created,
                created,
            )
            for d in devices
        ),
    )
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("SELECT setval('sensing_devices_id_seq', :n)"), {"n": len(devices)})


def load_latest_and_minutes(
    engine: Engine, devices: list[dict[str, Any]], window_min: int, rng: random.Random
) -> tuple[int, int]:
    """Latest values of every metric of every device (9 in 10 devices reported within their
    timeout) and the 1-minute rollups of the last `window_min` minutes of those that report
    (each point missing 1 time in 10)."""
    specs = {k.code: k.metrics for k in shipped_types()}
    latest: list[tuple[Any, ...]] = []
    minutes: list[tuple[Any, ...]] = []
    start = NOW_MS - window_min * MIN
    for d in devices:
        online = rng.random() < 0.9
        for spec in specs[d["type"]]:
            every = int(spec.interval.total_seconds() * 1000)
            ts = NOW_MS - rng.randrange(0, every) if online else NOW_MS - 30 * DAY
            value = round(rng.uniform(0, 100), 1)
            latest.append((d["id"], spec.key, ts, value))
            if not online:
                continue
            at = start + (-start) % every
            while at < NOW_MS:
                if rng.random() >= 0.1:
                    minutes.append((d["id"], spec.key, "1m", at, value, value, value, 1, value, at))
                at += every
    bulk(engine, "sensing_latest", ("device_id", "metric", "ts", "value"), latest)
    bulk(engine, "sensing_rollups", ROLLUP_COLUMNS, minutes)
    with engine.begin() as conn:
        write_watermark(conn, NOW_MS)
        latest_docs.refresh_all(conn)  # the texts the latest API reads, as the writer keeps them
    return len(latest), len(minutes)


ROLLUP_COLUMNS = (
    "device_id",
    "metric",
    "period",
    "bucket",
    "min",
    "max",
    "sum",
    "count",
    "last",
    "last_ts",
)


def load_year_of_hours(engine: Engine, device_ids: list[int], rng: random.Random) -> int:
    start = NOW_MS - 366 * DAY
    start -= start % HOUR

    def rows() -> Iterable[tuple[Any, ...]]:
        for device in device_ids:
            for h in range(366 * 24):
                lo = round(rng.uniform(0, 50), 1)
                yield (
                    device,
                    "pm25",
                    "1h",
                    start + h * HOUR,
                    lo,
                    lo + 30,
                    lo * 60 + 900,
                    60,
                    lo + 10,
                    start + h * HOUR + 59 * MIN,
                )

    return bulk(engine, "sensing_rollups", ROLLUP_COLUMNS, rows())


def load_points(
    engine: Engine, count: int, first_device: int, rng: random.Random
) -> tuple[int, float]:
    """`count` raw points: 1,000 devices × 5 metrics, one point a minute, ending at NOW."""
    devices, metrics = 1000, ("level", "tilt", "battery", "depth", "speed")
    per_pair = max(1, count // (devices * len(metrics)))
    start = NOW_MS - per_pair * MIN
    PartitionKeeper(engine).ensure(
        [start, NOW_MS - 1] + [start + k * DAY for k in range(per_pair // 1440 + 1)]
    )

    def rows() -> Iterable[tuple[Any, ...]]:  # in primary-key order, as a writer's batches
        for device in range(first_device, first_device + devices):
            for metric in metrics:
                for m in range(per_pair):
                    yield (device, metric, start + m * MIN, round(rng.uniform(0, 500), 1))

    began = time.perf_counter()
    n = bulk(engine, "sensing_points", ("device_id", "metric", "ts", "value"), rows())
    elapsed = time.perf_counter() - began
    # their latest values, as the writer keeps them (the rollup job reads pairs through these)
    last = first_device + devices - 1
    with engine.begin() as conn:
        conn.execute(
            text("DELETE FROM sensing_latest WHERE device_id BETWEEN :a AND :b"),
            {"a": first_device, "b": last},
        )
    bulk(
        engine,
        "sensing_latest",
        ("device_id", "metric", "ts", "value"),
        (
            (device, metric, start + (per_pair - 1) * MIN, 1.0)
            for device in range(first_device, last + 1)
            for metric in metrics
        ),
    )
    with engine.begin() as conn:  # and their texts, as the writer keeps them
        latest_docs.refresh_all(conn)
    return n, elapsed


# ---- measuring -------------------------------------------------------------------------------


def timed(fn: Callable[[], object], runs: int) -> dict[str, Any]:
    fn()
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - began)
    return {
        "median_ms": round(statistics.median(samples) * 1000, 2),
        "runs_ms": [round(s * 1000, 2) for s in samples],
    }


def storage(
    engine: Engine, points: int, sqlite_path: Path | None, file_before: int
) -> dict[str, Any]:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            size = int(
                conn.execute(
                    text(
                        "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) "
                        "FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                        "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'sensing_points'"
                    )
                ).scalar_one()
            )
            how = (
                "sum of pg_total_relation_size of the day partitions "
                "(heap, primary key index, TOAST, free space and visibility maps)"
            )
        else:
            try:
                size = int(
                    conn.execute(
                        text(
                            "SELECT sum(pgsize) FROM dbstat WHERE name = 'sensing_points' "
                            "OR name LIKE 'sqlite_autoindex_sensing_points%'"
                        )
                    ).scalar_one()
                )
                how = "dbstat: pages of sensing_points and its primary key index"
            except sqlalchemy.exc.OperationalError:
                assert sqlite_path is not None
                size = sqlite_path.stat().st_size - file_before
                how = "growth of the database file while the points were loaded"
    return {
        "points": points,
        "bytes": size,
        "bytes_per_point": round(size / points, 1),
        "points_per_gib": int(points / (size / 2**30)),
        "how": how,
    }


def run_one(db: str, args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    sqlite_path: Path | None = None
    if db == "sqlite":
        sqlite_path = ROOT / "var" / "bench" / f"sensing_{uuid.uuid4().hex[:8]}.db"
        sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{sqlite_path}"
        path = sqlite_path

        def cleanup() -> None:
            for p in path.parent.glob(path.name + "*"):
                p.unlink(missing_ok=True)
    else:
        admin = create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
        name = f"cityops_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(args.pg_url).set(database=name).render_as_string(hide_password=False)

        def cleanup() -> None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()

    out: dict[str, Any] = {"db": db}
    platform: Platform | None = None
    try:
        engine = make_engine(url)
        upgrade(url, engine)
        with engine.connect() as conn:
            out["db_version"] = str(
                conn.execute(
                    text("select sqlite_version()" if db == "sqlite" else "show server_version")
                ).scalar_one()
            )
        platform = build_platform(
            Settings(env="test", database_url=url, router_model_dir=ROOT / "var" / "no-model"),
            clock=FixedClock(NOW),
            migrate=False,
        )
        began = time.perf_counter()
        devices = city_devices(args.devices, rng)
        load_devices(engine, devices)
        n_latest, n_minutes = load_latest_and_minutes(engine, devices, args.window, rng)
        year_ids = [d["id"] for d in devices[: args.year_devices]]
        n_hours = load_year_of_hours(engine, year_ids, rng)
        file_before = sqlite_path.stat().st_size if sqlite_path else 0
        points = args.points if db == "postgresql" else min(args.points, args.sqlite_points)
        n_points, copy_s = load_points(engine, points, first_device=10_001, rng=rng)
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
        out["loaded"] = {
            "devices": len(devices),
            "latest_rows": n_latest,
            "minute_rollups_in_window": n_minutes,
            "hourly_rollups": n_hours,
            "hourly_rollup_devices": len(year_ids),
            "raw_points": n_points,
            "seconds": round(time.perf_counter() - began, 1),
            "raw_points_load_seconds": round(copy_s, 1),
        }
        console.print(f"[bold]{db}[/] loaded {out['loaded']}")

        target = devices[len(year_ids) // 2]["code"]
        year = (NOW - timedelta(days=365), NOW)
        with platform.read() as session:

            def series() -> object:
                found = platform.sensing.series(
                    session,
                    SYSTEM,
                    target,
                    metric="pm25",
                    start=year[0],
                    end=year[1],
                    interval="1h",
                    agg="avg",
                )
                assert len(found.points) >= 8760, len(found.points)
                return found

            def series_json() -> object:
                return api.read_series(
                    target,
                    platform,
                    session,
                    SYSTEM,
                    metric="pm25",
                    from_=year[0],
                    to=year[1],
                    interval="1h",
                    agg="avg",
                ).model_dump_json()

            def latest() -> object:  # what the route reads for many devices: stored texts
                found = platform.sensing.latest_texts(
                    session, SYSTEM, type_code=LATEST_TYPE, limit=10_000
                )
                assert len(found.devices) == min(10_000, len(devices))
                return found

            def latest_values() -> object:  # a Python object per value (one device, a metric)
                found = platform.sensing.latest(
                    session, SYSTEM, type_code=LATEST_TYPE, limit=10_000
                )
                assert len(found.devices) == min(10_000, len(devices))
                return found

            def latest_one_metric() -> object:
                found = platform.sensing.latest(
                    session, SYSTEM, type_code=LATEST_TYPE, metric="pm25", limit=10_000
                )
                assert len(found.devices) == min(10_000, len(devices))
                return found

            def latest_json() -> object:
                return api.read_latest(
                    platform, session, SYSTEM, type_=LATEST_TYPE, limit=10_000
                ).body

            out["year_of_hours"] = {
                "service": timed(series, args.runs),
                "route_with_json": timed(series_json, args.runs),
                "target_ms": 100,
            }
            out["latest_10000"] = {
                "devices": min(10_000, len(devices)),
                "values": sum(len(d.values) for d in latest_values().devices),  # type: ignore[attr-defined]
                "service_stored_texts": timed(latest, args.runs),
                "service_value_objects": timed(latest_values, args.runs),
                "route_with_json": timed(latest_json, args.runs),
                "one_metric_service": timed(latest_one_metric, args.runs),
                "target_ms": 200,
            }
            health: dict[str, Any] = {"devices": len(devices), "window_minutes": args.window}
            for group_by in ("type", "area", "om_department"):
                health[group_by] = timed(
                    lambda g=group_by: platform.sensing.health(
                        session, SYSTEM, group_by=g, window_minutes=args.window
                    ),
                    args.runs,
                )
            from cityops.sensing import queries

            health["online_only"] = timed(
                lambda: queries.online_counts(session.connection(), "type", NOW_MS), args.runs
            )
            answer = platform.sensing.health(
                session, SYSTEM, group_by="type", window_minutes=args.window
            )
            health["online_rate"] = round(sum(g.online for g in answer.groups) / len(devices), 4)
            health["completeness"] = round(
                sum(g.received for g in answer.groups) / sum(g.expected for g in answer.groups), 4
            )
            out["health_100000"] = health
        out["storage"] = storage(engine, n_points, sqlite_path, file_before)
        # the rollup job's statements over the fullest hour of raw points
        hour_start = NOW_MS - HOUR
        began = time.perf_counter()
        with engine.begin() as conn:
            roll_minutes(conn, hour_start, NOW_MS)
            minutes_s = time.perf_counter() - began
            roll_hours(conn, hour_start, NOW_MS)
        with engine.connect() as conn:
            in_hour = int(
                conn.execute(
                    text("SELECT count(*) FROM sensing_points WHERE ts >= :a"), {"a": hour_start}
                ).scalar_one()
            )
        out["rollup_one_hour"] = {
            "raw_points_in_hour": in_hour,
            "minutes_s": round(minutes_s, 2),
            "minutes_and_hours_s": round(time.perf_counter() - began, 2),
        }
        console.print(out)
    finally:
        if platform is not None:
            platform.close()
        if not args.keep:
            cleanup()
    return out


def machine_conditions() -> dict[str, float]:
    """How busy the machine was: the 1-minute load average and the time of a 10M-step Python
    loop (0.27 s on this 2-core machine when idle)."""
    began = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i
    return {
        "load_average_1m": round(os.getloadavg()[0], 2),
        "python_loop_10M_s": round(time.perf_counter() - began, 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--devices", type=int, default=100_000)
    parser.add_argument("--window", type=int, default=5, help="health window, minutes")
    parser.add_argument("--year-devices", type=int, default=100)
    parser.add_argument("--points", type=int, default=5_000_000)
    parser.add_argument("--sqlite-points", type=int, default=1_000_000, help="at most, on SQLite")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--pg-url", default=os.environ.get("CITYOPS_BENCH_PG_URL", PG_URL))
    parser.add_argument("--keep", action="store_true", help="keep the generated database")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    dbs = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    previous: dict[str, Any] = {}
    if args.out.exists():
        previous = {r["db"]: r for r in json.loads(args.out.read_text()).get("results", [])}
    for db in dbs:
        conditions = machine_conditions()
        began = time.perf_counter()
        previous[db] = run_one(db, args)
        previous[db]["run_seconds"] = round(time.perf_counter() - began, 1)
        previous[db]["machine_before"] = conditions
        previous[db]["machine_after"] = machine_conditions()
    report = {
        "benchmark": "sensing storage and queries (series, latest, health, storage, rollup)",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpu_count": os.cpu_count(),
            "python": sys.version.split()[0],
            "platform": pyplatform.platform(),
            "sqlalchemy": sqlalchemy.__version__,
        },
        "method": (
            "median of N runs after 1 warm-up, in process (no HTTP); fresh migrated database, "
            "ANALYZE after the bulk load"
        ),
        "results": [previous[k] for k in sorted(previous)],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    console.print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
