"""HTTP throughput and latency of case intake and case actions.

Builds a fresh database with the demo city (areas, responsibility list, departments, staff),
starts the real server (`uvicorn cityops.web.server:app`, N worker processes) and drives it with
wrk (C, from Debian's package) so the load generator costs as little CPU as possible on the same
2-core machine. Three phases, each a separate wrk run:

  intake    POST /api/v1/cases: validate, locate the point (area chain), route by the
            responsibility list, compute stage deadlines, persist case + history + outbox event
  register  POST /api/v1/cases/{id}/actions/register on distinct cases (version check, history)
  dispatch  POST /api/v1/cases/{id}/actions/dispatch on the same cases

Usage: python -m bench.http_load [--db sqlite|postgresql|both] [--duration 20] [--workers 2]
                                 [--warmup 3]
Writes bench/results/http_load.json.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from bench._server import (
    RESULTS,
    ROOT,
    city_points,
    free_port,
    fresh_database,
    machine,
    run_wrk,
    seed_city,
    start_server,
)


def seed(url: str, data_dir: Path | None) -> dict[str, Any]:
    """Areas, taxonomy, departments and staff; returns tokens and request bodies."""
    from cityops.app import build_platform
    from cityops.infra.settings import Settings
    from cityops.taxonomy.public import CategoryKind

    platform = build_platform(Settings(env="demo", database_url=url))
    try:
        seed_city(platform, data_dir)
        rng = random.Random(7)
        with platform.read() as s:
            leaves = [
                c.code
                for c in platform.taxonomy.list_categories(s, leaf_only=True)
                if c.kind == CategoryKind.appeal
            ]
            tokens = {
                u: platform.org.access_token_for_user(s, u).access_token
                for u in ("operator", "dispatcher")
            }
        points = city_points(platform, 500, rng)
        bodies = [
            {
                "source": "hotline",
                "title": "小区门口路灯不亮",
                "description": f"压测受理 {i}：夜间路灯不亮，行人不便，请尽快维修。",
                "category_code": rng.choice(leaves),
                "lon": lon,
                "lat": lat,
                "address": "压测地址",
                "reporter_phone": f"139{rng.randrange(10**8):08d}",
            }
            for i, (lon, lat) in enumerate(points)
        ]
        return {"tokens": tokens, "bodies": bodies}
    finally:
        platform.close()


def case_ids(url: str, status: str) -> list[int]:
    engine = create_engine(url)
    with engine.connect() as c:
        ids = [
            int(r[0])
            for r in c.execute(
                text("SELECT id FROM cases WHERE status = :s ORDER BY id"), {"s": status}
            )
        ]
    engine.dispose()
    return ids


def bench_database(kind: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    with fresh_database(kind, work) as url:
        seeded = seed(url, args.data)
        port = free_port()
        proc = start_server(url, port, args.workers, work / f"server-{kind}.log")
        try:
            common = {
                "duration": args.duration,
                "connections": args.connections,
                "threads": args.threads,
                "work": work,
            }
            bodies = [json.dumps(b, ensure_ascii=False) for b in seeded["bodies"]]
            # warm up (not measured): both workers load the area index, the responsibility
            # list and the token cache; these cases are registered and dispatched below too
            run_wrk(
                port,
                seeded["tokens"]["operator"],
                ["/api/v1/cases"],
                bodies,
                name=f"{kind}-warmup",
                **{**common, "duration": args.warmup},
            )
            intake = run_wrk(
                port,
                seeded["tokens"]["operator"],
                ["/api/v1/cases"],
                bodies,
                name=f"{kind}-intake",
                **common,
            )
            ids = case_ids(url, "reported")
            register = run_wrk(
                port,
                seeded["tokens"]["operator"],
                [f"/api/v1/cases/{i}/actions/register" for i in ids],
                [json.dumps({"version": 1, "note": "bench"})],
                name=f"{kind}-register",
                **common,
            )
            ids = case_ids(url, "registered")
            dispatch = run_wrk(
                port,
                seeded["tokens"]["dispatcher"],
                [f"/api/v1/cases/{i}/actions/dispatch" for i in ids],
                [json.dumps({"version": 2, "note": "bench"})],
                name=f"{kind}-dispatch",
                **common,
            )
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        return {
            "database": kind,
            "intake": intake,
            "register": register,
            "dispatch": dispatch,
            "cases_created": len(case_ids(url, "dispatched"))
            + len(case_ids(url, "registered"))
            + len(case_ids(url, "reported")),
        }


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    ap.add_argument("--duration", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=3, help="seconds of unmeasured intake first")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = ap.parse_args()
    if not args.data.is_dir():
        args.data = None
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    runs = []
    with tempfile.TemporaryDirectory(prefix="cityops-bench-") as tmp:
        for kind in kinds:
            print(f"benchmarking {kind} …", flush=True)
            runs.append(bench_database(kind, args, Path(tmp)))
            print(json.dumps(runs[-1], indent=1), flush=True)
    report = {
        "benchmark": "http_load",
        "what": "case intake (create + locate + route + persist) and case actions over HTTP",
        "targets": {"rps": ">= 500", "p99_ms": "<= 50", "database": "sqlite"},
        "machine": machine(),
        "server": {
            "workers": args.workers,
            "load": f"wrk -t{args.threads} -c{args.connections} "
            f"-d{args.duration}s on the same machine, after {args.warmup}s of unmeasured intake",
        },
        "areas": "Hangzhou 下城区 (real)" if args.data else "generated demo city",
        "runs": runs,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "http_load.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"written {RESULTS / 'http_load.json'}")


if __name__ == "__main__":
    main()
