"""What SQLite's `PRAGMA synchronous=FULL` costs against NORMAL → results/sqlite_synchronous.json.

    .venv/bin/python -m bench.sqlite_synchronous [--commits 2000] [--duration 10] [--rounds 3]

Two measures, each taken in alternating rounds (NORMAL, FULL, NORMAL, FULL …) on fresh database
files in the same directory, so the machine's drift falls on both alike:

  commits  one writer committing small transactions (a row of 300 bytes each) through the
           platform's engine (WAL, the writer lock, BEGIN IMMEDIATE): commits per second and
           the commit's p50/p99 in ms — the fsync of the write-ahead log that FULL adds;
  intake   POST /api/v1/cases over HTTP against the real server (2 workers), driven by wrk
           (needs wrk; skipped without it): requests per second and p50/p99, the cost as a
           user of the platform sees it.

FULL syncs the log at every commit, so an acknowledged write survives a power cut; NORMAL syncs
at checkpoints only (the database stays consistent; the last commits before a power cut may be
lost). The figures depend on the disk's fsync latency above all: measure on the deployment's
own disk before choosing NORMAL there.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench._server import RESULTS, free_port, machine, run_wrk, start_server
from cityops.infra.db import make_engine, make_session_factory

LEVELS = ("NORMAL", "FULL")


def commits(path: Path, level: str, n: int) -> dict[str, Any]:
    engine = make_engine(f"sqlite:///{path}", sqlite_synchronous=level)
    writes = make_session_factory(engine, write=True)
    with writes.begin() as s:
        s.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)"))
    body = "案" * 100  # 300 bytes of UTF-8
    took: list[float] = []
    start = time.perf_counter()
    for _ in range(n):
        t = time.perf_counter()
        with writes.begin() as s:
            s.execute(text("INSERT INTO t (body) VALUES (:b)"), {"b": body})
        took.append(time.perf_counter() - t)
    total = time.perf_counter() - start
    engine.dispose()
    took.sort()
    return {
        "commits_per_second": round(n / total, 1),
        "p50_ms": round(took[len(took) // 2] * 1000, 3),
        "p99_ms": round(took[int(len(took) * 0.99)] * 1000, 3),
    }


def intake(work: Path, level: str, duration: int, name: str) -> dict[str, Any]:
    from bench.http_load import seed

    url = f"sqlite:///{work / f'{name}.db'}"
    seeded = seed(url, None)
    port = free_port()
    proc = start_server(
        url, port, 2, work / f"{name}.log", env={"CITYOPS_SQLITE_SYNCHRONOUS": level}
    )
    try:
        bodies = [json.dumps(b, ensure_ascii=False) for b in seeded["bodies"]]
        common = {"connections": 16, "threads": 1, "work": work}
        token = seeded["tokens"]["operator"]
        run_wrk(port, token, ["/api/v1/cases"], bodies, duration=2, name=f"{name}-w", **common)
        out = run_wrk(
            port, token, ["/api/v1/cases"], bodies, duration=duration, name=name, **common
        )
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return {k: out[k] for k in ("rps", "requests", "errors", "latency_ms") if k in out}


def _summary(runs: list[dict[str, Any]], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: round(statistics.median(r[k] for r in runs), 3) for k in keys}


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--commits", type=int, default=2000)
    ap.add_argument("--duration", type=int, default=10, help="seconds of wrk intake per round")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--out", type=Path, default=RESULTS / "sqlite_synchronous.json")
    args = ap.parse_args()
    rounds: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="cityops-sync-", dir=Path.cwd()) as tmp:
        work = Path(tmp)
        for r in range(args.rounds):
            for level in LEVELS:
                row: dict[str, Any] = {"round": r + 1, "level": level}
                row["commits"] = commits(work / f"c-{r}-{level}.db", level, args.commits)
                if shutil.which("wrk"):
                    row["intake"] = intake(work, level, args.duration, f"i-{r}-{level}")
                print(json.dumps(row, ensure_ascii=False), flush=True)
                rounds.append(row)
    summary = {}
    for level in LEVELS:
        mine = [r for r in rounds if r["level"] == level]
        summary[level] = {
            "commits": _summary(
                [r["commits"] for r in mine], ("commits_per_second", "p50_ms", "p99_ms")
            )
        }
        if all("intake" in r for r in mine):
            summary[level]["intake_rps"] = statistics.median(r["intake"]["rps"] for r in mine)
    report = {
        "benchmark": "sqlite_synchronous",
        "what": "PRAGMA synchronous FULL against NORMAL: small commits, and HTTP intake",
        "machine": machine(),
        "disk": "the directory the benchmark ran in (the repository's disk)",
        "settings": {"commits": args.commits, "duration_s": args.duration, "rounds": args.rounds},
        "median": summary,
        "rounds": rounds,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
