"""What the HTTP benchmarks share: a fresh database (SQLite file or a new PostgreSQL database),
the demo city seeded into it, the real server (uvicorn, N workers) started on a free port, wrk
driving it with bench/wrk_post.lua, and the machine's facts (cores, load average)."""

from __future__ import annotations

import json
import os
import platform as py_platform
import random
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from cityops.app import Platform

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


@contextmanager
def fresh_database(kind: str, work: Path) -> Iterator[str]:
    """The URL of an empty database: a SQLite file in `work`, or a new PostgreSQL database
    (dropped afterwards)."""
    if kind == "sqlite":
        yield f"sqlite:///{work / f'bench-{uuid.uuid4().hex[:8]}.db'}"
        return
    name = f"cityops_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def seed_city(platform: Platform, data_dir: Path | None) -> str:
    """Areas (Hangzhou 下城区 when the shared data is there, else the generated demo city), the
    default responsibility list and the demo departments and staff. Returns what areas were used."""
    from cityops.demo.accounts import seed_org
    from cityops.geo.public import generate_demo_city, import_hangzhou_xiacheng
    from cityops.kernel.actor import SYSTEM
    from cityops.taxonomy.public import load_default_taxonomy

    hz = data_dir / "hangzhou_xiacheng" if data_dir else None
    with platform.uow() as uow:
        if hz is not None and hz.is_dir():
            import_hangzhou_xiacheng(uow, hz, clock=platform.clock)
            areas = "Hangzhou 下城区 (real)"
        else:
            generate_demo_city(uow, clock=platform.clock)
            areas = "generated demo city"
    seed_org(platform)  # the departments first: the responsibility list names them
    with platform.uow() as uow:
        load_default_taxonomy(uow, platform.taxonomy, SYSTEM)
    return areas


def city_points(platform: Platform, n: int, rng: random.Random) -> list[tuple[float, float]]:
    """`n` (lon, lat) points that fall inside the city's grids."""
    from cityops.geo.public import AreaLevel

    with platform.read() as s:
        grids = platform.geo.list_features(s, level=AreaLevel.grid)
        points: list[tuple[float, float]] = []
        while len(points) < n:
            f = rng.choice(grids)
            x0, y0, x1, y1 = f.bbox
            lon, lat = rng.uniform(x0, x1), rng.uniform(y0, y1)
            try:
                platform.geo.locate(s, lon, lat)
            except Exception:
                continue
            points.append((lon, lat))
    return points


def start_server(
    url: str,
    port: int,
    workers: int,
    log: Path,
    env: Mapping[str, str] | None = None,
    *,
    app: str = "cityops.web.server:app",
) -> subprocess.Popen[bytes]:
    """`uvicorn <app>` (a factory; cityops by default) with `workers` processes on the database
    `url`; returns once /healthz answers."""
    full_env = dict(os.environ, CITYOPS_DATABASE_URL=url, CITYOPS_ENV="demo", **(env or {}))
    uvicorn = Path(sys.executable).with_name("uvicorn")
    cmd = [
        str(uvicorn),
        app,
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
    proc = subprocess.Popen(cmd, env=full_env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
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
    content_type: str = "application/json",
) -> dict[str, Any]:
    """POST `bodies` (one per line) to `paths` with wrk for `duration` seconds; `token` is sent
    as a bearer token unless empty. Returns wrk's counts and latency percentiles, and rps."""
    (work / f"{name}.paths").write_text("\n".join(paths) + "\n", encoding="utf-8")
    (work / f"{name}.bodies").write_text("\n".join(bodies) + "\n", encoding="utf-8")
    result = work / f"{name}.json"
    env = dict(
        os.environ,
        PATHS=str(work / f"{name}.paths"),
        BODIES=str(work / f"{name}.bodies"),
        TOKEN=token,
        CONTENT_TYPE=content_type,
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


def load_average() -> list[float]:
    """The machine's 1, 5 and 15 minute load averages (others' work on a shared machine)."""
    return [round(x, 2) for x in os.getloadavg()]


def python_loop_seconds(n: int = 10_000_000) -> float:
    """Seconds one core takes for `n` pure-Python additions right now. The shared machine's
    speed moves by up to 2× between runs, so reports carry this to make runs comparable."""
    t = time.perf_counter()
    total = 0
    for i in range(n):
        total += i
    return round(time.perf_counter() - t, 3)


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "python": py_platform.python_version(),
        "system": py_platform.platform(),
        "python_loop_10M_s": python_loop_seconds(),
        "load_average": load_average(),
    }
