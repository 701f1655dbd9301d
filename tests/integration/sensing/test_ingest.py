"""Telemetry through the ingestion path into the store, on SQLite and PostgreSQL: points stored
once however often they are delivered, every refusal kept as a dead letter with its reason,
latest values upserted per flush, not per message."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import text

from cityops.app import Platform
from cityops.kernel.actor import SYSTEM
from cityops.kernel.errors import Conflict, ValidationFailed

from .conftest import register


def _count(p: Platform, table: str) -> int:
    with p.engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def _reasons(p: Platform) -> dict[str, int]:
    with p.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT reason, sum(repeats) FROM sensing_dead_letters GROUP BY reason")
        )
        return {r[0]: int(r[1]) for r in rows}


def test_a_payload_is_stored_once_however_often_it_arrives(sensing_platform: Platform) -> None:
    p = sensing_platform
    device = register(p, "AQ-001")
    now_ms = int(p.clock.now().timestamp() * 1000)
    body = json.dumps(
        [
            {"ts": now_ms - i * 60_000, "values": {"pm25": 30 + i, "pm10": 50, "no2": 20}}
            for i in range(10)
        ]
    ).encode()
    for _ in range(3):  # QoS 1: at least once
        result = p.sensing.ingestion.from_http(device.token, body)
        result.committed.result(timeout=10)
        assert result.accepted == 30
        assert result.problems == []
    assert _count(p, "sensing_points") == 30
    assert _count(p, "sensing_reading_log") == 3
    p.sensing.writer.flush_latest()
    with p.engine.connect() as conn:
        latest = dict(conn.execute(text("SELECT metric, value FROM sensing_latest")).all())
    assert latest == {"pm25": 30.0, "pm10": 50.0, "no2": 20.0}


def test_bad_data_is_kept_with_its_reason_and_never_stored(sensing_platform: Platform) -> None:
    p = sensing_platform
    device = register(p, "AQ-002")
    now = p.clock.now()
    payloads = [
        b"{not json",
        json.dumps({"values": {"pm25": 12, "nonsense": 3}}).encode(),
        json.dumps({"values": {"pm25": -5}}).encode(),
        json.dumps({"values": {"pm25": "high"}}).encode(),
        json.dumps({"ts": (now + timedelta(days=2)).isoformat(), "values": {"pm25": 3}}).encode(),
        json.dumps({"ts": (now - timedelta(days=400)).isoformat(), "values": {"pm25": 3}}).encode(),
        json.dumps({"ts": "yesterday", "values": {"pm25": 3}}).encode(),
        json.dumps([1, 2]).encode(),
        b"[" + b"0," * 40000 + b"0]",
    ]
    for raw in payloads:
        p.sensing.ingestion.from_http(device.token, raw).committed.result(timeout=10)
    p.sensing.ingestion.from_http("wrong-token", b"{}").committed.result(timeout=10)
    p.sensing.ingestion.from_mqtt(
        "NOPE", b"{}", "cityops/v1/devices/NOPE/telemetry"
    ).committed.result(timeout=10)
    assert _reasons(p) == {
        "malformed_json": 1,
        "unknown_metric": 1,
        "out_of_range": 1,
        "not_a_number": 1,
        "ts_in_future": 1,
        "ts_too_old": 1,
        "bad_timestamp": 1,
        "bad_shape": 1,
        "payload_too_large": 1,
        "bad_credentials": 1,
        "unknown_device": 1,
    }
    assert _count(p, "sensing_points") == 1  # the one good pm25 beside the unknown metric


def test_a_flooding_device_is_limited_alone(sensing_platform: Platform) -> None:
    p = sensing_platform
    loud, quiet = register(p, "AQ-LOUD"), register(p, "AQ-QUIET")
    base = int(p.clock.now().timestamp() * 1000) - 3_600_000
    limit = 600
    for i in range(limit + 50):
        body = json.dumps({"ts": base + i * 1000, "values": {"pm25": 1}}).encode()
        p.sensing.ingestion.from_http(loud.token, body)
    p.sensing.ingestion.from_http(quiet.token, b'{"values": {"pm25": 2}}').committed.result(
        timeout=10
    )
    p.sensing.writer.flush_latest()
    with p.engine.connect() as conn:
        per_device = dict(
            conn.execute(
                text(
                    "SELECT d.code, count(*) FROM sensing_points s JOIN sensing_devices d "
                    "ON d.id = s.device_id GROUP BY d.code"
                )
            ).all()
        )
    assert per_device == {"AQ-LOUD": limit, "AQ-QUIET": 1}
    assert _reasons(p) == {"rate_limited": 1}  # one dead letter a minute, not 50


def test_registration_checks_and_locates(sensing_platform: Platform) -> None:
    p = sensing_platform
    device = register(p, "WL-1", "waterlogging")
    assert device.device.area_code.startswith("330191")
    assert len(device.device.area_code) == 15  # a grid
    assert device.device.inactivity_seconds == 180
    with pytest.raises(Conflict):
        register(p, "WL-1", "waterlogging")
    with pytest.raises(ValidationFailed, match="no device type"):
        register(p, "X-1", "toaster")
    with pytest.raises(ValidationFailed) as refused, p.uow() as uow:
        from cityops.sensing.public import NewDevice

        p.sensing.register_device(uow.session, SYSTEM, NewDevice("FAR", "air_quality", 10.0, 10.0))
    assert refused.value.code == "outside_city"
    with p.read() as session:
        devices, total = p.sensing.list_devices(session, SYSTEM, type_code="waterlogging")
    assert total == 1
    assert devices[0].code == "WL-1"
