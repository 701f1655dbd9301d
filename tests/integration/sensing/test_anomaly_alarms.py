"""Anomalies found by the detectors become alarms through the same convergence book as rules,
on SQLite and PostgreSQL: a station whose PM2.5 sticks at one value raises one `anomaly.stuck`
alarm (one, however long it stays stuck), which opens a maintenance case for the station's
O&M unit, and clears once the series has moved again for the quiet period; a device type the
detectors are not run for raises nothing."""

from __future__ import annotations

import math
from datetime import timedelta

from tests.integration.sensing.test_alarm_runner import alarms, city, register, send

from cityops.app import Platform
from cityops.kernel.actor import SYSTEM

__all__ = ["city"]  # the fixture, shared with the runner's tests


def _varying(p: Platform, token: str, hours: int, end_hours_ago: int, **extra: float) -> None:
    t0 = p.clock.now()
    for h in range(hours):
        at = t0 - timedelta(hours=end_hours_ago + hours - h)
        send(p, token, at, pm25=60 + 25 * math.sin(h / 3) + (h % 5), **extra)


def test_a_stuck_station_raises_one_fault_alarm_and_a_maintenance_case(city: Platform) -> None:
    p = city
    token = register(p, "AQ-STUCK", om_department="GSGS")
    _varying(p, token, hours=72, end_hours_ago=24)
    t0 = p.clock.now()
    for h in range(12):  # the same value, hour after hour
        send(p, token, t0 - timedelta(hours=23 - h), pm25=42.0)
    p.alarms.runner.process_readings()
    p.relay.drain()
    found = [a for a in alarms(p) if a.rule_code == "anomaly.stuck"]
    assert len(found) == 1
    (alarm,) = found
    assert alarm.active
    assert alarm.case_id is not None
    with p.read() as s:
        case = p.cases.get_case(s, SYSTEM, alarm.case_id)
    assert case.source.value == "sensor"
    assert case.department is not None
    assert case.department.code == "GSGS"
    # the series moves again; after the quiet period the alarm clears
    _varying(p, token, hours=8, end_hours_ago=0)
    p.alarms.runner.process_readings()
    p.clock.advance(timedelta(hours=7))
    p.alarms.runner.tick()
    (alarm,) = [a for a in alarms(p) if a.rule_code == "anomaly.stuck"]
    assert not alarm.active


def test_types_the_detectors_do_not_watch_raise_no_anomaly(city: Platform) -> None:
    p = city
    token = register(p, "BIN-1", type_code="bin_fill")
    t0 = p.clock.now()
    for h in range(40):
        send(p, token, t0 - timedelta(hours=40 - h), fill=50.0 if h > 20 else float(h))
    p.alarms.runner.process_readings()
    assert [a for a in alarms(p) if a.rule_code.startswith("anomaly.")] == []
