"""MQTT ingest workers as processes (`cityops sensing ingest-mqtt`) and through a broker that goes
away, on SQLite and PostgreSQL: two workers share the load of one shared subscription; a worker
killed with SIGKILL under load and started again leaves every point stored exactly once; a
broker stopped and started again (with persistence) is reconnected to, and the messages queued
for a worker's session while it was away are delivered after the restart."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from cityops.app import Platform
from cityops.sensing.mqtt.public import Broker, MqttIngestWorker, WorkerConfig

from .broker import (
    Names,
    Publisher,
    log_count,
    own_broker,
    publish_readings,
    start_workers,
    unique_names,
    wait_until,
)
from .conftest import register

pytestmark = pytest.mark.timeout(180)


def _points(p: Platform) -> int:
    with p.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM sensing_points")).scalar_one())


def _now_ms() -> int:  # worker processes judge times by the real clock
    import time

    return int(time.time() * 1000)


@pytest.fixture
def names() -> Names:
    return unique_names()


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    proc.wait(30)


def test_two_worker_processes_share_the_load(
    sensing_platform: Platform,
    db_url: str,
    names: Names,
    tmp_path: Path,
    processes: list[subprocess.Popen[bytes]],
) -> None:
    p = sensing_platform
    codes = [register(p, f"SH-{i}").device.code for i in range(10)]
    log = tmp_path / "workers.log"
    processes.append(start_workers(db_url, names, log, workers=2))
    wait_until(lambda: log_count(log, "subscribed to") == 2, 60, "two workers subscribed")
    pub = Publisher()
    try:
        publish_readings(pub, names.prefix, codes, 200, _now_ms() - 3_600_000)
    finally:
        pub.close()
    wait_until(lambda: _points(p) == 600, 60, "600 points stored")
    _stop(processes[0])
    output = log.read_text()
    received = [int(n) for n in re.findall(r"stopped: received (\d+)", output)]
    acked = [int(n) for n in re.findall(r"acknowledged (\d+)", output.split("stopped:")[-1])]
    assert len(received) == 2, output[-2000:]
    assert all(n > 0 for n in received), received  # each worker took a share
    assert sum(received) == 200
    assert acked
    assert _points(p) == 600


def test_a_worker_killed_under_load_and_started_again_loses_and_repeats_nothing(
    sensing_platform: Platform,
    db_url: str,
    names: Names,
    tmp_path: Path,
    processes: list[subprocess.Popen[bytes]],
) -> None:
    p = sensing_platform
    codes = [register(p, f"KL-{i}").device.code for i in range(50)]
    log = tmp_path / "worker.log"
    total = 1500
    killed = threading.Event()
    # a broker of our own: while the worker is away the broker queues its share, and the
    # system broker's default queue (max_queued_messages 1000) is smaller than a slow restart
    with own_broker(tmp_path) as restart:
        restart()
        port = restart.port  # type: ignore[attr-defined]
        processes.append(start_workers(db_url, names, log, port=port))
        wait_until(lambda: log_count(log, "subscribed to") == 1, 60, "the worker subscribed")

        def kill_then_restart(i: int) -> None:
            if i == 400:
                os.kill(processes[0].pid, signal.SIGKILL)
                processes[0].wait()
                killed.set()
                processes.append(start_workers(db_url, names, log, port=port))

        pub = Publisher(port)
        try:
            publish_readings(
                pub,
                names.prefix,
                codes,
                total,
                _now_ms() - 3_600_000,
                per_second=150,
                each=kill_then_restart,
            )
        finally:
            pub.close()
        assert killed.is_set()
        wait_until(lambda: _points(p) == total * 3, 90, f"{total * 3} points stored")
        # the broker kept the killed worker's session and sent its unacknowledged messages again
        assert "session resumed" in log.read_text()
        _stop(processes[-1])
    assert _points(p) == total * 3


def test_the_worker_reconnects_to_a_restarted_broker_and_gets_what_was_queued(
    sensing_platform: Platform, names: Names, tmp_path: Path
) -> None:
    p = sensing_platform
    codes = [register(p, f"BR-{i}").device.code for i in range(10)]
    base = int(p.clock.now().timestamp() * 1000) - 3_600_000
    with own_broker(tmp_path) as restart:
        restart()
        port = restart.port  # type: ignore[attr-defined]
        config = WorkerConfig(
            broker=Broker("127.0.0.1", port),
            client_id=names.client,
            group=names.group,
            prefix=names.prefix,
            session_expiry=300,
            reconnect_min=1,
            reconnect_max=2,
        )

        def worker() -> MqttIngestWorker:
            w = MqttIngestWorker(p.sensing.ingestion, config, p.clock.now)
            w.start()
            assert w.connected.wait(15), "the worker did not (re)subscribe"
            return w

        def publish(start: int, count: int) -> None:
            pub = Publisher(port)
            try:
                publish_readings(pub, names.prefix, codes, count, base, start=start)
            finally:
                pub.close()

        w = worker()
        publish(0, 50)
        wait_until(lambda: _points(p) == 150, 20, "the first 150 points")
        restart()  # the broker goes away and comes back
        wait_until(lambda: w.counters.connects >= 2 and w.connected.is_set(), 30, "reconnect")
        publish(50, 50)
        wait_until(lambda: _points(p) == 300, 20, "300 points after the broker restart")
        w.stop()
        publish(100, 50)  # queued for the worker's session while it is away
        restart()  # and kept across a broker restart (persistence)
        w = worker()
        wait_until(lambda: _points(p) == 450, 30, "the queued messages after the restart")
        w.stop()
