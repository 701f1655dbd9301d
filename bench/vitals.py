"""City vital signs (城市体征): (a) every indicator of the catalogue evaluated once for every
area (`evaluate_due` with all of them due) over the bulk-loaded 1,000,000 cases of
bench/indicators_1m.py, against the shortest refresh interval among them; (b) a one-year trend
of a 5-minute indicator in one area with a year of stored values (105,120 rows), target 100 ms,
median of 7. Writes bench/results/vitals.json.

    .venv/bin/python -m bench.vitals [--cases 1000000] [--db sqlite|postgresql|both]
        [--part all|evaluate|trend]

A year of 5-minute values is more than 1,000 refresh intervals, so the trend is read as 12 h
buckets (mean, min, max) aggregated in SQL: 730 points instead of 105,120.

The cases keep the bulk loader's synthetic place codes; the bench generates the demo city's
areas and moves each synthetic street's cases to one of the demo streets (and its district)
with one UPDATE per street, untimed, so the grouped reads meet real areas.
"""

from __future__ import annotations

import argparse
import json
import os
import platform as pyplatform
import statistics
import sys
import time
import uuid
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, delete, insert, text, update
from sqlalchemy.engine import make_url

from bench.indicators_1m import NOW, PG_URL, analyze, load
from cityops.app import Platform, build_platform
from cityops.cases.store import cases
from cityops.geo.public import AreaLevel
from cityops.infra.db import make_engine
from cityops.infra.migrate import upgrade
from cityops.infra.settings import Settings
from cityops.insight.vitals_runtime import store as vital_store
from cityops.kernel.actor import SYSTEM, Actor, Role
from cityops.kernel.clock import FixedClock

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "vitals.json"
TREND_CODE = "waterlogging_points"  # refresh 5m
TREND_TARGET_S = 0.1
LEADER = Actor(user_id=1, username="bench", roles=frozenset({Role.leader}))


def _database(db: str, pg_url: str) -> tuple[str, Any]:
    if db == "sqlite":
        path = ROOT / "var" / "bench" / f"vitals_{uuid.uuid4().hex[:8]}.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}", lambda: [
            p.unlink(missing_ok=True) for p in path.parent.glob(path.name + "*")
        ]
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    name = f"cityops_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(pg_url).set(database=name).render_as_string(hide_password=False), drop


def _place_cases(p: Platform) -> int:
    """Each synthetic street's cases onto a demo street (round robin), with its district."""
    with p.uow() as uow:
        p.geo.generate_demo_city(uow, SYSTEM)
    with p.read() as s:
        streets = [a.code for a in p.geo.list_areas(s, AreaLevel.street)]
        chains = {c: p.geo.chain_of(s, c) for c in streets}
        synthetic = [
            r[0]
            for r in s.execute(text("SELECT DISTINCT street_code FROM cases ORDER BY 1"))
            if r[0]
        ]
    for i, code in enumerate(synthetic):
        target = streets[i % len(streets)]
        district = chains[target].at(AreaLevel.district)
        with p.uow() as uow:
            uow.session.execute(
                update(cases)
                .where(cases.c.street_code == code)
                .values(
                    street_code=target,
                    district_code=district.code if district else None,
                )
            )
    return len(synthetic)


def _clear_vitals(p: Platform) -> None:
    with p.uow() as uow:
        for table in (vital_store.values, vital_store.states, vital_store.transitions):
            uow.session.execute(delete(table))


def time_evaluation(p: Platform, runs: int) -> dict[str, Any]:
    seconds: list[float] = []
    report = None
    for _ in range(runs):
        _clear_vitals(p)  # every indicator due again
        started = time.perf_counter()
        with p.uow() as uow:
            report = p.vitals.evaluate_due(uow, NOW)
        seconds.append(time.perf_counter() - started)
    assert report is not None
    with p.read() as s:
        shortest = min(d.refresh for d in p.vitals.current_definitions(s))
    median = statistics.median(seconds)
    return {
        "runs_s": [round(x, 3) for x in seconds],
        "median_s": round(median, 3),
        "indicators": len(report.evaluated),
        "values": report.values,
        "errors": list(report.errors),
        "target_s": shortest.total_seconds(),
        "meets_target": median <= shortest.total_seconds(),
    }


def time_trend(p: Platform, runs: int) -> dict[str, Any]:
    with p.read() as s:
        area = p.geo.list_areas(s, AreaLevel.street)[0].code
    end = NOW.astimezone(UTC)
    start = end - timedelta(days=365)
    step = timedelta(minutes=5)
    n = int((end - start) / step)
    rows = [
        {"indicator": TREND_CODE, "area_code": area, "at": start + i * step, "value": float(i % 7)}
        for i in range(n)
    ]
    with p.uow() as uow:
        for i in range(0, len(rows), 10_000):
            uow.session.execute(insert(vital_store.values), rows[i : i + 10_000])
    seconds: list[float] = []
    points = 0
    for _ in range(runs):
        started = time.perf_counter()
        with p.read() as s:
            trend = p.vitals.trend(s, LEADER, TREND_CODE, area=area, start=start, end=end)
        seconds.append(time.perf_counter() - started)
        points = len(trend.points)
    median = statistics.median(seconds)
    return {
        "rows": n,
        "points": points,
        "runs_s": [round(x, 4) for x in seconds],
        "median_s": round(median, 4),
        "target_s": TREND_TARGET_S,
        "meets_target": median <= TREND_TARGET_S,
    }


def run_one(db: str, args: argparse.Namespace) -> dict[str, Any]:
    url, cleanup = _database(db, args.pg_url)
    try:
        engine = make_engine(url)
        upgrade(url, engine)
        load_s = load(engine, args.cases, args.chunk, args.seed, db)
        engine.dispose()
        p = build_platform(Settings(env="test", database_url=url), clock=FixedClock(NOW))
        try:
            streets = _place_cases(p)
            engine = make_engine(url)
            analyze(engine)
            engine.dispose()
            evaluation = None
            if args.part in ("all", "evaluate"):
                evaluation = time_evaluation(p, args.eval_runs)
                print(f"{db}: evaluate_due {evaluation['median_s']} s", file=sys.stderr)
            trend = None
            if args.part in ("all", "trend"):
                trend = time_trend(p, args.runs)
                print(
                    f"{db}: one-year trend {trend['median_s']} s "
                    f"({trend['rows']} rows → {trend['points']} points)",
                    file=sys.stderr,
                )
        finally:
            p.close()
    finally:
        if not args.keep:
            cleanup()
    return {
        "db": db,
        "cases": args.cases,
        "synthetic_streets_placed": streets,
        "load_seconds": round(load_s, 1),
        "evaluate_all": evaluation,
        "trend_one_year": trend,
        "meets_target": all(part["meets_target"] for part in (evaluation, trend) if part),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--chunk", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=7, help="trend runs (median)")
    parser.add_argument("--eval-runs", type=int, default=3, help="evaluation runs (median)")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--pg-url", default=os.environ.get("CITYOPS_BENCH_PG_URL", PG_URL))
    parser.add_argument(
        "--part",
        choices=("all", "evaluate", "trend"),
        default="all",
        help="time only the evaluation or only the trend (which does not depend on --cases)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated database")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    dbs = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    results = [run_one(db, args) for db in dbs]
    report = {
        "benchmark": "vitals",
        "python": pyplatform.python_version(),
        "machine": pyplatform.machine(),
        "cpus": os.cpu_count(),
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    return 0 if all(r["meets_target"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
