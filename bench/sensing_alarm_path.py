"""Publish → alarm on the live stream, and alarm → case, with every piece running as in
production → results/sensing_alarm_path.json.

    .venv/bin/python -m bench.sensing_alarm_path [--db sqlite postgresql] [--duration 100]
        [--rate 1000] [--probes 200] [--devices 500] [--warmup 20] [--ingest-workers 1]
        [--out FILE]

On each database: a fresh migrated database with the demo city, its departments and staff, the
default responsibility list, DEVICES air-quality stations (the background), PROBES more (one
probe alarm each) and one rule, `bench-probe`: pm25 > 150 on air-quality stations, no duration
(one reading raises it), opening an incident case in A0504 大气污染 at once (no delay). Then the
pieces as `make demo` / `cityops serve` run them: the web server (`uvicorn
cityops.web.server:app`, 1 worker, the background lease: the alarm runner, the outbox relay with
the alarm → case bridge, the event hub's outbox tail), `cityops sensing ingest-mqtt` on the
broker at 127.0.0.1:1883 (a topic prefix and share group of the run's own), a load-generator
process publishing RATE messages a second (paho, QoS 1, MQTT v5; each one background station's
pm25, pm10 and no2 from a bounded random walk, so neither the rule nor the anomaly detectors
fire), and in this process an SSE client on GET /api/v1/events?topics=alarm with a dispatcher's
bearer token.

After WARMUP seconds of load, every DURATION / PROBES seconds one probe station (each once)
publishes pm25 = 300 stamped with the instant of publishing. Per probe, on this process's clock
(`time.time()`, one machine):

- target 1: publish → the `sensing.alarm_raised` frame read by the SSE client, and where the
  time went: → the point stored (polled every POLL_MS), → the runner's decision (the event's
  `occurred_at` as stored), → the alarm row committed (polled), → the frame read;
- target 2: the alarm's raised instant as stored (the outbox row's `occurred_at`) → the case's
  `reported_at` as stored, and the two frames as observed (`sensing.alarm_raised` →
  `sensing.alarm_case_opened`).

Also reported: the background rate achieved (PUBACKed by the broker) and the points stored in
the window, the runner's backlog (reading-log rows and the readings in them, sampled each
second), CPU seconds of each process in the window, the load average before and after, and how
each stage is woken. Needs Mosquitto on 127.0.0.1:1883 (anonymous) and, for PostgreSQL, the
server of bench/_server.py's PG_ADMIN.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine, func, select

from bench._server import (
    RESULTS,
    city_points,
    free_port,
    fresh_database,
    load_average,
    machine,
    seed_city,
)
from bench._server import start_server as start_web_server
from bench.sensing_ingest import children, cpu_seconds

BROKER = ("127.0.0.1", 1883)
RULE_CODE = "bench-probe"
RULE = {
    "code": RULE_CODE,
    "name": "PM2.5 probe",
    "severity": "major",
    "scope": {"device_type": "air_quality"},
    "when": {"threshold": {"metric": "pm25", "op": ">", "value": 150}},
    "clear_when": {"threshold": {"metric": "pm25", "op": "<", "value": 100}},
    "case": {"open": True, "category": "A0504"},  # 大气污染, opened at once
}
# a bounded random walk per station and metric: (low, high, step) — no value near the rule
WALK = {"pm25": (15.0, 90.0, 1.5), "pm10": (20.0, 120.0, 2.0), "no2": (5.0, 60.0, 1.0)}
console = Console()


# ---- setup ------------------------------------------------------------------------------------


@dataclass
class City:
    token: str  # a dispatcher's bearer token
    background: list[str]
    probes: dict[str, int]  # probe station code → device id
    areas: str


def seed(url: str, args: argparse.Namespace, work: Path) -> City:
    from cityops.app import build_platform
    from cityops.infra.settings import Settings
    from cityops.kernel.actor import SYSTEM
    from cityops.org.public import NewUser
    from cityops.sensing.public import NewDevice

    settings = Settings(env="demo", database_url=url, router_model_dir=work / "no-model")
    p = build_platform(settings)
    try:
        areas = seed_city(p, None)
        rng = random.Random(11)
        codes = [f"B{i:05d}" for i in range(args.devices)]
        codes += [f"P{i:05d}" for i in range(args.probes)]
        placed = list(zip(codes, city_points(p, len(codes), rng), strict=True))
        ids: dict[str, int] = {}
        for start in range(0, len(placed), 500):
            with p.uow() as uow:
                for code, (lon, lat) in placed[start : start + 500]:
                    done = p.sensing.register_device(
                        uow.session, SYSTEM, NewDevice(code, "air_quality", lon, lat)
                    )
                    ids[code] = done.device.id
        with p.uow() as uow:
            p.alarms.save_rule(uow, SYSTEM, RULE)
            p.org.create_user(
                uow,
                SYSTEM,
                NewUser(
                    username="bench_alarms",
                    password="bench password 123",
                    display_name="bench",
                    roles=["dispatcher"],
                ),
            )
        with p.read() as s:
            token = p.org.access_token_for_user(s, "bench_alarms").access_token
    finally:
        p.close()
    probes = {c: ids[c] for c in codes if c.startswith("P")}
    return City(token, codes[: args.devices], probes, areas)


def start_ingest(
    url: str, args: argparse.Namespace, prefix: str, run_id: str, log: Path
) -> subprocess.Popen[bytes]:
    """`cityops sensing ingest-mqtt` as in production; returns once every worker subscribed."""
    env = dict(
        os.environ,
        CITYOPS_DATABASE_URL=url,
        CITYOPS_ENV="demo",
        CITYOPS_MQTT_URL=f"mqtt://{BROKER[0]}:{BROKER[1]}",
        CITYOPS_MQTT_TOPIC_PREFIX=prefix,
        CITYOPS_MQTT_SHARE_GROUP=f"bench-{run_id}",
    )
    command = [sys.executable, "-c", "from cityops.cli import main; main()", "sensing"]
    command += ["ingest-mqtt", "--workers", str(args.ingest_workers)]
    command += ["--client-id", f"bench-alarm-path-{run_id}"]
    proc = subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while log.read_text(errors="replace").count("subscribed to") < args.ingest_workers:
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            raise RuntimeError(f"the ingest workers did not start; see {log}")
        time.sleep(0.2)
    return proc


def mqtt_client(name: str) -> Any:
    import paho.mqtt.client as paho
    from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

    client = paho.Client(
        CallbackAPIVersion.VERSION2, client_id=name, protocol=MQTTProtocolVersion.MQTTv5
    )
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(20_000)
    client.connect(*BROKER, clean_start=True)
    client.loop_start()
    return client


def forget_sessions(run_id: str, workers: int) -> None:
    """The ingest workers keep their sessions on the broker for days: end them (a clean start
    under each worker's client id, then a disconnect), the broker being shared."""
    for i in range(workers):
        client = mqtt_client(f"bench-alarm-path-{run_id}-{i}")
        deadline = time.monotonic() + 5
        while not client.is_connected() and time.monotonic() < deadline:
            time.sleep(0.05)
        client.disconnect()
        client.loop_stop()


def background(
    codes: list[str], prefix: str, rate: float, stop: Any, acked: Any, run_id: str
) -> None:
    """The load-generator process: RATE messages a second, stations in turn, until `stop`;
    `acked` counts the messages the broker acknowledged."""
    rng = random.Random(5)
    done = [0]
    client = mqtt_client(f"bench-load-{run_id}")
    client.on_publish = lambda *_: done.__setitem__(0, done[0] + 1)
    walk = {(c, m): rng.uniform(low, high) for c in codes for m, (low, high, _) in WALK.items()}
    topics = [f"{prefix}/devices/{c}/telemetry" for c in codes]
    began, n = time.monotonic(), 0
    while not stop.is_set():
        due = int((time.monotonic() - began) * rate) + 1
        while n < due:
            code = codes[n % len(codes)]
            values = {}
            for metric, (low, high, step) in WALK.items():
                v = walk[code, metric] + rng.gauss(0, step)
                v = low + abs(v - low) if v < low else (high - abs(v - high) if v > high else v)
                walk[code, metric] = values[metric] = round(v, 2)
            body = json.dumps({"ts": int(time.time() * 1000), "values": values})
            if client.publish(topics[n % len(topics)], body, qos=1).rc != 0:
                break  # paho's own queue is full: the generator is behind
            n += 1
        acked.value = done[0]
        time.sleep(0.002)
    deadline = time.monotonic() + 10
    while done[0] < n and time.monotonic() < deadline:
        time.sleep(0.05)
    acked.value = done[0]
    client.disconnect()
    client.loop_stop()


# ---- what is observed -------------------------------------------------------------------------


class StreamReader(threading.Thread):
    """An SSE client on the alarm topic: each frame with the instant its data line was read."""

    def __init__(self, port: int, token: str) -> None:
        super().__init__(name="sse-reader", daemon=True)
        self.url = f"http://127.0.0.1:{port}/api/v1/events?topics=alarm&max_seconds=300"
        self.token = token
        self.frames: list[tuple[float, str, dict[str, Any]]] = []
        self.opened = threading.Event()
        self.ended = ""
        self._closing = False
        self._client = httpx.Client(timeout=httpx.Timeout(10.0, read=None))

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "text/event-stream"}
        event = ""
        try:
            with self._client.stream("GET", self.url, headers=headers) as answer:
                if answer.status_code != 200:
                    self.ended = f"HTTP {answer.status_code}"
                    return
                self.opened.set()
                for line in answer.iter_lines():
                    if line.startswith("event: "):
                        event = line[7:]
                    elif line.startswith("data: ") and event:
                        self.frames.append((time.time(), event, json.loads(line[6:])))
                    elif not line:
                        event = ""
            self.ended = "ended by the server"
        except Exception as exc:  # closed here at the end, or the server went away
            self.ended = "open until the end" if self._closing else type(exc).__name__
        finally:
            self.opened.set()

    def close(self) -> None:
        self._closing = True
        self._client.close()

    def first(self, event: str) -> dict[str, float]:
        """Probe station code → when the first frame of `event` about its alarm was read."""
        seen: dict[str, float] = {}
        for at, name, data in list(self.frames):
            if name == event and data.get("rule_code") == RULE_CODE:
                seen.setdefault(str(data.get("device_code")), at)
        return seen


@dataclass
class Probe:
    code: str
    device_id: int
    published: float
    stored: float | None = None  # the point seen in sensing_points
    alarm_row: float | None = None  # the alarm row seen in sensing_alarms


@dataclass
class Watcher:
    """Polls the database for the pending probes' points and alarm rows (one query each), and
    samples the runner's backlog (reading-log rows and the readings in them) each second."""

    engine: Engine
    poll_s: float
    pending: list[Probe] = field(default_factory=list)
    backlog: list[tuple[float, int, int]] = field(default_factory=list)  # (t, rows, readings)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    def watch(self, probe: Probe) -> None:
        with self.lock:
            self.pending.append(probe)

    def run(self) -> None:
        from cityops.sensing.store import alarms, points, reading_log

        next_sample = 0.0
        while not self.stop.is_set():
            with self.lock:
                self.pending = [p for p in self.pending if p.stored is None or p.alarm_row is None]
                unstored = {p.device_id: p for p in self.pending if p.stored is None}
                unraised = {p.device_id: p for p in self.pending if p.alarm_row is None}
            with self.engine.connect() as conn:
                if unstored:  # a probe station's only value over 150 is its probe
                    found = conn.execute(
                        select(points.c.device_id).where(
                            points.c.device_id.in_(list(unstored)),
                            points.c.metric == "pm25",
                            points.c.value > 150,
                        )
                    )
                    now = time.time()
                    for (device_id,) in found:
                        unstored[device_id].stored = now
                if unraised:
                    found = conn.execute(
                        select(alarms.c.device_id).where(
                            alarms.c.device_id.in_(list(unraised)), alarms.c.rule_code == RULE_CODE
                        )
                    )
                    now = time.time()
                    for (device_id,) in found:
                        unraised[device_id].alarm_row = now
                if time.monotonic() >= next_sample:
                    next_sample = time.monotonic() + 1.0
                    readings = func.json_array_length(reading_log.c.readings)
                    rows, count = conn.execute(
                        select(func.count(), func.coalesce(func.sum(readings), 0))
                    ).one()
                    self.backlog.append((time.time(), int(rows), int(count)))
                conn.rollback()
            self.stop.wait(self.poll_s)


def stored_instants(engine: Engine) -> dict[int, dict[str, Any]]:
    """Per probe alarm (by device id): its id, case id, raised and case-opened instants as
    stored (the outbox rows' occurred_at) and the case's reported_at."""
    from cityops.cases.store import cases
    from cityops.infra.outbox import outbox
    from cityops.sensing.store import alarms

    with engine.connect() as conn:
        rows = conn.execute(
            select(alarms.c.id, alarms.c.device_id, alarms.c.case_id).where(
                alarms.c.rule_code == RULE_CODE
            )
        ).all()
        events = conn.execute(
            select(outbox.c.name, outbox.c.payload, outbox.c.occurred_at).where(
                outbox.c.name.in_(["sensing.alarm_raised", "sensing.alarm_case_opened"])
            )
        ).all()
        case_ids = [int(r.case_id) for r in rows if r.case_id is not None]
        reported = {
            int(case_id): at
            for case_id, at in conn.execute(
                select(cases.c.id, cases.c.reported_at).where(cases.c.id.in_(case_ids))
            )
        }
    at: dict[tuple[str, int], datetime] = {}
    for name, payload, occurred in events:
        at.setdefault((name, int(payload["alarm_id"])), occurred)
    out: dict[int, dict[str, Any]] = {}
    for r in rows:
        case_id = int(r.case_id) if r.case_id is not None else None
        out[int(r.device_id)] = {
            "alarm_id": int(r.id),
            "case_id": case_id,
            "raised": _epoch(at.get(("sensing.alarm_raised", int(r.id)))),
            "case_opened": _epoch(at.get(("sensing.alarm_case_opened", int(r.id)))),
            "case_reported": _epoch(reported.get(case_id)) if case_id else None,
        }
    return out


def _epoch(at: datetime | None) -> float | None:
    return at.timestamp() if at is not None else None


def summary(values_s: list[float]) -> dict[str, Any]:
    """count, p50/p95/p99/max/mean in ms (nearest rank)."""
    if not values_s:
        return {"count": 0}
    ordered = sorted(values_s)

    def rank(q: float) -> float:
        return round(1000 * ordered[max(0, math.ceil(q * len(ordered)) - 1)], 1)

    return {
        "count": len(ordered),
        "p50_ms": rank(0.50),
        "p95_ms": rank(0.95),
        "p99_ms": rank(0.99),
        "max_ms": round(1000 * ordered[-1], 1),
        "mean_ms": round(1000 * sum(ordered) / len(ordered), 1),
    }


def _gaps(pairs: list[tuple[float | None, float | None]]) -> list[float]:
    return [b - a for a, b in pairs if a is not None and b is not None]


# ---- one run ----------------------------------------------------------------------------------


def run_one(kind: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    from cityops.infra.db import make_engine

    run_id = uuid.uuid4().hex[:8]
    prefix = f"bench-{run_id}/v1"
    load_before = load_average()
    with fresh_database(kind, work) as url:
        t = time.monotonic()
        city = seed(url, args, work)
        console.print(
            f"[{kind}] seeded {args.devices} + {args.probes} stations ({city.areas}) "
            f"in {time.monotonic() - t:.1f} s"
        )
        port = free_port()
        server = start_web_server(url, port, 1, work / f"server-{kind}.log")
        ingest = start_ingest(url, args, prefix, run_id, work / f"ingest-{kind}.log")
        ctx = multiprocessing.get_context("spawn")
        stop_load, acked = ctx.Event(), ctx.Value("q", 0)
        load = ctx.Process(
            target=background,
            args=(city.background, prefix, args.rate, stop_load, acked, run_id),
            name="bench-load",
        )
        engine = make_engine(url)
        reader = StreamReader(port, city.token)
        watcher = Watcher(engine, args.poll_ms / 1000)
        watching = threading.Thread(target=watcher.run, name="watcher", daemon=True)
        probes: list[Probe] = []
        client = None
        try:
            reader.start()
            reader.opened.wait(30)
            if reader.ended:
                raise RuntimeError(f"the event stream did not open: {reader.ended}")
            load.start()
            client = mqtt_client(f"bench-probe-{run_id}")
            for code in city.probes:  # each probe station reports a normal value first
                body = json.dumps({"ts": int(time.time() * 1000), "values": {"pm25": 40.0}})
                client.publish(f"{prefix}/devices/{code}/telemetry", body, qos=1)
            console.print(f"[{kind}] server, ingest and load running; warming up {args.warmup} s")
            time.sleep(args.warmup)
            watching.start()
            pids = {"server": [server.pid], "ingest": children(ingest.pid) or [ingest.pid]}
            pids["load_generator"] = [load.pid or 0]
            cpu0 = {k: sum(cpu_seconds(p) for p in v) for k, v in pids.items()}
            own0 = time.process_time()
            load_start = load_average()
            points0, acked0, began = _points(engine), acked.value, time.time()
            probes = publish_probes(client, prefix, city.probes, args, watcher, kind)
            ended = time.time()
            acked1, points1 = acked.value, _points(engine)
            cpu1 = {k: sum(cpu_seconds(p) for p in v) for k, v in pids.items()}
            own1 = time.process_time()
            load_end = load_average()
            # the last alarms and their cases, under load still
            deadline = time.monotonic() + args.settle
            while time.monotonic() < deadline:
                opened = reader.first("sensing.alarm_case_opened")
                if len(opened) >= len(probes):
                    break
                time.sleep(0.2)
        finally:
            stop_load.set()
            load.join(30)
            if client is not None:
                client.disconnect()
                client.loop_stop()
            watcher.stop.set()
            if watching.is_alive():
                watching.join(5)
            reader.close()
            ingest.send_signal(signal.SIGTERM)
            server.send_signal(signal.SIGTERM)
            for proc in (ingest, server):
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
            forget_sessions(run_id, args.ingest_workers)
        stored = stored_instants(engine)
        engine.dispose()
    server_log = (work / f"server-{kind}.log").read_text(errors="replace")
    return _report(
        kind=kind,
        args=args,
        probes=probes,
        reader=reader,
        stored=stored,
        window=(began, ended),
        background={
            "acked": acked1 - acked0,
            "points": points1 - points0,
            "backlog": [b for b in watcher.backlog if began <= b[0] <= ended],
        },
        cpu={k: round(cpu1[k] - cpu0[k], 1) for k in cpu0} | {"bench": round(own1 - own0, 1)},
        loads={"before_setup": load_before, "window_start": load_start, "window_end": load_end},
        overruns=server_log.count("over its budget"),
    )


def publish_probes(
    client: Any,
    prefix: str,
    stations: dict[str, int],
    args: argparse.Namespace,
    watcher: Watcher,
    kind: str,
) -> list[Probe]:
    """Every DURATION / PROBES seconds, one probe station's pm25 = 300, stamped with now."""
    probes: list[Probe] = []
    began, every = time.time(), args.duration / args.probes
    columns = (TextColumn(f"[{kind}] probes"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), console=console) as progress:
        task = progress.add_task("probes", total=len(stations))
        for i, (code, device_id) in enumerate(stations.items()):
            pause = began + i * every - time.time()
            if pause > 0:
                time.sleep(pause)
            now = time.time()
            values = {"pm25": 300.0, "pm10": 80.0, "no2": 30.0}
            body = json.dumps({"ts": int(now * 1000), "values": values})
            client.publish(f"{prefix}/devices/{code}/telemetry", body, qos=1)
            probes.append(Probe(code, device_id, now))
            watcher.watch(probes[-1])
            progress.update(task, completed=i + 1)
    return probes


def _points(engine: Engine) -> int:
    from cityops.sensing.store import points

    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(points)).scalar_one())


def _report(
    *,
    kind: str,
    args: argparse.Namespace,
    probes: list[Probe],
    reader: StreamReader,
    stored: dict[int, dict[str, Any]],
    window: tuple[float, float],
    background: dict[str, Any],
    cpu: dict[str, float],
    loads: dict[str, Any],
    overruns: int,
) -> dict[str, Any]:
    seconds = window[1] - window[0]
    raised_read = reader.first("sensing.alarm_raised")
    opened_read = reader.first("sensing.alarm_case_opened")
    rows = [(p, stored.get(p.device_id, {}), raised_read.get(p.code)) for p in probes]
    to_stream = _gaps([(p.published, read) for p, _, read in rows])
    backlog = background["backlog"]
    end_to_end = summary(to_stream)
    to_case = summary(_gaps([(s.get("raised"), s.get("case_reported")) for _, s, _ in rows]))
    return {
        "db": kind,
        "probes_published": len(probes),
        "probe_every_s": round(args.duration / args.probes, 3),
        "target_1": "publish → alarm visible on the live stream: p99 ≤ 100 ms at 1,000 msg/s",
        "publish_to_alarm_frame": end_to_end,
        "target_1_met": bool(to_stream) and end_to_end["p99_ms"] <= 100.0,
        "alarms_missing_on_stream": len(probes) - len(to_stream),
        "where_the_time_goes": {
            "publish_to_point_stored": summary(_gaps([(p.published, p.stored) for p, *_ in rows])),
            "point_stored_to_runner_decision": summary(
                _gaps([(p.stored, s.get("raised")) for p, s, _ in rows])
            ),
            "runner_decision_to_alarm_row_seen": summary(
                _gaps([(s.get("raised"), p.alarm_row) for p, s, _ in rows])
            ),
            "alarm_row_seen_to_frame_read": summary(
                _gaps([(p.alarm_row, read) for p, _, read in rows])
            ),
            "publish_to_runner_decision": summary(
                _gaps([(p.published, s.get("raised")) for p, s, _ in rows])
            ),
            "runner_decision_to_frame_read": summary(
                _gaps([(s.get("raised"), read) for p, s, read in rows])
            ),
            "poll_ms": args.poll_ms,
        },
        "target_2": "alarm → case created: p99 ≤ 1 s",
        "alarm_to_case_stored": to_case,
        "target_2_met": bool(to_case["count"]) and to_case["p99_ms"] <= 1000.0,
        "alarm_to_case_frames_observed": summary(
            _gaps([(read, opened_read.get(p.code)) for p, _, read in rows])
        ),
        "publish_to_case_frame": summary(
            _gaps([(p.published, opened_read.get(p.code)) for p, *_ in rows])
        ),
        "alarms_without_case": sum(1 for _, s, _ in rows if not s.get("case_id")),
        "background": {
            "stations": args.devices,
            "rate_asked_msg_s": args.rate,
            "msg_acked_by_broker_in_window": background["acked"],
            "rate_achieved_msg_s": round(background["acked"] / seconds, 1),
            "points_stored_in_window": background["points"],
            "points_stored_per_s": round(background["points"] / seconds, 1),
            "runner_backlog_each_second": {
                "log_rows": [b[1] for b in backlog],
                "readings": [b[2] for b in backlog],
                "readings_max": max((b[2] for b in backlog), default=0),
                "readings_mean": round(sum(b[2] for b in backlog) / max(1, len(backlog))),
            },
        },
        "window_seconds": round(seconds, 1),
        "cpu_seconds_in_window": cpu,
        "load_average": loads,
        "scheduled_job_overruns_logged": overruns,
        "stream_end": reader.ended,
    }


def wake_settings() -> dict[str, Any]:
    """How each stage is woken, as the code under test has it."""
    from cityops import app
    from cityops.infra.settings import Settings
    from cityops.sensing import alarm_runner

    return {
        "alarm_runner": {
            "scheduler_step_s": app.ALARM_STEP_SECONDS,
            "busy_poll_s": alarm_runner.BUSY_SECONDS,
            "idle_poll_max_s": alarm_runner.IDLE_MAX_SECONDS,
            "drain_s": alarm_runner.DRAIN_SECONDS,
            "woken_by": "its own process's telemetry writer only (HTTP, HJ 212); the MQTT "
            "workers' readings are found by polling the reading log",
        },
        "outbox_relay": {
            "interval_s": Settings().relay_interval_seconds,
            "woken_by": "every commit with events in its own process (the runner's, the server's)",
            "alarm_to_case": "subscription alarm_cases.open on sensing.alarm_raised: the case "
            "is opened in the relay pass; rules with a delay: job alarm_cases.open_due every "
            f"{app.ALARM_CASES_SECONDS:g} s",
        },
        "outbox_tail": {
            "sqlite": "polls every 0.02 s",
            "postgresql": "LISTEN/NOTIFY (pg_notify in the writing transaction), poll 0.5 s",
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--duration", type=float, default=100.0, help="seconds of probes")
    parser.add_argument("--rate", type=float, default=1000.0, help="background messages/s")
    parser.add_argument("--probes", type=int, default=200, help="probe alarms (one station each)")
    parser.add_argument("--devices", type=int, default=500, help="background stations")
    parser.add_argument("--ingest-workers", type=int, default=1)
    parser.add_argument(
        "--warmup",
        type=float,
        default=20.0,
        help="seconds of load before the probes (the server's first scheduled jobs run then)",
    )
    parser.add_argument("--settle", type=float, default=15.0, help="wait for the last cases")
    parser.add_argument("--poll-ms", type=float, default=10.0)
    parser.add_argument("--out", type=Path, default=RESULTS / "sensing_alarm_path.json")
    args = parser.parse_args()
    if args.rate / args.devices > 10:
        parser.error("more than 10 messages a second per station: ingestion refuses them")
    results: dict[str, Any] = {
        "benchmark": "sensing_alarm_path",
        "what": "MQTT publish → alarm frame on GET /api/v1/events, and alarm → case, with the "
        "web server, the MQTT ingest worker(s) and a background load running",
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "wake_settings": wake_settings(),
        "machine": machine(),
        "runs": {},
    }
    with tempfile.TemporaryDirectory(prefix="bench-alarm-path-") as tmp:
        for kind in args.db:
            run = run_one(kind, args, Path(tmp))
            results["runs"][kind] = run
            console.print_json(data={k: v for k, v in run.items() if k != "background"})
    results["load_average_after"] = load_average()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    console.print(f"written {args.out}")


if __name__ == "__main__":
    main()
