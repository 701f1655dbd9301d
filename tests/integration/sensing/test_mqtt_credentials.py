"""Device credentials at a real Mosquitto: the password and ACL files `cityops sensing
mqtt-passwords` writes let a device sign in with its password and publish under its own code
only, refuse a wrong password, and let the ingest workers' user read every device's telemetry."""

from __future__ import annotations

import threading
from pathlib import Path

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from paho.mqtt.reasoncodes import ReasonCode
from sqlalchemy import text
from typer.testing import CliRunner

from cityops.app import Platform
from cityops.cli import app
from cityops.sensing.mqtt.public import (
    Broker,
    MqttIngestWorker,
    WorkerConfig,
    device_password,
    telemetry_topic,
)

from .broker import Publisher, own_broker, reading, unique_names, wait_until
from .conftest import register

pytestmark = pytest.mark.timeout(120)
SECRET = "a-test-secret-key-that-is-long-enough-0123456789"


def _points(p: Platform, code: str) -> int:
    with p.engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT count(*) FROM sensing_points s JOIN sensing_devices d "
                    "ON d.id = s.device_id WHERE d.code = :c"
                ),
                {"c": code},
            ).scalar_one()
        )


def _refused(port: int, user: str, password: str) -> bool:
    answered = threading.Event()
    outcome: list[bool] = []

    def on_connect(
        client: paho.Client, userdata: object, flags: object, reason: ReasonCode, props: object
    ) -> None:
        outcome.append(reason.is_failure)
        answered.set()

    client = paho.Client(
        CallbackAPIVersion.VERSION2, client_id="probe", protocol=MQTTProtocolVersion.MQTTv5
    )
    client.username_pw_set(user, password)
    client.on_connect = on_connect
    client.connect("127.0.0.1", port)
    client.loop_start()
    try:
        assert answered.wait(10), "no CONNACK"
        return outcome[0]
    finally:
        client.disconnect()
        client.loop_stop()


def test_devices_publish_with_their_password_under_their_own_code_only(
    sensing_platform: Platform, db_url: str, tmp_path: Path
) -> None:
    p = sensing_platform
    names = unique_names()
    a, b = register(p, "CR-A").device.code, register(p, "CR-B").device.code
    passwd, acl = tmp_path / "passwd", tmp_path / "acl"
    env = {
        "CITYOPS_DATABASE_URL": db_url,
        "CITYOPS_SECRET_KEY": SECRET,
        "CITYOPS_MQTT_URL": "mqtt://ingest:ingest-pw@127.0.0.1:1883",
        "CITYOPS_MQTT_TOPIC_PREFIX": names.prefix,
    }
    result = CliRunner().invoke(
        app, ["sensing", "mqtt-passwords", "--out", str(passwd), "--acl", str(acl)], env=env
    )
    assert result.exit_code == 0, result.output
    assert passwd.read_text().count(":$7$101$") == 3  # two devices and the workers' user
    conf = f"allow_anonymous false\npassword_file {passwd}\nacl_file {acl}"
    base = int(p.clock.now().timestamp() * 1000) - 3_600_000
    with own_broker(tmp_path, conf) as restart:
        restart()
        port = restart.port  # type: ignore[attr-defined]
        assert _refused(port, a, "not-the-password")
        assert _refused(port, "nobody", "x")
        worker = MqttIngestWorker(
            p.sensing.ingestion,
            WorkerConfig(
                broker=Broker("127.0.0.1", port, "ingest", "ingest-pw"),
                client_id=names.client,
                group=names.group,
                prefix=names.prefix,
            ),
            p.clock.now,
        )
        worker.start()
        try:
            assert worker.connected.wait(10), "the ingest user could not subscribe"
            device = Publisher(port, a, device_password(SECRET, a))
            try:
                device.publish(telemetry_topic(a, names.prefix), reading(base, 1))
                device.publish(telemetry_topic(b, names.prefix), reading(base, 2))  # not its own
            finally:
                device.close()
            wait_until(lambda: _points(p, a) == 3, 20, "device A's points")
            wait_until(lambda: worker.counters.received >= 1, 5, "a delivery")
            assert worker.counters.received == 1  # the broker never passed on the other
            assert _points(p, b) == 0
        finally:
            worker.stop()
