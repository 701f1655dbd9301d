"""Benchmark: devices in bulk — a 100,000-device CSV imported and the list exported.

On a fresh, migrated database holding the generated demo city, it writes a CSV of `--devices`
devices at random points inside the city (of the shipped types), then times, once each:

- reading the file (`read_device_rows`),
- the import (`DeviceTransfer.import_devices`: every row checked, the point located, then the
  inserts in batches of 1,000) and its commit,
- the same file again (every row now `device_exists`: the whole check, nothing written),
- the CSV export of all devices (keyset pages of 1,000, streamed chunks),
- the Excel export of all devices.

Writes bench/results/sensing_device_import.json.

    .venv/bin/python -m bench.sensing_device_import                 # SQLite and PostgreSQL
    .venv/bin/python -m bench.sensing_device_import --db sqlite --devices 20000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from cityops.app import Platform, build_platform
from cityops.infra.db import make_engine
from cityops.infra.migrate import upgrade
from cityops.infra.settings import Settings
from cityops.kernel.actor import SYSTEM
from cityops.kernel.clock import FixedClock
from cityops.kernel.errors import ValidationFailed
from cityops.sensing.public import (
    DeviceFileFormat,
    device_csv_chunks,
    device_xlsx_bytes,
    read_device_rows,
    shipped_types,
)

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "sensing_device_import.json"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def city_csv(platform: Platform, count: int, rng: random.Random) -> bytes:
    """`count` devices at random points that the city's areas hold."""
    types = [t.code for t in shipped_types()]
    with platform.read() as s:
        root = platform.geo.root_area(s).code
        bbox = platform.geo.get_feature(s, root).bbox
        lines = ["code,type_code,lon,lat,name"]
        while len(lines) <= count:
            lon = round(rng.uniform(bbox[0], bbox[2]), 6)  # as written in the file
            lat = round(rng.uniform(bbox[1], bbox[3]), 6)
            try:
                platform.geo.locate(s, lon, lat)
            except ValidationFailed:
                continue
            n = len(lines)
            lines.append(f"BULK-{n:06d},{rng.choice(types)},{lon:.6f},{lat:.6f},设备 {n}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def timed(fn: Any) -> tuple[Any, float]:
    began = time.perf_counter()
    result = fn()
    return result, round(time.perf_counter() - began, 2)


def run_one(db: str, args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    if db == "sqlite":
        path = ROOT / "var" / "bench" / f"devices_{uuid.uuid4().hex[:8]}.db"
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

    out: dict[str, Any] = {"db": db, "devices": args.devices}
    platform: Platform | None = None
    try:
        upgrade(url, make_engine(url))
        platform = build_platform(
            Settings(env="test", database_url=url, router_model_dir=ROOT / "var" / "no-model"),
            clock=FixedClock(NOW),
            migrate=False,
        )
        with platform.uow() as uow:
            platform.geo.generate_demo_city(uow, SYSTEM)
        content = city_csv(platform, args.devices, rng)
        out["file_bytes"] = len(content)
        rows, out["read_file_s"] = timed(lambda: read_device_rows(content, DeviceFileFormat.csv))
        p = platform

        def import_all() -> Any:
            with p.uow() as uow:
                return p.device_transfer.import_devices(uow.session, SYSTEM, rows)

        report, out["import_s"] = timed(import_all)
        assert report.imported == args.devices, report.errors[:3]
        again, out["import_again_all_refused_s"] = timed(import_all)
        assert again.imported == 0
        assert again.error_count == args.devices

        def export_csv() -> int:
            size = 0
            with p.read() as s:
                for chunk in device_csv_chunks(p.device_transfer.export_devices(s, SYSTEM)):
                    size += len(chunk.encode("utf-8"))
            return size

        out["export_csv_bytes"], out["export_csv_s"] = timed(export_csv)

        def export_xlsx() -> bytes:
            with p.read() as s:
                return device_xlsx_bytes(p.device_transfer.export_devices(s, SYSTEM))

        book, out["export_xlsx_s"] = timed(export_xlsx)
        out["export_xlsx_bytes"] = len(book)
        read_back, out["read_xlsx_s"] = timed(lambda: read_device_rows(book, DeviceFileFormat.xlsx))
        assert len(read_back) == args.devices
        out["max_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        print(json.dumps(out, ensure_ascii=False), file=sys.stderr)
        return out
    finally:
        if platform is not None:
            platform.close()
        cleanup()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--devices", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pg-url", default=PG_URL)
    args = parser.parse_args()
    dbs = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    results = {
        "benchmark": "sensing_device_import",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "load_average_1m_at_start": round(os.getloadavg()[0], 2),
        "runs": [run_one(db, args) for db in dbs],
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", "utf-8")
    print(json.dumps(results, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
