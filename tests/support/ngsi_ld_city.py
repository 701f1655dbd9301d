"""A demo city with a few devices and known readings, for the NGSI-LD tests (integration and
contract): two air-quality stations 1.5 km apart, a traffic detector and a manhole gauge, with
an operator and a citizen account to sign in with."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from cityops.app import Platform
from cityops.kernel.actor import SYSTEM, Role
from cityops.org.public import NewUser
from cityops.sensing.public import NewDevice

ORIGIN = (120.121, 30.251)  # inside the generated demo city
EAST = (120.1366, 30.251)  # about 1.5 km east of ORIGIN
PASSWORD = "Ngsi-ld-2026!"
HOUR_MS = 3_600_000
# AQ-0001's pm25 every 10 minutes over the 3 hours before the clock's hour: 18 readings
PM25 = [float(10 + i) for i in range(18)]


@dataclass(frozen=True)
class NgsiCity:
    staff_token: str
    citizen_token: str
    start_ms: int  # the first reading of AQ-0001 (on the hour, 3 hours before now)
    now_ms: int


def seed_ngsi_city(p: Platform) -> NgsiCity:
    with p.uow() as uow:
        p.geo.generate_demo_city(uow, SYSTEM)
        for name, role in (("ngsi_op", Role.operator), ("ngsi_cit", Role.citizen)):
            p.org.create_user(uow, SYSTEM, NewUser(name, PASSWORD, [role]))
    tokens = {}
    for code, kind, (lon, lat) in (
        ("AQ-0001", "air_quality", ORIGIN),
        ("AQ-0002", "air_quality", EAST),
        ("TF-0001", "traffic_flow", (ORIGIN[0] + 0.001, ORIGIN[1])),
        ("ML-0001", "manhole_level", (ORIGIN[0], ORIGIN[1] + 0.001)),
    ):
        with p.uow() as uow:
            tokens[code] = p.sensing.register_device(
                uow.session, SYSTEM, NewDevice(code=code, type_code=kind, lon=lon, lat=lat)
            ).token
    now_ms = int(p.clock.now().timestamp() * 1000)
    start = now_ms - now_ms % HOUR_MS - 3 * HOUR_MS
    step = 10 * 60_000
    sends = {
        "AQ-0001": [
            {"ts": start + i * step, "values": {"pm25": v, "pm10": 2 * v}}
            for i, v in enumerate(PM25)
        ],
        "AQ-0002": [{"ts": start, "values": {"pm25": 80.0, "pm10": 120.0}}],
        "TF-0001": [{"ts": start, "values": {"intensity": 42, "speed": 37.5, "occupancy": 0.25}}],
        "ML-0001": [{"ts": start, "values": {"level": 12.5, "battery": 88}}],
    }
    for code, body in sends.items():
        sent = p.sensing.ingestion.from_http(tokens[code], json.dumps(body).encode())
        sent.committed.result(timeout=10)
        assert not sent.problems, sent.problems
    p.sensing.writer.flush_latest()
    with p.read() as s:
        staff = p.org.access_token_for_user(s, "ngsi_op").access_token
        citizen = p.org.access_token_for_user(s, "ngsi_cit").access_token
    return NgsiCity(staff, citizen, start, now_ms)


def iso(ms: int) -> str:
    from datetime import UTC, datetime

    return (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
