"""Sustained MQTT telemetry ingestion → results/sensing_ingest.json.

    .venv/bin/python -m bench.sensing_ingest [--duration 60] [--rate 10000] [--devices 4000]
        [--workers 2] [--publishers 2] [--poll 5] [--db sqlite postgresql] [--out FILE]

On each database: a fresh database with the demo city and DEVICES air-quality devices; a
Mosquitto of its own on a free port (persistence on, queues sized for the run: the config is in
`broker_conf`); `cityops sensing ingest-mqtt --workers WORKERS` as in production; PUBLISHERS
load-generator processes (paho, QoS 1, MQTT v5) publishing RATE messages a second in all for
DURATION seconds, each message one device's `{"ts": …, "values": {pm25, pm10, no2}}` (3 data
points), every (device, ts) unique. Everything runs on this machine's cores.

Reported: points published (PUBACKed by the broker) and stored (count(*) of sensing_points at
the end: in = stored is checked), points stored in the publishing window and per second over it
(counted every POLL seconds: a count(*) of millions of rows every second took up to 2 s of the
same two cores and slowed the workers it measured),
the time the workers needed after the last publish to store the rest, and CPU seconds (from
/proc: user + system) of the workers, of Mosquitto and of the load generator, per 1,000 points
stored.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from bench._server import RESULTS, free_port, fresh_database, machine

ORIGIN = (120.121, 30.251)
CLK_TCK = os.sysconf("SC_CLK_TCK")


def broker_conf(port: int, store: Path) -> str:
    return (
        f"listener {port} 127.0.0.1\nallow_anonymous true\n"
        f"persistence true\npersistence_location {store}/\nautosave_interval 60\n"
        # a worker's share waits in its session while the worker is behind or away: size the
        # queue for the longest pause (the default, 1000 messages, drops beyond it)
        "max_queued_messages 5000000\nmax_queued_bytes 0\n"
        # how many QoS 1 messages a publisher may have unacknowledged (Receive Maximum)
        "max_inflight_messages 1000\n"
        "log_type error\nlog_type warning\n"
        f"user {os.environ.get('USER') or 'root'}\n"
    )


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def seed(url: str, devices: int) -> None:
    from cityops.app import build_platform
    from cityops.infra.settings import Settings
    from cityops.kernel.actor import SYSTEM
    from cityops.sensing.public import NewDevice

    p = build_platform(Settings(env="test", database_url=url))
    try:
        with p.uow() as uow:
            p.geo.generate_demo_city(uow, SYSTEM)
        for start in range(0, devices, 500):
            with p.uow() as uow:
                for i in range(start, min(devices, start + 500)):
                    p.sensing.register_device(
                        uow.session,
                        SYSTEM,
                        NewDevice(f"B{i:05d}", "air_quality", ORIGIN[0], ORIGIN[1]),
                    )
    finally:
        p.close()


def publisher(
    index: int,
    count: int,
    port: int,
    prefix: str,
    devices: int,
    rate: float,
    duration: float,
    go: Any,
    base_ms: int,
    sent: Any,
    ended: Any,
    cpu: Any,
    batch: int = 1,
) -> None:
    """One load-generator process: devices index, index+count, …; `rate` MQTT messages a
    second from `go` for `duration` seconds, each a batch of `batch` readings of 3 values (1: a
    plain message), after one message per device at once (a warm-up: every worker has then seen
    every device)."""
    import paho.mqtt.client as paho
    from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

    acked = [0]
    client = paho.Client(
        CallbackAPIVersion.VERSION2,
        client_id=f"bench-pub-{index}-{os.getpid()}",
        protocol=MQTTProtocolVersion.MQTTv5,
    )
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(20000)

    def on_publish(*_: Any) -> None:
        acked[0] += 1

    client.on_publish = on_publish
    client.connect("127.0.0.1", port)
    client.loop_start()
    mine = list(range(index, devices, count))
    topics = [f"{prefix}/devices/B{i:05d}/telemetry" for i in mine]
    for k, topic in enumerate(topics):
        client.publish(
            topic,
            b'{"ts":%d,"values":{"pm25":1,"pm10":1,"no2":1}}' % (base_ms - 1 - k * count - index),
            qos=1,
        )
    go.wait()
    began = time.monotonic()
    n = 0
    while True:
        elapsed = time.monotonic() - began
        if elapsed >= duration:
            break
        due = int(elapsed * rate) + 1
        while n < due:
            ts = base_ms + (n * count + index) * batch  # unique across publishers
            parts = [
                b'{"ts":%d,"values":{"pm25":%d,"pm10":%d,"no2":%d}}'
                % (ts + k, n % 300, n % 400, (n + k) % 200)
                for k in range(batch)
            ]
            body = parts[0] if batch == 1 else b"[" + b",".join(parts) + b"]"
            if client.publish(topics[n % len(topics)], body, qos=1).rc == 0:
                n += 1
            else:  # paho's own queue is full: the generator is the bottleneck, wait
                time.sleep(0.01)
                break
        time.sleep(0.002)
    ended.value = time.time()
    deadline = time.monotonic() + 60
    while acked[0] < n + len(topics) and time.monotonic() < deadline:
        time.sleep(0.05)
    client.disconnect()
    client.loop_stop()
    sent.value = acked[0] - len(topics)  # the warm-up's are not the run's
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu.value = usage.ru_utime + usage.ru_stime


def run_one(kind: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    with fresh_database(kind, work) as url:
        t = time.monotonic()
        seed(url, args.devices)
        print(f"[{kind}] seeded {args.devices} devices in {time.monotonic() - t:.1f}s", flush=True)
        port = free_port()
        store = work / f"mosquitto-{kind}"
        store.mkdir()
        conf = work / f"mosquitto-{kind}.conf"
        conf.write_text(broker_conf(port, store))
        broker = subprocess.Popen(["mosquitto", "-c", str(conf)])
        time.sleep(0.5)
        prefix = "bench/v1"
        env = dict(
            os.environ,
            CITYOPS_DATABASE_URL=url,
            CITYOPS_ENV="test",
            CITYOPS_MQTT_URL=f"mqtt://127.0.0.1:{port}",
            CITYOPS_MQTT_TOPIC_PREFIX=prefix,
            CITYOPS_MQTT_SHARE_GROUP="bench",
        )
        log = (work / f"workers-{kind}.log").open("wb")
        workers = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from cityops.cli import main; main()",
                "sensing",
                "ingest-mqtt",
                "--workers",
                str(args.workers),
                "--client-id",
                f"bench-{kind}",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        engine = create_engine(url)

        def stored() -> int:
            with engine.connect() as conn:
                return int(conn.execute(text("SELECT count(*) FROM sensing_points")).scalar_one())

        try:
            deadline = time.monotonic() + 120
            while (work / f"workers-{kind}.log").read_text().count("subscribed to") < (
                args.workers
            ):
                if time.monotonic() > deadline or workers.poll() is not None:
                    raise RuntimeError("the ingest workers did not start")
                time.sleep(0.2)
            worker_pids = children(workers.pid) or [workers.pid]
            ctx = multiprocessing.get_context("fork")
            counters = [ctx.Value("q", 0) for _ in range(args.publishers)]
            ends = [ctx.Value("d", 0.0) for _ in range(args.publishers)]
            pub_cpus = [ctx.Value("d", 0.0) for _ in range(args.publishers)]
            go = ctx.Event()
            # every ts of the run in the past (a batch spreads its readings over milliseconds)
            base_ms = (
                int(time.time() * 1000)
                - 3_600_000
                - int(args.rate * args.duration * args.batch * 1.2)
            )
            pubs = [
                ctx.Process(
                    target=publisher,
                    args=(
                        i,
                        args.publishers,
                        port,
                        prefix,
                        args.devices,
                        args.rate / args.publishers,
                        args.duration,
                        go,
                        base_ms,
                        counters[i],
                        ends[i],
                        pub_cpus[i],
                        args.batch,
                    ),
                )
                for i in range(args.publishers)
            ]
            for pub in pubs:
                pub.start()
            warm = args.devices * 3
            deadline = time.monotonic() + 300
            while stored() < warm and time.monotonic() < deadline:
                time.sleep(0.5)
            cpu0 = {pid: cpu_seconds(pid) for pid in [*worker_pids, broker.pid]}
            at_start = stored()
            began = time.time()
            go.set()
            timeline: list[tuple[float, int]] = []
            count_seconds: list[float] = []  # what each count(*) took (it shares the cores)
            count = at_start
            while time.time() - began < args.duration + args.drain_limit:
                time.sleep(args.poll)
                asked = time.monotonic()
                count = stored()
                count_seconds.append(time.monotonic() - asked)
                timeline.append((round(time.time() - began, 1), count - at_start))
                if all(not pub.is_alive() for pub in pubs):
                    published = sum(c.value for c in counters) * 3 * args.batch
                    if count - at_start >= published:
                        break
            last_stored = time.time() - began
            for pub in pubs:
                pub.join(120)
            published = sum(c.value for c in counters) * 3 * args.batch
            publishing = max(e.value for e in ends) - began
            cpu = {pid: cpu_seconds(pid) - cpu0[pid] for pid in cpu0}
            worker_cpu = sum(cpu[pid] for pid in worker_pids)
            broker_cpu = cpu[broker.pid]
            load_cpu = sum(c.value for c in pub_cpus)  # the whole process, warm-up included
            # the last count inside the publishing window, and when it was taken
            window_end, in_window = max((t, n) for t, n in timeline if t <= args.duration + 0.5)
            count -= at_start
            output = (work / f"workers-{kind}.log").read_text(errors="replace")
            retries = output.count("not stored, retrying")
        finally:
            workers.send_signal(signal.SIGTERM)
            workers.wait(60)
            broker.send_signal(signal.SIGTERM)
            broker.wait(30)
            engine.dispose()
            log.close()
        result = {
            "points_published": published,
            "points_stored": count,
            "in_equals_stored": published == count,
            "publishing_seconds": round(publishing, 1),
            "offered_points_per_second": round(published / publishing),
            "points_stored_in_first_duration_seconds": in_window,
            "window_counted_at_seconds": window_end,
            "points_per_second_stored_in_that_window": round(in_window / window_end),
            "seconds_from_start_to_last_point_stored": round(last_stored, 1),
            "points_per_second_start_to_last_stored": round(count / last_stored),
            "writer_retries_database_busy": retries,
            "count_query_seconds": {
                "polls": len(count_seconds),
                "max": round(max(count_seconds), 2),
                "total": round(sum(count_seconds), 1),
            },
            "timeline_seconds_points": timeline,
            "cpu_seconds": {
                "workers": round(worker_cpu, 1),
                "mosquitto": round(broker_cpu, 1),
                "load_generator": round(load_cpu, 1),
            },
            "cpu_seconds_per_1000_points": {
                "workers": round(1000 * worker_cpu / max(1, count), 4),
                "workers_and_mosquitto": round(1000 * (worker_cpu + broker_cpu) / max(1, count), 4),
                "all_incl_load_generator": round(
                    1000 * (worker_cpu + broker_cpu + load_cpu) / max(1, count), 4
                ),
            },
        }
        print(f"[{kind}] {json.dumps(result)}", flush=True)
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--rate", type=float, default=10_000.0, help="MQTT messages/s in all")
    parser.add_argument("--devices", type=int, default=4000)
    parser.add_argument(
        "--batch", type=int, default=1, help="readings of 3 values per MQTT message (1: plain)"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--drain-limit", type=float, default=900.0, help="seconds to wait for the backlog"
    )
    parser.add_argument("--publishers", type=int, default=2)
    parser.add_argument(
        "--poll",
        type=float,
        default=5.0,
        help="seconds between counts of the stored points (each a count(*) on the same cores)",
    )
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--out", type=Path, default=RESULTS / "sensing_ingest.json")
    args = parser.parse_args()
    results: dict[str, Any] = {
        "benchmark": "sensing_ingest",
        "what": "sustained MQTT ingestion, messages of 3 values, QoS 1, acknowledged after commit",
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "machine": machine(),
        "load_average_before": os.getloadavg(),
        "runs": {},
    }
    with tempfile.TemporaryDirectory(prefix="bench-mqtt-") as tmp:
        os.chmod(tmp, 0o755)
        for kind in args.db:
            results["runs"][kind] = run_one(kind, args, Path(tmp))
    results["load_average_after"] = os.getloadavg()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
