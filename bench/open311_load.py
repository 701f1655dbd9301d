"""HTTP throughput and latency of Open311 intake (POST /open311/v2/requests.json) with routing on.

Builds a fresh database with the demo city (areas, responsibility list, departments, staff) and
an api key, starts the real server (`uvicorn cityops.web.server:app`, N worker processes) with
a trained routing model (CITYOPS_ROUTER_MODEL_DIR: the server routes every new citizen request
after commit, on the outbox relay) and drives it with wrk on the same machine. Each request is
a form-encoded GeoReport v2 POST: api_key, a service_code of the responsibility list, lat/long
inside the city and a real citizen message (tipdm2020_c) as the description.

The server's Open311 allowances per key and per address are raised above the benchmark's own
rate for the run (a benchmark is one client flooding from one address — exactly what the
default allowances refuse); the limiter still runs on every request.

Usage: python -m bench.open311_load [--db sqlite|postgresql|both] [--model DIR] [--duration 20]
Without --model a model is trained first (`cityops router train` on tipdm2020_c, into a temp dir).
Writes bench/results/open311_load.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from sqlalchemy import create_engine, text

from bench._server import (
    RESULTS,
    ROOT,
    city_points,
    free_port,
    fresh_database,
    load_average,
    machine,
    run_wrk,
    seed_city,
    start_server,
)

MESSAGES = Path("tipdm2020_c") / "appeals_labeled_raw_2537.csv"
PATH = "/open311/v2/requests.json"
# Allowances for the benchmark's server: far above what one wrk client sends in a run.
BENCH_ALLOWANCE = 10_000_000
WARMUP = 20


def messages(data: Path, limit: int) -> list[str]:
    """Real citizen messages (主题 + 详情), whitespace collapsed, in file order."""
    with (data / MESSAGES).open(encoding="utf-8", newline="") as f:
        texts = [" ".join((row.get("text") or "").split()) for row in csv.DictReader(f)]
    return [t for t in texts if len(t) >= 5][:limit]


def train_model(data: Path, out: Path) -> Path:
    """`cityops router train` on the labelled messages (no cross-validation); the store root."""
    cli = Path(sys.executable).with_name("cityops")
    started = time.monotonic()
    cmd = [str(cli), "router", "train", "--data", str(data / MESSAGES), "--out", str(out)]
    subprocess.run(
        [*cmd, "--cv", "0"],
        check=True,
        capture_output=True,
    )
    print(f"trained a routing model in {time.monotonic() - started:.0f} s → {out}", flush=True)
    return out


def model_version(location: Path) -> str:
    from cityops.appeals.routing.store import open_model

    return open_model(location).version


def seed(url: str, data_dir: Path | None, texts: list[str]) -> dict[str, Any]:
    """City, responsibility list, staff and an api key; returns form-encoded request bodies."""
    from cityops.app import build_platform
    from cityops.infra.settings import Settings
    from cityops.kernel.actor import SYSTEM

    platform = build_platform(Settings(env="demo", database_url=url))
    try:
        areas = seed_city(platform, data_dir)
        with platform.uow() as uow:
            api_key = platform.open311.create_key(uow, SYSTEM, "bench-partner").api_key
        with platform.read() as s:
            codes = [sv.service_code for sv in platform.open311.services(s, SYSTEM)]
        rng = random.Random(11)
        points = city_points(platform, len(texts), rng)
        bodies = [
            urlencode(
                {
                    "api_key": api_key,
                    "service_code": rng.choice(codes),
                    "lat": f"{lat:.6f}",
                    "long": f"{lon:.6f}",
                    "description": description,
                }
            )
            for description, (lon, lat) in zip(texts, points, strict=True)
        ]
        return {"bodies": bodies, "areas": areas, "services": len(codes)}
    finally:
        platform.close()


def count(url: str, sql: str) -> int:
    engine = create_engine(url)
    with engine.connect() as c:
        n = int(c.execute(text(sql)).scalar_one())
    engine.dispose()
    return n


def open311_cases(url: str) -> int:
    return count(url, "SELECT count(*) FROM cases WHERE source = 'open311'")


def routed(url: str) -> int:
    return count(url, "SELECT count(*) FROM routing_decisions")


def pending(url: str) -> int:
    """Committed events the relay has not handed to every handler yet (routing among them)."""
    return count(url, "SELECT count(*) FROM outbox WHERE dispatched_at IS NULL")


def wait_for(check: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.5)
    return False


def bench_database(
    kind: str, args: argparse.Namespace, work: Path, model: Path, texts: list[str]
) -> dict[str, Any]:
    with fresh_database(kind, work) as url:
        seeded = seed(url, args.data, texts)
        bodies: list[str] = seeded["bodies"]
        port = free_port()
        env = {
            "CITYOPS_ROUTER_MODEL_DIR": str(model),
            "CITYOPS_OPEN311_POSTS_PER_MINUTE_PER_KEY": str(BENCH_ALLOWANCE),
            "CITYOPS_OPEN311_POSTS_PER_MINUTE_PER_IP": str(BENCH_ALLOWANCE),
        }
        proc = start_server(url, port, args.workers, work / f"server-{kind}.log", env)
        try:
            # warm up: both workers answer, and the relay has loaded the model and routed
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            for body in bodies[-WARMUP:]:
                r = httpx.post(f"http://127.0.0.1:{port}{PATH}", content=body, headers=headers)
                r.raise_for_status()
            routing_on = wait_for(lambda: routed(url) > 0 and pending(url) == 0, 120)
            before = (open311_cases(url), routed(url))
            load_before = load_average()
            result = run_wrk(
                port,
                "",
                [PATH],
                bodies[: len(bodies) - WARMUP],
                duration=args.duration,
                connections=args.connections,
                threads=args.threads,
                work=work,
                name=f"{kind}-open311",
                content_type="application/x-www-form-urlencoded",
            )
            load_after = load_average()
            created = open311_cases(url) - before[0]
            routed_in_run = routed(url) - before[1]
            backlog = pending(url)
            started = time.monotonic()
            caught_up = wait_for(lambda: pending(url) == 0, 600)
            drained_in = round(time.monotonic() - started, 1)
            routed_total = routed(url) - before[1]
            run_seconds = result["duration_us"] / 1e6
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        return {
            "database": kind,
            "workers": args.workers,
            "rps": result["rps"],
            "p50_ms": result["p50_ms"],
            "p90_ms": result["p90_ms"],
            "p99_ms": result["p99_ms"],
            "max_ms": result["max_ms"],
            "requests": result["requests"],
            "non_2xx": result["errors_status"],
            "socket_errors": {
                "connect": result["errors_connect"],
                "timeout": result["errors_timeout"],
            },
            "cases_created": created,
            "routing": {
                "on": routing_on,
                "decisions_during_run": routed_in_run,
                "events_pending_at_end_of_run": backlog,
                "relay_caught_up": caught_up,
                "seconds_to_catch_up": drained_in,
                "decisions_after_catch_up": routed_total,
                # the rate at which appeals were taken in AND routed: every decision of the
                # run over the run's time plus the relay's catch-up after it
                "routed_per_second_including_catch_up": round(
                    routed_total / (run_seconds + drained_in), 1
                ),
            },
            "load_average_before": load_before,
            "load_average_after": load_after,
            "areas": seeded["areas"],
            "services": seeded["services"],
        }


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="sqlite")
    ap.add_argument("--model", type=Path, help="a trained model version dir or store root")
    ap.add_argument("--duration", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--messages", type=int, default=2000, help="distinct request bodies")
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = ap.parse_args()
    if not (args.data / MESSAGES).is_file():
        sys.exit(f"the citizen messages are needed: {args.data / MESSAGES}")
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    texts = messages(args.data, args.messages)
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    runs = []
    with tempfile.TemporaryDirectory(prefix="cityops-bench-") as tmp:
        work = Path(tmp)
        model = args.model or train_model(args.data, work / "models")
        version = model_version(model)
        for kind in kinds:
            print(f"benchmarking {kind} …", flush=True)
            runs.append(bench_database(kind, args, work, model, texts))
            print(json.dumps(runs[-1], indent=1), flush=True)
    report = {
        "benchmark": "open311_load",
        "what": "Open311 POST requests.json (form-encoded, real citizen messages) with routing on",
        "targets": {"rps": ">= 300", "p99_ms": "<= 100", "cores": 2, "routing": "on"},
        "machine": machine(),
        "server": {
            "workers": args.workers,
            "load": f"wrk -t{args.threads} -c{args.connections} "
            f"-d{args.duration}s on the same machine",
            "open311_allowances_per_minute": BENCH_ALLOWANCE,
        },
        "routing_model": {"version": version, "given": args.model is not None},
        "bodies": {"distinct": len(texts), "source": str(MESSAGES)},
        "runs": runs,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "open311_load.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"written {out}")


if __name__ == "__main__":
    main()
