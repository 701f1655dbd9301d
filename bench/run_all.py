"""Run the benchmarks of bench/ one after another, each in its own process.

    .venv/bin/python -m bench.run_all [--full] [--only NAME ...] [--list]

By default each runs on a short budget (a few seconds of load, a small data set, two folds), to
show that it still runs and roughly where it stands; those results go to bench/results/quick/
(not kept in git), so the figures of the last full run stay where they are. `--full` (or
CITYOPS_BENCH_FULL=1) runs each with the settings its README row names and writes
bench/results/<name>.json. A benchmark whose prerequisites are missing (wrk, ../shared/data) is
skipped with the reason on a short run and counts as a failure on a full one. The exit status is
1 when a benchmark failed.
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench._server import RESULTS, ROOT

QUICK_RESULTS = RESULTS / "quick"
DATA = ROOT.parent / "shared" / "data"
_NO = {"", "0", "false", "no"}


def _wrk() -> str | None:
    return (
        None if shutil.which("wrk") else "wrk is not installed (make wrk, or apt-get install wrk)"
    )


def _data() -> str | None:
    return None if (DATA / "tipdm2020_c").is_dir() else f"{DATA} is not present"


def _beijing() -> str | None:
    folder = DATA / "beijing_air_quality"
    return None if folder.is_dir() else f"{folder} is not present"


def _chromium() -> str | None:
    return None if Path("/usr/bin/chromium").is_file() else "/usr/bin/chromium is not installed"


def _wrk_and_data() -> str | None:
    return _wrk() or _data()


@dataclass(frozen=True)
class Benchmark:
    name: str  # bench/<name>.py, writing results/<name>.json
    quick: tuple[str, ...]  # arguments of the short run
    full: tuple[str, ...] = ()  # arguments of the full run (the script's defaults otherwise)
    # how the result file is named: an --out argument, or the module's RESULTS (a directory,
    # or the file itself), which the short run points at results/quick/
    out: str = "--out"  # "--out" | "dir" | "file"
    missing: Callable[[], str | None] = lambda: None

    def args(self, full: bool, results: Path) -> list[str]:
        args = list(self.full if full else self.quick)
        if self.out == "--out":
            args += ["--out", str(results / f"{self.name}.json")]
        return args


BENCHMARKS = (
    Benchmark("spatial_index", quick=("--points", "2000", "--scan-points", "200")),
    Benchmark("sqlite_synchronous", quick=("--commits", "300", "--duration", "2", "--rounds", "1")),
    Benchmark("indicators_1m", quick=("--cases", "20000", "--runs", "1"), full=("--db", "both")),
    Benchmark("open311_updates", quick=("--cases", "200", "--pairs", "1", "--rounds", "3")),
    Benchmark("duplicates", quick=(), missing=_data),
    Benchmark("hotspots", quick=("--runs", "1"), missing=_data),
    Benchmark("masking", quick=("--limit", "300", "--repeat", "3", "--pages", "5"), missing=_data),
    Benchmark("routing", quick=("--folds", "2"), out="file", missing=_data),
    Benchmark("routing_place", quick=("--every", "200"), missing=_data),
    Benchmark("http_floor", quick=("--duration", "3"), out="dir", missing=_wrk),
    Benchmark("session_cookie", quick=("--requests", "200", "--rounds", "1"), out="dir"),
    Benchmark("page_load", quick=("--runs", "1"), missing=_chromium),
    Benchmark("sensing_anomalies", quick=("--stations", "4"), missing=_beijing),
    Benchmark(
        "sensing_ingest",
        quick=("--db", "sqlite", "--duration", "5", "--rate", "1000", "--devices", "500"),
    ),
    Benchmark(
        "sensing_alarms",
        quick=("--db", "sqlite", "--devices", "50", "--readings", "2000", "--crossings", "5"),
    ),
    Benchmark(
        "sensing_alarm_path",
        quick=("--db", "sqlite", "--duration", "5", "--probes", "10", "--warmup", "3"),
    ),
    Benchmark(
        "sensing_queries",
        quick=("--db", "sqlite", "--devices", "5000", "--points", "50000", "--year-devices", "5"),
    ),
    Benchmark("sensing_device_import", quick=("--db", "sqlite", "--devices", "2000"), out="file"),
    Benchmark("vitals", quick=("--cases", "20000", "--runs", "3", "--eval-runs", "1")),
    Benchmark("citymap", quick=("--cases", "3000", "--devices", "300", "--runs", "1")),
    Benchmark(
        "reports", quick=("--cases", "5000", "--runs", "1", "--db", "sqlite"), missing=_chromium
    ),
    Benchmark(
        "event_stream",
        quick=("--clients", "100", "--rates", "5", "--seconds", "3", "--dbs", "sqlite"),
    ),
    Benchmark(
        "http_load",
        quick=("--db", "sqlite", "--duration", "3", "--warmup", "1"),
        full=("--db", "both"),
        out="dir",
        missing=_wrk,
    ),
    Benchmark(
        "open311_load",
        quick=("--db", "sqlite", "--duration", "3", "--messages", "200"),
        full=("--db", "both"),
        out="dir",
        missing=_wrk_and_data,
    ),
)
BY_NAME = {b.name: b for b in BENCHMARKS}


def run_one(name: str, results: Path, args: Sequence[str]) -> None:
    """In the child process: point the module's result file into `results` when it takes no
    --out, then run its main() with `args` as its command line."""
    bench = BY_NAME[name]
    module = importlib.import_module(f"bench.{name}")
    if bench.out == "dir":
        module.RESULTS = results
    elif bench.out == "file":
        module.RESULTS = results / f"{name}.json"
    sys.argv = [f"bench/{name}.py", *args]
    status = module.main()
    raise SystemExit(status if isinstance(status, int) else 0)


def full_requested(flag: bool, env: Mapping[str, str]) -> bool:
    return flag or env.get("CITYOPS_BENCH_FULL", "").strip().lower() not in _NO


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="full runs (CITYOPS_BENCH_FULL=1)")
    parser.add_argument("--only", action="append", choices=sorted(BY_NAME), default=[])
    parser.add_argument("--list", action="store_true", help="name the benchmarks and stop")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument(
        "--results",
        type=Path,
        help="where the results go (default: results/quick/ for short "
        "runs, results/ for full ones)",
    )
    args, rest = parser.parse_known_args(argv)
    full = full_requested(args.full, os.environ)
    results: Path = args.results or (RESULTS if full else QUICK_RESULTS)
    if args.child:
        run_one(args.child, results, [a for a in rest if a != "--"])
    chosen = [BY_NAME[n] for n in args.only] if args.only else list(BENCHMARKS)
    if args.list:
        for b in BENCHMARKS:
            print(f"{b.name:<14} short: {' '.join(b.quick) or '(as the full run)'}")
        return 0
    results = results.resolve()
    results.mkdir(parents=True, exist_ok=True)
    print(f"{'full' if full else 'short'} runs; results in {results}/", flush=True)
    outcome: list[tuple[str, str, float]] = []
    for bench in chosen:
        reason = bench.missing()
        if reason is not None:
            outcome.append((bench.name, f"{'FAILED' if full else 'skipped'}: {reason}", 0.0))
            print(f"== {bench.name}: {outcome[-1][1]}", flush=True)
            continue
        command = [sys.executable, "-m", "bench.run_all", "--child", bench.name]
        command += ["--results", str(results), "--", *bench.args(full, results)]
        print(f"== {bench.name}: {' '.join(bench.args(full, results))}", flush=True)
        started = time.monotonic()
        code = subprocess.run(command, cwd=ROOT, check=False).returncode
        elapsed = time.monotonic() - started
        outcome.append((bench.name, "ok" if code == 0 else f"FAILED (exit {code})", elapsed))
    print("\nbenchmark       result")
    for name, result, seconds in outcome:
        print(f"{name:<15} {result}" + (f" ({seconds:.0f} s)" if seconds else ""))
    return 1 if any(r.startswith("FAILED") for _, r, _ in outcome) else 0


if __name__ == "__main__":
    raise SystemExit(main())
