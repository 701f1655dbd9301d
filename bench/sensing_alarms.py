"""The alarm runner: readings evaluated per second, and the time from a reading that crosses a
rule to its alarm row → results/sensing_alarms.json.

    .venv/bin/python -m bench.sensing_alarms [--devices 500] [--readings 50000]
        [--crossings 40] [--db sqlite postgresql] [--out FILE]

On each database: a fresh database with the demo city, DEVICES air-quality devices and one rule
(pm25 > 150, clear below 100). The runner runs as in the lease holder: a thread calling
`runner.step()` and waiting `app.ALARM_STEP_SECONDS` after each, as the scheduler does.
Readings go in through the ingestion front door (`Ingestion.from_http`, the telemetry writer,
one reading-log row per committed batch); no HTTP server and no broker are involved.

- Throughput: READINGS pm25 values below the threshold (10 per message, devices in turn);
  reported: readings a second from the first submit to the moment the reading log is empty, and
  the runner's lag (last commit → log empty).
- Latency: CROSSINGS times, after a random pause of 0–1 s (so the runner is often in its idle
  back-off), one device sends pm25 = 300; the time from the submit, and from the writer's
  commit, to the alarm row being visible (polled every 2 ms); then it sends 50 and the alarm is
  waited cleared. Reported: p50, p95 and max, twice: with the runner woken by this process's
  writer (ingestion in the lease holder: HTTP telemetry, HJ 212), and without (`runner.wake =
  None`: as when the MQTT ingest workers, other processes, commit the readings — the runner
  finds them by polling, backing off to `IDLE_MAX_SECONDS` when idle).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench._server import RESULTS, fresh_database, machine
from cityops.app import ALARM_STEP_SECONDS, Platform, build_platform
from cityops.infra.settings import Settings
from cityops.kernel.actor import SYSTEM
from cityops.sensing.alarm_runner import IDLE_MAX_SECONDS
from cityops.sensing.public import NewDevice

ORIGIN = (120.121, 30.251)
RULE = {
    "code": "bench-pm25",
    "name": "PM2.5 high",
    "scope": {"device_type": "air_quality"},
    "when": {"threshold": {"metric": "pm25", "op": ">", "value": 150}},
    "clear_when": {"threshold": {"metric": "pm25", "op": "<", "value": 100}},
}


def _runner_thread(p: Platform, stop: threading.Event) -> threading.Thread:
    def loop() -> None:
        while not stop.is_set():
            p.alarms.runner.step()
            stop.wait(ALARM_STEP_SECONDS)

    thread = threading.Thread(target=loop, name="bench-alarms", daemon=True)
    thread.start()
    return thread


def _log_rows(p: Platform) -> int:
    with p.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM sensing_reading_log")).scalar_one())


def _active(p: Platform, device_id: int) -> bool:
    with p.engine.connect() as conn:
        found = conn.execute(
            text("SELECT 1 FROM sensing_alarms WHERE device_id = :d AND active"), {"d": device_id}
        ).first()
    return found is not None


def _send(p: Platform, token: str, values: list[dict[str, Any]]) -> Any:
    return p.sensing.ingestion.from_http(token, json.dumps(values).encode()).committed


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50_ms": round(1000 * statistics.median(ordered), 1),
        "p95_ms": round(1000 * ordered[int(0.95 * (len(ordered) - 1))], 1),
        "max_ms": round(1000 * ordered[-1], 1),
    }


def run_one(kind: str, devices: int, readings: int, crossings: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as work, fresh_database(kind, Path(work)) as url:
        settings = Settings(env="test", database_url=url, router_model_dir=Path(work) / "none")
        p = build_platform(settings)
        try:
            with p.uow() as uow:
                p.geo.generate_demo_city(uow, SYSTEM)
            tokens, ids = [], []
            for i in range(devices):
                with p.uow() as uow:
                    done = p.sensing.register_device(
                        uow.session,
                        SYSTEM,
                        NewDevice(f"BA-{i:05d}", "air_quality", ORIGIN[0], ORIGIN[1]),
                    )
                tokens.append(done.token)
                ids.append(done.device.id)
            with p.uow() as uow:
                p.alarms.save_rule(uow, SYSTEM, RULE)
            stop = threading.Event()
            thread = _runner_thread(p, stop)
            rng = random.Random(7)
            # throughput: 10 readings a message, devices in turn, instants a second apart
            start_ms = int(time.time() * 1000) - readings // devices * 1000 - 60_000
            started = time.perf_counter()
            pending = []
            for m in range(readings // 10):
                device = m % devices
                base = start_ms + (m // devices) * 10_000
                batch = [
                    {"ts": base + k * 1000, "values": {"pm25": rng.uniform(20, 80)}}
                    for k in range(10)
                ]
                pending.append(_send(p, tokens[device], batch))
            for future in pending:
                future.result(timeout=120)
            committed = time.perf_counter()
            while _log_rows(p):
                time.sleep(0.005)
            drained = time.perf_counter()
            in_process = _latency(p, tokens, ids, crossings, rng)
            p.alarms.runner.wake = None
            other_process = _latency(p, tokens, ids, crossings, rng)
            stop.set()
            thread.join(timeout=10)
            return {
                "db": kind,
                "devices": devices,
                "readings": readings,
                "throughput": {
                    "readings_per_s": round(readings / (drained - started)),
                    "ingest_seconds": round(committed - started, 2),
                    "runner_lag_after_last_commit_s": round(drained - committed, 2),
                },
                "latency_woken_by_this_process_writer": in_process,
                "latency_polling_only": other_process,
                "crossings": crossings,
                "runner_step_s": ALARM_STEP_SECONDS,
                "runner_idle_max_s": IDLE_MAX_SECONDS,
            }
        finally:
            p.close()


def _latency(
    p: Platform, tokens: list[str], ids: list[int], crossings: int, rng: random.Random
) -> dict[str, Any]:
    """One device crosses the rule after a pause of 0-1 s, CROSSINGS times."""
    devices = len(tokens)
    from_submit, from_commit = [], []
    for c in range(crossings):
        time.sleep(rng.uniform(0, 1))
        device = c % devices
        t0 = time.perf_counter()
        future = _send(
            p, tokens[device], [{"ts": int(time.time() * 1000), "values": {"pm25": 300}}]
        )
        future.result(timeout=30)
        t1 = time.perf_counter()
        while not _active(p, ids[device]):
            time.sleep(0.002)
        t2 = time.perf_counter()
        from_submit.append(t2 - t0)
        from_commit.append(t2 - t1)
        time.sleep(0.002)  # a later instant for the clearing reading
        _send(p, tokens[device], [{"ts": int(time.time() * 1000), "values": {"pm25": 50}}]).result(
            timeout=30
        )
        while _active(p, ids[device]):
            time.sleep(0.002)
    return {
        "submit_to_alarm": _percentiles(from_submit),
        "commit_to_alarm": _percentiles(from_commit),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", type=int, default=500)
    parser.add_argument("--readings", type=int, default=50_000)
    parser.add_argument("--crossings", type=int, default=40)
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--out", type=Path, default=RESULTS / "sensing_alarms.json")
    args = parser.parse_args()
    runs = [run_one(kind, args.devices, args.readings, args.crossings) for kind in args.db]
    result = {"machine": machine(), "runs": runs}
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
