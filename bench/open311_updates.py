"""Benchmark: Open311 `GET servicerequestupdates.json` over a city of cases with several steps
each, some merged into others (the updates of a merged case follow the case it was merged into).

Builds a fresh SQLite database (var/bench/) through the services: 2,000 cases reported over the
60 days before NOW, each registered and dispatched a few hours later, 1 in 20 then merged into
another open case. Times the default window (the 7 days before NOW) and a 90-day window through
the app (in-process, TestClient): the median of `--rounds` requests after one warm-up, with the
SQL statements each request runs and a digest of the answer (equal digests: equal answers).

The database is seeded once by this checkout's code. Old code against new: `--old-src DIR`
(the src/ of a `git worktree add` of the code before) times the old and this checkout's code
alternately, each in a fresh process on a fresh copy of that database (older code reads the
columns it knows), `--pairs` times, and writes bench/results/open311_updates.json:

    git worktree add --detach /tmp/old <commit>
    .venv/bin/python -m bench.open311_updates --old-src /tmp/old/src --pairs 2
    .venv/bin/python -m bench.open311_updates --cases 200 --out /tmp/u.json  # this code only
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform as pyplatform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "open311_updates.json"
NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai
SPAN = timedelta(days=60)
GRID = "330191001001001"  # a grid of 湖滨街道 in the demo city
LAMP = "E9001"


def _seed(platform: Any, clock: Any, n_cases: int, rng: random.Random) -> int:
    """The city, one department, one category, and `n_cases` cases with their steps; the number
    of history lines written."""
    from cityops.cases.public import ActionCommand, CaseAction, CaseSource, NewCase
    from cityops.kernel.actor import SYSTEM, Actor, Role
    from cityops.org.public import DepartmentKind, NewDepartment
    from cityops.taxonomy.public import Category, CategoryKind, ResponsibleKind, Urgency
    from cityops.worktime.public import LimitUnit, Stage, TimeLimit

    operator = Actor(user_id=None, username="b-op", roles=frozenset({Role.operator}))
    dispatcher = Actor(user_id=None, username="b-disp", roles=frozenset({Role.dispatcher}))
    with platform.uow() as uow:
        platform.geo.generate_demo_city(uow, SYSTEM)
    with platform.uow() as uow:
        platform.org.create_department(
            uow, SYSTEM, NewDepartment("CGJ", "城市管理局", DepartmentKind.city_department)
        )
    limits = {stage: TimeLimit(2, LimitUnit.working_days) for stage in Stage}
    with platform.uow() as uow:
        for code, name in (("E90", "测试事件"), (LAMP, "路灯不亮")):
            platform.taxonomy.upsert_category(
                uow,
                SYSTEM,
                Category(
                    code=code,
                    name=name,
                    parent_code=code[:-2] if len(code) > 3 else None,
                    level=(len(code) - 1) // 2,
                    kind=CategoryKind.event,
                    filing_condition="影响市容或安全",
                    urgency=Urgency.normal,
                    responsible_kind=ResponsibleKind.department,
                    department_code="CGJ",
                    limits=limits,
                ),
            )
    reported = sorted(NOW - SPAN * rng.random() for _ in range(n_cases))
    ids: list[int] = []
    for chunk in range(0, n_cases, 200):
        prepared = []
        with platform.uow() as uow:
            for i, at in enumerate(reported[chunk : chunk + 200], start=chunk):
                clock.set(at)
                prepared.append(
                    platform.cases.prepare_case(
                        uow.session,
                        operator,
                        NewCase(
                            source=CaseSource.hotline,
                            title=f"路灯不亮 {i}",
                            description=f"湖滨路{i}号门口路灯不亮，联系人张三 13812345678",
                            category_code=LAMP,
                            area_code=GRID,
                            reporter_name="张三",
                            reporter_phone="13812345678",
                        ),
                    )
                )
            ids += [
                c.id if hasattr(c, "id") else c["id"]
                for c in platform.cases.store_cases(uow, prepared)
            ]
    lines = n_cases
    merged = set(rng.sample(range(n_cases), n_cases // 20))
    for step, actor, delay in (
        ("register", operator, timedelta(hours=2)),
        ("dispatch", dispatcher, timedelta(hours=5)),
    ):
        todo = [i for i in range(n_cases) if not (i in merged and step == "dispatch")]
        for chunk in range(0, len(todo), 200):
            part = todo[chunk : chunk + 200]
            with platform.uow() as uow:
                found = platform.cases.get_cases(uow.session, SYSTEM, [ids[i] for i in part])
                prepared = []
                for i in part:
                    clock.set(reported[i] + delay)
                    cmd = ActionCommand(version=found[ids[i]].version)
                    prepared.append(
                        platform.cases.prepare_action(
                            uow.session, actor, ids[i], CaseAction(step), cmd
                        )
                    )
                platform.cases.store_actions(uow, prepared)
            lines += len(part)
    open_ids = [ids[i] for i in range(n_cases) if i not in merged]
    for i in sorted(merged):
        into = rng.choice(open_ids)
        clock.set(reported[i] + timedelta(hours=8))
        with platform.uow() as uow:
            case = platform.cases.get_case(uow.session, SYSTEM, ids[i])
            platform.cases.act(
                uow,
                dispatcher,
                ids[i],
                CaseAction.merge,
                ActionCommand(version=case.version, into_case_id=into, reason="同一路灯"),
            )
        lines += 1
    clock.set(NOW)
    return lines


def _platform(database: Path, *, migrate: bool) -> tuple[Any, Any]:
    from cityops.app import build_platform
    from cityops.infra.settings import Settings
    from cityops.kernel.clock import FixedClock

    settings = Settings(
        env="test",
        database_url=f"sqlite:///{database}",
        router_model_dir=database.parent / "no-model",
        open311_reads_per_minute_per_ip=1_000_000,
    )
    clock = FixedClock(NOW)
    return build_platform(settings, clock=clock, migrate=migrate), clock


def seed_db(database: Path, n_cases: int, seed: int) -> dict[str, Any]:
    """A fresh database at `database`, migrated and seeded by this checkout's code."""
    platform, clock = _platform(database, migrate=True)
    started = time.perf_counter()
    lines = _seed(platform, clock, n_cases, random.Random(seed))
    platform.close()
    return {
        "cases": n_cases,
        "history_lines": lines,
        "seed_s": round(time.perf_counter() - started, 1),
    }


def time_db(database: Path, rounds: int) -> dict[str, Any]:
    """Time the updates windows on `database` with the code on sys.path (not migrated: code
    older than the database reads the columns it knows)."""
    from fastapi.testclient import TestClient
    from sqlalchemy import event

    from cityops.web.app import create_app

    platform, _clock = _platform(database, migrate=False)
    statements: list[str] = []
    event.listen(platform.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    windows = {
        "default_7_days": "",
        "90_days": "?start_date=2026-08-25T09:00:00%2B08:00&end_date=2026-11-23T09:00:00%2B08:00",
    }
    out: dict[str, Any] = {}
    with TestClient(create_app(platform)) as client:
        for name, query in windows.items():
            url = f"/open311/v2/servicerequestupdates.json{query}"
            first = client.get(url)
            assert first.status_code == 200, first.text
            times = []
            for _ in range(rounds):
                statements.clear()
                t = time.perf_counter()
                r = client.get(url)
                times.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200
            queries = [s for s in statements if s.strip().upper() not in ("BEGIN", "COMMIT")]
            out[name] = {
                "median_ms": round(statistics.median(times), 2),
                "min_ms": round(min(times), 2),
                "updates": len(r.json()),
                "statements": len(queries),
                "answer_sha256": hashlib.sha256(r.content).hexdigest()[:16],
            }
    platform.close()
    return out


def _probe() -> float:
    t = time.perf_counter()
    n = 0
    for i in range(10_000_000):
        n += i
    return round(time.perf_counter() - t, 3)


def _commit(where: Path) -> str:
    done = subprocess.run(
        ["git", "-C", str(where), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    return done.stdout.strip() or "unknown"


def _timed_in(src: Path, database: Path, args: argparse.Namespace) -> dict[str, Any]:
    """`time_db` in a fresh process with `src` first on its path, on a copy of `database`."""
    copy = database.with_name(f"copy-{time.monotonic_ns()}.db")
    shutil.copy(database, copy)
    env = {**os.environ, "PYTHONPATH": str(src)}
    cmd = [sys.executable, "-m", "bench.open311_updates", "--time", str(copy)]
    cmd += ["--rounds", str(args.rounds)]
    try:
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    finally:
        copy.unlink()
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--time", type=Path, help="time this database with the code on the path")
    parser.add_argument("--old-src", type=Path, help="src/ of a worktree of the old code")
    parser.add_argument("--pairs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=RESULTS, help="the result file")
    args = parser.parse_args()
    if args.time is not None:
        print(json.dumps(time_db(args.time, args.rounds), ensure_ascii=False))
        return
    (ROOT / "var").mkdir(exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="open311_updates_", dir=ROOT / "var"))
    database = workdir / "seeded.db"
    seeded = seed_db(database, args.cases, args.seed)
    print(json.dumps(seeded), flush=True)
    codes = [("new", ROOT / "src")]
    if args.old_src is not None:
        codes.insert(0, ("old", args.old_src.resolve()))
    runs: list[dict[str, Any]] = []
    for pair in range(args.pairs):
        for label, src in codes:
            probe = _probe()
            result = _timed_in(src, database, args)
            runs.append({"pair": pair + 1, "code": label, "probe_s": probe, **result})
            print(json.dumps(runs[-1], ensure_ascii=False), flush=True)
    shutil.rmtree(workdir)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "benchmark": "open311_updates",
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": {
                    "python": pyplatform.python_version(),
                    "cpus": os.cpu_count(),
                    "load_average": os.getloadavg(),
                },
                "how": (
                    "GET /open311/v2/servicerequestupdates.json in-process (TestClient), SQLite; "
                    f"one database of {args.cases} cases over 60 days seeded by the new code, "
                    f"timed on a fresh copy in a fresh process per run, median of {args.rounds} "
                    "after a warm-up; old and new code alternately; probe_s: a 10M-step Python "
                    "loop just before the run (machine speed)"
                ),
                "data": seeded,
                "old_src": str(args.old_src) if args.old_src else None,
                "old_commit": _commit(args.old_src) if args.old_src else None,
                "new_commit": _commit(ROOT),
                "runs": runs,
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
