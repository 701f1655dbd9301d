"""MQTT for the sensing tests: the Mosquitto at 127.0.0.1:1883, a broker of a test's own (to stop
and start again), a QoS 1 publisher, worker processes started through the CLI, names unique to
each test so tests running side by side never share a topic or a session."""

from __future__ import annotations

import getpass
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from cityops.sensing.mqtt.public import telemetry_topic

SYSTEM_BROKER = ("127.0.0.1", 1883)


@dataclass(frozen=True)
class Names:
    prefix: str
    group: str
    client: str


def unique_names() -> Names:
    tag = uuid.uuid4().hex[:10]
    return Names(prefix=f"t{tag}/v1", group=f"g{tag}", client=f"c{tag}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Publisher:
    """A paho client publishing at QoS 1 and waiting for the broker's PUBACK of each message."""

    def __init__(
        self, port: int = SYSTEM_BROKER[1], user: str | None = None, password: str | None = None
    ) -> None:
        self.client = paho.Client(
            CallbackAPIVersion.VERSION2,
            client_id=f"pub-{uuid.uuid4().hex[:10]}",
            protocol=MQTTProtocolVersion.MQTTv5,
        )
        if user is not None:
            self.client.username_pw_set(user, password)
        self.client.max_inflight_messages_set(20)
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        self.sent = 0

    def publish(self, topic: str, payload: bytes) -> None:
        info = self.client.publish(topic, payload, qos=1)
        info.wait_for_publish(timeout=10)
        assert info.is_published(), f"the broker did not take {topic}"
        self.sent += 1

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def reading(ts_ms: int, i: int) -> bytes:
    return json.dumps({"ts": ts_ms, "values": {"pm25": i % 500, "pm10": 50, "no2": 20}}).encode()


def publish_readings(
    pub: Publisher,
    prefix: str,
    codes: list[str],
    count: int,
    base_ms: int,
    *,
    start: int = 0,
    per_second: float | None = None,
    each: Callable[[int], None] | None = None,
) -> None:
    """`count` messages of 3 values, round-robin over the devices, each (device, ts) unique."""
    began = time.monotonic()
    for i in range(start, start + count):
        code = codes[i % len(codes)]
        pub.publish(telemetry_topic(code, prefix), reading(base_ms + i * 1000, i))
        if each is not None:
            each(i - start)
        if per_second:
            ahead = (i - start + 1) / per_second - (time.monotonic() - began)
            if ahead > 0:
                time.sleep(ahead)


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@contextmanager
def own_broker(tmp: Path, extra: str = "") -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    """A Mosquitto of the test's own on a free port, with persistence (and `extra` lines of
    configuration); yields a function that (re)starts it (the running one is stopped with
    SIGTERM first, which saves its state)."""
    mosquitto = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    port = free_port()
    store = tmp / "mosquitto"
    store.mkdir()
    conf = tmp / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\n{extra or 'allow_anonymous true'}\npersistence true\n"
        f"persistence_location {store}/\nmax_queued_messages 100000\n"
        f"log_dest file {tmp / 'mosquitto.log'}\n"
        # started as root, Mosquitto drops to this user: ours, who owns the test's files
        f"user {getpass.getuser()}\n"
    )
    running: list[subprocess.Popen[bytes]] = []

    def restart() -> subprocess.Popen[bytes]:
        stop()
        proc = subprocess.Popen([mosquitto, "-c", str(conf)])
        running.append(proc)
        wait_until(lambda: _accepts(port), 10, "mosquitto to listen")
        return proc

    def stop() -> None:
        while running:
            proc = running.pop()
            proc.send_signal(signal.SIGTERM)
            proc.wait(10)

    restart.port = port  # type: ignore[attr-defined]
    restart.stop = stop  # type: ignore[attr-defined]
    try:
        yield restart
    finally:
        stop()


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def start_workers(
    db_url: str, names: Names, log: Path, workers: int = 1, *, port: int = SYSTEM_BROKER[1]
) -> subprocess.Popen[bytes]:
    """`cityops sensing ingest-mqtt` in a process of its own, its output appended to `log`."""
    env = dict(os.environ)
    env.update(
        CITYOPS_DATABASE_URL=db_url,
        CITYOPS_ENV="test",
        CITYOPS_MQTT_URL=f"mqtt://127.0.0.1:{port}",
        CITYOPS_MQTT_TOPIC_PREFIX=names.prefix,
        CITYOPS_MQTT_SHARE_GROUP=names.group,
    )
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from cityops.cli import main; main()",
            "sensing",
            "ingest-mqtt",
            "--workers",
            str(workers),
            "--client-id",
            names.client,
        ],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def log_count(log: Path, text: str) -> int:
    return log.read_text(errors="replace").count(text) if log.exists() else 0
