"""Benchmark: the monthly report (智能报表) in all three formats over 1,000,000 cases (target:
xlsx + docx + pdf ≤ 15 s).

Loads cases with bench/indicators_1m.py's generator (realistic sources, categories, streets and
departments over the 12 months before 2026-11-23) into a fresh, migrated database, then times,
through platform.reports, building the October 2026 report (the grouped reads for the month, the
month before and the same month a year before, the case lists) and rendering it as .xlsx, .docx
and .pdf (headless Chromium): the median of N runs after 1 warm-up. Writes
bench/results/reports.json and leaves the last files under var/bench/reports/ to look at.

    .venv/bin/python bench/reports.py                  # SQLite, 1,000,000 cases
    .venv/bin/python bench/reports.py --pg             # SQLite and PostgreSQL
    .venv/bin/python bench/reports.py --db postgresql --cases 200000
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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cityops.app import build_platform
from cityops.infra.db import make_engine
from cityops.infra.migrate import upgrade
from cityops.infra.settings import Settings
from cityops.insight.public import ReportFormat, parse_period
from cityops.kernel.actor import SYSTEM
from cityops.kernel.clock import FixedClock
from indicators_1m import NOW, PG_URL, analyze, console, load

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "reports.json"
FILES = ROOT / "var" / "bench" / "reports"
PERIOD = "2026-10"
TARGET_S = 15.0


def time_report(url: str, runs: int, db: str) -> dict[str, Any]:
    settings = Settings(env="test", database_url=url)
    platform = build_platform(settings, clock=FixedClock(NOW), migrate=False)
    period = parse_period(PERIOD)
    samples: dict[str, list[float]] = {"build": [], "xlsx": [], "docx": [], "pdf": [], "total": []}
    sizes: dict[str, int] = {}
    reported = 0
    try:
        for i in range(runs + 1):
            t0 = time.perf_counter()
            with platform.read() as session:
                report = platform.reports.build(session, SYSTEM, period)
            spent = {"build": time.perf_counter() - t0}
            for fmt in ReportFormat:
                t1 = time.perf_counter()
                content = platform.reports.render(report, fmt)
                spent[fmt.value] = time.perf_counter() - t1
                sizes[fmt.value] = len(content)
                FILES.mkdir(parents=True, exist_ok=True)
                (FILES / f"report-{PERIOD}-{db}.{fmt.value}").write_bytes(content)
            spent["total"] = time.perf_counter() - t0
            reported = int(report.figure("reported").value or 0)
            if i > 0:  # the first run warms caches (and Chromium's files)
                for key, value in spent.items():
                    samples[key].append(value)
            console.print(
                "  run "
                + ("(warm-up) " if i == 0 else "")
                + ", ".join(f"{k} {v:.2f} s" for k, v in spent.items())
            )
    finally:
        platform.close()
    return {
        "median_s": {k: round(statistics.median(v), 3) for k, v in samples.items()},
        "runs_s": {k: [round(x, 3) for x in v] for k, v in samples.items()},
        "file_bytes": sizes,
        "reported_in_period": reported,
    }


def run_one(db: str, args: argparse.Namespace) -> dict[str, Any]:
    if db == "sqlite":
        path = ROOT / "var" / "bench" / f"reports_{uuid.uuid4().hex[:8]}.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{path}"

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

    try:
        engine = make_engine(url)
        upgrade(url, engine)
        load_s = load(engine, args.cases, args.chunk, args.seed, db)
        analyze(engine)
        engine.dispose()
        console.print(f"[bold]{db}[/] {args.cases:,} cases loaded in {load_s:.1f} s; timing…")
        timings = time_report(url, args.runs, db)
    finally:
        cleanup()
    total = timings["median_s"]["total"]
    return {
        "db": db,
        "cases": args.cases,
        "period": PERIOD,
        "load_seconds": round(load_s, 1),
        **timings,
        "target_s": TARGET_S,
        "meets_target": total <= TARGET_S,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--chunk", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], action="append")
    parser.add_argument("--pg", action="store_true", help="SQLite and PostgreSQL")
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    dbs = args.db or (["sqlite", "postgresql"] if args.pg else ["sqlite"])
    results = [run_one(db, args) for db in dbs]
    doc = {
        "benchmark": "monthly report (智能报表) built and rendered as xlsx + docx + pdf",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpu_count": os.cpu_count(),
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "python": pyplatform.python_version(),
            "platform": pyplatform.platform(),
            "sqlalchemy": sqlalchemy.__version__,
        },
        "method": "median of N runs after 1 warm-up; total = build + the three renders",
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    console.print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
