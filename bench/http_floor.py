"""The floor under bench/http_load.py: what the same server stack does on this machine when the
endpoint does almost nothing.

Two stand-in endpoints, served exactly like cityops (uvicorn, N workers, the same wrk script,
the same bodies and bearer token shape), so the gap between them and the real intake is the cost
of cityops' own work:

  framework  POST /api/v1/cases: FastAPI parses and validates a body of the same shape as
             `CaseCreate`, a dependency verifies an HS256 bearer token (PyJWT), and the
             endpoint (a plain `def`, run in the thread pool like cityops' endpoints) answers
             a 20-field JSON.
  sqlite     the same, plus one INSERT committed to a SQLite file in WAL mode
             (synchronous=NORMAL, as cityops configures it) — the storage floor of one write.

Usage: python -m bench.http_floor [--duration 15] [--workers 2]
Writes bench/results/http_floor.json.
"""

# No `from __future__ import annotations`: FastAPI must see the endpoint's real annotations,
# which refer to names local to `app()`.
import argparse
import json
import os
import platform as py_platform
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Annotated, Any

import jwt
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import OAuth2PasswordBearer
from pydantic import BaseModel, ConfigDict, Field

from bench._server import RESULTS, free_port, run_wrk, start_server

SECRET = "bench-floor-secret-of-at-least-32-bytes"


class FloorCase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Field(min_length=1, max_length=20)
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=5000)
    category_code: str = Field(min_length=1, max_length=16)
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    address: str | None = Field(default=None, max_length=300)
    reporter_phone: str | None = Field(default=None, pattern=r"^1[3-9]\d{9}$")


def app() -> FastAPI:
    """The stand-in server (a uvicorn factory); FLOOR_DB set → each request also writes a row."""
    db_path = os.environ.get("FLOOR_DB")
    local = threading.local()
    bearer = OAuth2PasswordBearer(tokenUrl="token")

    def actor(token: Annotated[str, Depends(bearer)]) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(token, SECRET, algorithms=["HS256"])
        except jwt.PyJWTError as exc:
            raise HTTPException(401, "bad token") from exc
        return claims

    def connection() -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(local, "conn", None)
        if conn is None:
            assert db_path is not None
            conn = sqlite3.connect(db_path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            local.conn = conn
        return conn

    api = FastAPI()

    @api.post("/api/v1/cases", status_code=201)
    def create(body: FloorCase, who: Annotated[dict[str, Any], Depends(actor)]) -> dict[str, Any]:
        case_id = 0
        if db_path:
            conn = connection()
            conn.execute("BEGIN IMMEDIATE")
            cur = conn.execute(
                "INSERT INTO cases (title, body, category) VALUES (?, ?, ?)",
                (body.title, body.model_dump_json(), body.category_code),
            )
            conn.execute("COMMIT")
            case_id = int(cur.lastrowid or 0)
        return {
            "id": case_id,
            "number": f"F{case_id:08d}",
            "status": "reported",
            "version": 1,
            "by": who.get("sub"),
            **body.model_dump(),
            "area": {"district": "330102", "street": "330102001", "community": None},
            "department": None,
            "deadlines": {"register": None, "dispatch": None, "close": None},
            "sla_state": "green",
        }

    @api.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return api


def _bodies(n: int) -> list[str]:
    return [
        json.dumps(
            {
                "source": "hotline",
                "title": "小区门口路灯不亮",
                "description": f"压测受理 {i}：夜间路灯不亮，行人不便，请尽快维修。",
                "category_code": "C010101",
                "lon": 120.17 + i * 1e-5,
                "lat": 30.27,
                "address": "压测地址",
                "reporter_phone": f"139{i:08d}",
            },
            ensure_ascii=False,
        )
        for i in range(n)
    ]


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--duration", type=int, default=15)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    token = jwt.encode({"sub": "operator"}, SECRET, algorithm="HS256")
    runs: dict[str, Any] = {}
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="cityops-floor-") as tmp:
        work = Path(tmp)
        db = work / "floor.db"
        with sqlite3.connect(db) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(
                "CREATE TABLE cases (id INTEGER PRIMARY KEY, title TEXT, body TEXT, category TEXT)"
            )
        for name, extra in (("framework", {}), ("sqlite", {"FLOOR_DB": str(db)})):
            port = free_port()
            proc = start_server(
                "", port, args.workers, work / f"{name}.log", extra, app="bench.http_floor:app"
            )
            try:
                runs[name] = run_wrk(
                    port,
                    token,
                    ["/api/v1/cases"],
                    _bodies(500),
                    duration=args.duration,
                    connections=args.connections,
                    threads=args.threads,
                    work=work,
                    name=name,
                )
            finally:
                proc.terminate()
                proc.wait(timeout=30)
            print(name, json.dumps(runs[name]), flush=True)
    report = {
        "benchmark": "http_floor",
        "what": "the same server stack with a do-nothing endpoint (framework) and with one "
        "SQLite insert (sqlite): the ceiling under bench/http_load.py on this machine",
        "machine": {
            "cpus": os.cpu_count(),
            "python": py_platform.python_version(),
            "system": py_platform.platform(),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        },
        "server": {
            "workers": args.workers,
            "load": f"wrk -t{args.threads} -c{args.connections} "
            f"-d{args.duration}s on the same machine",
        },
        "runs": runs,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "http_floor.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    )
    print(f"written {RESULTS / 'http_floor.json'}")


if __name__ == "__main__":
    main()
