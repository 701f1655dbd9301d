"""Benchmark: the case indicator query over 1,000,000 cases (target ≤ 1 s).

Generates cases with realistic distributions straight into a fresh, migrated database (bulk
inserts through SQLAlchemy Core executemany, in chunks), then times
`platform.cases.indicator_counts(...)` for one calendar month grouped by department, by area
and by district: the median of 5 runs after 1 warm-up. Writes bench/results/indicators_1m.json.

    .venv/bin/python bench/indicators_1m.py                 # SQLite (a file under var/bench/)
    .venv/bin/python bench/indicators_1m.py --pg            # SQLite and PostgreSQL
    .venv/bin/python bench/indicators_1m.py --db postgresql --cases 200000

PostgreSQL: the server at --pg-url (default postgresql+psycopg://postgres@127.0.0.1:5432/test);
the benchmark creates its own database there and drops it afterwards.
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
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy import JSON, Boolean, Engine, Float, Integer, create_engine, insert, text
from sqlalchemy.engine import make_url

from cityops.app import build_platform
from cityops.infra.db import UTCDateTime, make_engine
from cityops.infra.migrate import upgrade
from cityops.infra.settings import Settings
from cityops.kernel.actor import SYSTEM
from cityops.kernel.clock import SHANGHAI, FixedClock

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "indicators_1m.json"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
# The data spans the 12 months before NOW; the timed window is the last full month.
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)
WINDOW = (datetime(2026, 10, 1, tzinfo=SHANGHAI), datetime(2026, 11, 1, tzinfo=SHANGHAI))
GROUPINGS = ("department", "area", "district")
console = Console()


# ---- a synthetic city ------------------------------------------------------------------------


class City:
    """6 districts × 8 streets × 10 communities × 6 grids, 40 departments, 150 categories."""

    def __init__(self, rng: random.Random) -> None:
        self.districts = [(f"3301{d:02d}", f"第{d}区") for d in range(2, 8)]
        self.streets = [
            (dc + f"{s:03d}", f"{dn}第{s}街道", dc, dn)
            for dc, dn in self.districts
            for s in range(1, 9)
        ]
        self.departments = [(i, f"D{i:03d}", f"承办单位{i:02d}") for i in range(1, 41)]
        # Zipf-like load: a few departments (城管, 市政, 环卫 …) get most of the cases.
        self.dept_weights = [1.0 / (rank**0.9) for rank in range(1, 41)]
        self.street_weights = [rng.uniform(0.4, 2.0) for _ in self.streets]
        self.categories = []
        for i in range(150):
            kind = "component" if i < 60 else ("event" if i < 120 else "appeal")
            dept = self.departments[(i * 7) % 40]
            self.categories.append((f"C{i:04d}", f"类别{i:03d}", kind, dept))
        self.cat_weights = [1.0 / ((i % 50) + 1) ** 0.7 for i in range(150)]


SOURCES = ["inspector", "hotline", "web", "open311", "sensor", "transfer"]
SOURCE_WEIGHTS = [60, 25, 8, 3, 3, 1]
# Hour-of-day profile (Shanghai): inspectors patrol by day, the hotline peaks in the morning.
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 13, 11, 9, 10, 12, 12, 11, 9, 7, 5, 4, 3, 2, 1]


def _hours(rng: random.Random, median: float, sigma: float = 0.8) -> timedelta:
    return timedelta(hours=rng.lognormvariate(0.0, sigma) * median)


def make_case(i: int, rng: random.Random, city: City, days: int) -> dict[str, Any]:
    day = NOW.date() - timedelta(days=1 + int(rng.random() ** 1.15 * days))
    hour = rng.choices(range(24), HOUR_WEIGHTS)[0]
    reported = datetime(day.year, day.month, day.day, hour, rng.randrange(60), tzinfo=SHANGHAI)
    reported = reported.astimezone(UTC)
    source = rng.choices(SOURCES, SOURCE_WEIGHTS)[0]
    code, cname, kind, routed = rng.choices(city.categories, city.cat_weights)[0]
    sc, sn, dc, dn = rng.choices(city.streets, city.street_weights)[0]
    community = sc + f"{rng.randrange(1, 11):03d}"
    grid = community + f"{rng.randrange(1, 7):03d}"
    row: dict[str, Any] = {
        "number": f"{reported:%Y%m%d}{i:08d}",
        "tracking_code": f"T{i:010d}",
        "version": 1,
        "source": source,
        "title": cname,
        "description": f"{sn} {cname}",
        "category_code": code,
        "category_name": cname,
        "kind": kind,
        "urgency": "urgent" if rng.random() < 0.05 else "normal",
        "lon": 120.17 + rng.uniform(-0.05, 0.05),
        "lat": 30.27 + rng.uniform(-0.05, 0.05),
        "address": f"{sn}某路{rng.randrange(1, 300)}号",
        "area_code": grid,
        "district_code": dc,
        "district_name": dn,
        "street_code": sc,
        "street_name": sn,
        "community_code": community,
        "community_name": f"社区{community[-3:]}",
        "grid_code": grid,
        "grid_name": f"网格{grid[-3:]}",
        "suggested_department_id": routed[0],
        "suggested_department_code": routed[1],
        "suggested_department_name": routed[2],
        "reported_at": reported,
        "updated_at": reported,
        "limits": {"handle": {"amount": 3, "unit": "working_days"}},
        "deadlines": {},
        "overdue": False,
        "supervised": rng.random() < 0.02,
        "return_count": 0,
        "rework_count": 0,
        "extension_count": 0,
        "reopen_count": 0,
        "suspended_seconds": 0.0,
        "history_seq": 1,
        "status": "reported",
    }
    age = NOW - reported
    r = rng.random()
    if age < timedelta(hours=2) and r < 0.5:
        return row  # still waiting to be registered
    if r < 0.04:
        row["status"] = "rejected"
        return row
    if r < 0.06:
        row["status"] = "cancelled"
        return row
    row["registered_at"] = reported + _hours(rng, 0.3)
    if source == "inspector" and rng.random() < 0.15:  # 自行处置
        row.update(status="closed", closed_at=row["registered_at"], closed_on_time=True)
        row["close_deadline"] = reported + timedelta(days=2)
        return row
    if rng.random() < 0.02:
        row["status"] = "registered"  # not dispatched (yet)
        return row
    dispatched = row["registered_at"] + _hours(rng, 0.4)
    dept = routed if rng.random() < 0.9 else rng.choices(city.departments, city.dept_weights)[0]
    returned = rng.random() < 0.04
    first = dept
    if returned:
        dept = routed
        row["return_count"] = 1
    handle_deadline = dispatched + timedelta(hours=rng.choice((4, 24, 72, 120)))
    row.update(
        status="dispatched",
        dispatched_at=dispatched,
        first_department_id=first[0],
        department_id=dept[0],
        department_code=dept[1],
        department_name=dept[2],
        handle_deadline=handle_deadline,
        close_deadline=handle_deadline + timedelta(hours=24),
        stage="handle",
        stage_started_at=dispatched,
        stage_deadline=handle_deadline,
    )
    if rng.random() < 0.03:
        row["extension_count"] = 1
        row["handle_deadline"] += timedelta(days=3)
        row["close_deadline"] += timedelta(days=3)
    handled = dispatched + _hours(rng, 12, 1.0)
    if handled > NOW:
        row["status"] = "in_progress"
        row["signed_at"] = dispatched + _hours(rng, 0.5)
        row["overdue"] = row["handle_deadline"] < NOW
        return row
    row.update(signed_at=dispatched + _hours(rng, 0.5), handled_at=handled)
    row["handled_on_time"] = handled <= row["handle_deadline"]
    if rng.random() < 0.04:
        row["rework_count"] = 1
        handled += _hours(rng, 10)
    closed = handled + _hours(rng, 4)
    if closed > NOW:
        row["status"] = "handled"
        return row
    row.update(status="closed", closed_at=closed, closed_on_time=closed <= row["close_deadline"])
    return row


def _fill_defaults(table: sqlalchemy.Table, row: dict[str, Any]) -> dict[str, Any]:
    """Only the table's columns; NOT NULL ones the generator does not know get a neutral value."""
    out: dict[str, Any] = {}
    for col in table.columns:
        if col.primary_key:
            continue
        if col.name in row:
            out[col.name] = row[col.name]
        elif col.nullable and isinstance(col.type, JSON):
            continue  # left out: SQL NULL (a bound None would be stored as JSON 'null')
        elif col.nullable:
            out[col.name] = None
        elif isinstance(col.type, Boolean):
            out[col.name] = False
        elif isinstance(col.type, Integer | Float):
            out[col.name] = 0
        elif isinstance(col.type, JSON):
            out[col.name] = {}
        elif isinstance(col.type, UTCDateTime):
            out[col.name] = row["reported_at"]
        else:
            out[col.name] = ""
    return out


def generate(n: int, seed: int) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    city = City(rng)
    for i in range(1, n + 1):
        yield make_case(i, rng, city, days=365)


# ---- load and time ---------------------------------------------------------------------------


def load(engine: Engine, n: int, chunk: int, seed: int, label: str) -> float:
    from cityops.cases.store import cases  # the engine's table

    started = time.perf_counter()
    stmt = insert(cases)
    columns = (
        TextColumn(f"[bold]{label}[/] loading cases"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("load", total=n)
        batch: list[dict[str, Any]] = []
        for row in generate(n, seed):
            batch.append(_fill_defaults(cases, row))
            if len(batch) >= chunk:
                with engine.begin() as conn:
                    conn.execute(stmt, batch)
                progress.advance(task, len(batch))
                batch = []
        if batch:
            with engine.begin() as conn:
                conn.execute(stmt, batch)
            progress.advance(task, len(batch))
    return time.perf_counter() - started


def analyze(engine: Engine) -> None:
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


def time_queries(url: str, runs: int) -> dict[str, Any]:
    settings = Settings(env="test", database_url=url)
    platform = build_platform(settings, clock=FixedClock(NOW), migrate=False)
    start, end = (w.astimezone(UTC) for w in WINDOW)
    out: dict[str, Any] = {}
    try:
        for group_by in GROUPINGS:
            samples = []
            rows: list[Any] = []
            for i in range(runs + 1):
                with platform.read() as session:
                    t0 = time.perf_counter()
                    rows = list(
                        platform.cases.indicator_counts(
                            session, SYSTEM, group_by=group_by, start=start, end=end
                        )
                    )
                    elapsed = time.perf_counter() - t0
                if i > 0:  # the first run warms caches
                    samples.append(elapsed)
            out[group_by] = {
                "median_s": round(statistics.median(samples), 4),
                "runs_s": [round(s, 4) for s in samples],
                "groups": len(rows),
                "reported_in_window": sum(r.reported for r in rows),
            }
            console.print(
                f"  group_by={group_by:<10} median {out[group_by]['median_s']:.3f} s "
                f"({len(rows)} groups, {out[group_by]['reported_in_window']} cases in window)"
            )
    finally:
        platform.close()
    return out


def run_one(db: str, args: argparse.Namespace) -> dict[str, Any]:
    if db == "sqlite":
        path = ROOT / "var" / "bench" / f"indicators_{uuid.uuid4().hex[:8]}.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{path}"
        cleanup = lambda: [p.unlink(missing_ok=True) for p in path.parent.glob(path.name + "*")]  # noqa: E731
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

    try:
        engine = make_engine(url)
        upgrade(url, engine)
        with engine.connect() as conn:
            version = conn.execute(
                text("select sqlite_version()" if db == "sqlite" else "show server_version")
            ).scalar_one()
        load_s = load(engine, args.cases, args.chunk, args.seed, db)
        analyze(engine)
        engine.dispose()
        console.print(f"[bold]{db}[/] {args.cases:,} cases loaded in {load_s:.1f} s; timing…")
        timings = time_queries(url, args.runs)
    finally:
        if not args.keep:
            cleanup()
    worst = max(t["median_s"] for t in timings.values())
    return {
        "db": db,
        "db_version": str(version),
        "cases": args.cases,
        "window": {
            "from": WINDOW[0].date().isoformat(),
            "to_exclusive": WINDOW[1].date().isoformat(),
        },
        "load_seconds": round(load_s, 1),
        "timings": timings,
        "target_s": 1.0,
        "meets_target": worst <= 1.0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--chunk", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--pg", action="store_true", help="same as --db both")
    parser.add_argument("--pg-url", default=os.environ.get("CITYOPS_BENCH_PG_URL", PG_URL))
    parser.add_argument("--keep", action="store_true", help="keep the generated database")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    dbs = ["sqlite", "postgresql"] if args.pg or args.db == "both" else [args.db]

    previous: dict[str, Any] = {}
    if args.out.exists():
        previous = {r["db"]: r for r in json.loads(args.out.read_text()).get("results", [])}
    for db in dbs:
        previous[db] = run_one(db, args)
    report = {
        "benchmark": "case indicators (cases.indicator_counts) over one month of 1M cases",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpu_count": os.cpu_count(),
            "python": sys.version.split()[0],
            "platform": pyplatform.platform(),
            "sqlalchemy": sqlalchemy.__version__,
        },
        "method": "median of N runs after 1 warm-up; fresh migrated database, ANALYZE after load",
        "results": [previous[k] for k in sorted(previous)],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    console.print(
        f"written {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}"
    )
    return 0 if all(r["meets_target"] for r in report["results"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
