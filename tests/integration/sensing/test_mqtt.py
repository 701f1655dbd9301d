"""MQTT ingestion through the Mosquitto at 127.0.0.1:1883 into the store, on SQLite and
PostgreSQL: QoS 1 messages stored once however often they come, malformed topics and unknown
devices kept as dead letters, every message acknowledged only once committed (a worker started
again on the same session receives nothing more), and ingestion that pauses while the database
is unavailable and catches up with nothing lost."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from cityops.app import Platform
from cityops.sensing.mqtt.public import (
    Broker,
    MqttIngestWorker,
    WorkerConfig,
    telemetry_topic,
)

from .broker import Names, Publisher, publish_readings, reading, unique_names, wait_until
from .conftest import register

pytestmark = pytest.mark.timeout(120)


def _count(p: Platform, sql: str) -> int:
    with p.engine.connect() as conn:
        return int(conn.execute(text(sql)).scalar_one())


def _points(p: Platform) -> int:
    return _count(p, "SELECT count(*) FROM sensing_points")


def _worker(p: Platform, names: Names, port: int = 1883) -> MqttIngestWorker:
    config = WorkerConfig(
        broker=Broker("127.0.0.1", port),
        client_id=names.client,
        group=names.group,
        prefix=names.prefix,
        session_expiry=300,
        receive_maximum=500,
        reconnect_max=2,
    )
    worker = MqttIngestWorker(p.sensing.ingestion, config, p.clock.now)
    worker.start()
    assert worker.connected.wait(10), "the worker did not subscribe"
    return worker


@pytest.fixture
def names() -> Names:
    return unique_names()


@pytest.fixture
def publisher() -> Iterator[Publisher]:
    pub = Publisher()
    yield pub
    pub.close()


def test_qos1_messages_are_stored_once_and_acknowledged_after_commit(
    sensing_platform: Platform, names: Names, publisher: Publisher
) -> None:
    p = sensing_platform
    codes = [register(p, f"MQ-{i}").device.code for i in range(3)]
    base = int(p.clock.now().timestamp() * 1000) - 3_600_000
    worker = _worker(p, names)
    try:
        publish_readings(publisher, names.prefix, codes, 30, base)
        # the same message again (a device that did not see its PUBACK sends it again)
        publisher.publish(telemetry_topic(codes[0], names.prefix), reading(base, 0))
        publisher.publish(f"{names.prefix}/devices//telemetry", reading(base, 1))
        publisher.publish(telemetry_topic("NO-SUCH", names.prefix), reading(base, 2))
        wait_until(lambda: worker.counters.acked == 33, 20, "33 acknowledgements")
        assert _points(p) == 90  # 30 messages of 3 values; the repeat stored once
        with p.engine.connect() as conn:
            reasons = dict(
                conn.execute(
                    text("SELECT reason, count(*) FROM sensing_dead_letters GROUP BY reason")
                ).all()
            )
        assert reasons == {"bad_topic": 1, "unknown_device": 1}
        assert worker.counters.received == 33
        assert worker.counters.failed == 0
    finally:
        worker.stop()
    # everything was acknowledged: the same session, back, gets nothing again
    again = _worker(p, names)
    try:
        time.sleep(1.5)
        assert again.counters.received == 0
    finally:
        again.stop()


def _hold_database(p: Platform, db_url: str, seconds: float, held: threading.Event) -> None:
    """Make the database refuse or hold writes for `seconds`."""
    if db_url.startswith("sqlite"):
        locker = create_engine(db_url)
        with locker.connect() as conn:
            conn.exec_driver_sql("BEGIN EXCLUSIVE")
            held.set()
            time.sleep(seconds)
            conn.exec_driver_sql("ROLLBACK")
        locker.dispose()
        return
    locker = create_engine(db_url, isolation_level="AUTOCOMMIT")
    with locker.connect() as conn:
        conn.execute(text("BEGIN"))
        conn.execute(text("LOCK TABLE sensing_points IN ACCESS EXCLUSIVE MODE"))
        held.set()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:  # and cut the platform's connections meanwhile
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            time.sleep(0.5)
        conn.execute(text("ROLLBACK"))
    locker.dispose()


def test_ingestion_pauses_while_the_database_is_away_and_catches_up(
    sensing_platform: Platform, names: Names, publisher: Publisher, db_url: str
) -> None:
    p = sensing_platform
    codes = [register(p, f"DB-{i}").device.code for i in range(20)]
    base = int(p.clock.now().timestamp() * 1000) - 3_600_000
    worker = _worker(p, names)
    try:
        publish_readings(publisher, names.prefix, codes, 100, base)
        wait_until(lambda: _points(p) == 300, 20, "the first 300 points")
        held = threading.Event()
        away = threading.Thread(target=_hold_database, args=(p, db_url, 3.0, held))
        away.start()
        assert held.wait(10)
        acked = worker.counters.acked
        publish_readings(publisher, names.prefix, codes, 300, base, start=100)
        time.sleep(1.0)
        assert worker.counters.acked == acked, "acknowledged while the database was away"
        away.join()
        wait_until(lambda: worker.counters.acked == 400, 60, "all 400 acknowledged")
        assert _points(p) == 1200
    finally:
        worker.stop()
