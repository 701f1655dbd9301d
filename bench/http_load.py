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
Writes bench/results/http_load.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform as py_platform
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
LUA = ROOT / "bench" / "wrk_post.lua"
PG_ADMIN = os.environ.get(
    "CITYOPS_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seed(url: str, data_dir: Path | None) -> dict[str, Any]:
    """Areas, taxonomy, departments and staff; returns tokens and request bodies."""
    from cityops.app import build_platform
    from cityops.cases.taxonomy import CategoryKind
    from cityops.cases.taxonomy_io import load_default_taxonomy
    from cityops.demo.accounts import seed_org
    from cityops.geo.public import AreaLevel, generate_demo_city, import_hangzhou_xiacheng
    from cityops.infra.settings import Settings
    from cityops.kernel.actor import SYSTEM

    platform = build_platform(Settings(env="demo", database_url=url))
    try:
        with platform.uow() as uow:
            hz = data_dir / "hangzhou_xiacheng" if data_dir else None
            if hz is not None and hz.is_dir():
                import_hangzhou_xiacheng(uow, hz, clock=platform.clock)
            else:
                generate_demo_city(uow, clock=platform.clock)
        with platform.uow() as uow:
            load_default_taxonomy(uow, platform.taxonomy, SYSTEM)
        seed_org(platform)
        rng = random.Random(7)
        with platform.read() as s:
            leaves = [
                c.code
                for c in platform.taxonomy.list_categories(s, leaf_only=True)
                if c.kind == CategoryKind.appeal
            ]
            grids = platform.geo.list_features(s, level=AreaLevel.grid)
            points: list[tuple[float, float]] = []
            while len(points) < 500:
                f = rng.choice(grids)
                x0, y0, x1, y1 = f.bbox
                lon, lat = rng.uniform(x0, x1), rng.uniform(y0, y1)
                try:
                    platform.geo.locate(s, lon, lat)
                except Exception:
                    continue
                points.append((lon, lat))
            tokens = {
                u: platform.org.access_token_for_user(s, u).access_token
                for u in ("operator", "dispatcher")
            }
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


def start_server(url: str, port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, CITYOPS_DATABASE_URL=url, CITYOPS_ENV="demo")
    uvicorn = Path(sys.executable).with_name("uvicorn")
    cmd = [
        str(uvicorn),
        "cityops.web.server:app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"server did not start; see {log}")


def run_wrk(
    port: int,
    token: str,
    paths: list[str],
    bodies: list[str],
    *,
    duration: int,
    connections: int,
    threads: int,
    work: Path,
    name: str,
) -> dict[str, Any]:
    (work / f"{name}.paths").write_text("\n".join(paths) + "\n", encoding="utf-8")
    (work / f"{name}.bodies").write_text("\n".join(bodies) + "\n", encoding="utf-8")
    result = work / f"{name}.json"
    env = dict(
        os.environ,
        PATHS=str(work / f"{name}.paths"),
        BODIES=str(work / f"{name}.bodies"),
        TOKEN=token,
        THREADS=str(threads),
        RESULT=str(result),
        ONCE="1" if len(paths) > 1 else "0",
    )
    subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "5s",
            "-s",
            str(LUA),
            f"http://127.0.0.1:{port}",
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    out: dict[str, Any] = json.loads(result.read_text())
    out["rps"] = round(out["requests"] / (out["duration_us"] / 1e6), 1)
    return out


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
    if kind == "sqlite":
        url = f"sqlite:///{work / 'bench.db'}"
        drop = None
    else:
        name = f"cityops_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)

        def drop() -> None:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()

    try:
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
            intake = run_wrk(
                port,
                seeded["tokens"]["operator"],
                ["/api/v1/cases"],
                [json.dumps(b, ensure_ascii=False) for b in seeded["bodies"]],
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
    finally:
        if drop is not None:
            drop()


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    ap.add_argument("--duration", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
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
        "machine": {
            "cpus": os.cpu_count(),
            "python": py_platform.python_version(),
            "system": py_platform.platform(),
        },
        "server": {
            "workers": args.workers,
            "load": f"wrk -t{args.threads} -c{args.connections} "
            f"-d{args.duration}s on the same machine",
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
