"""The demo's sensing on SQLite and PostgreSQL: devices of every shipped type placed in the demo
city with their O&M units, the demo rule set saved, and a short simulated run through the
ingestion front door that stores points, raises alarms from the injected faults and the storm,
and opens sensor cases. The runner's passes and the relay are driven by hand, as the lease
holder's jobs would run them (tests/integration/sensing/test_alarm_runner.py)."""

from __future__ import annotations

import gzip
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from tests.support.default_city import seed_default_city

from cityops.app import Platform, build_platform
from cityops.demo.sensing import BEIJING_STATIONS, DEVICE_PASSWORD, seed_demo_sensing
from cityops.demo.sensing_sim.air import DEFAULT_REPLAY_FROM, AirSource
from cityops.demo.sensing_sim.driver import build_simulation
from cityops.demo.sensing_sim.senders import InProcessSender
from cityops.infra.settings import Settings
from cityops.kernel.actor import SYSTEM
from cityops.kernel.clock import FixedClock
from cityops.sensing.public import AlarmFilter, AlarmRecord, shipped_types


@pytest.fixture
def city(settings: Settings, clock: FixedClock) -> Iterator[Platform]:
    p = build_platform(settings, clock=clock, migrate=False)
    seed_default_city(p)
    yield p
    p.close()


def _alarms(p: Platform) -> list[AlarmRecord]:
    with p.read() as s:
        return p.alarms.list_alarms(s, SYSTEM, AlarmFilter(), limit=500)[0]


def test_the_demo_registers_devices_of_every_shipped_type_in_areas_and_its_rules(
    city: Platform,
) -> None:
    p = city
    summary = seed_demo_sensing(p, scale=0.1)
    assert set(summary.devices) == {kind.code for kind in shipped_types()}
    assert summary.devices["air_quality"] == len(BEIJING_STATIONS) == 12
    with p.read() as s:
        devices, total = p.sensing.list_devices(s, SYSTEM, limit=1000)
        streets = {a.code for a in p.geo.list_areas(s)}
        departments = {d.code for d in p.org.list_departments(s)}
        rules = {r.rule.code for r in p.alarms.list_rules(s, SYSTEM)}
    assert total == sum(summary.devices.values())
    assert all(d.area_code for d in devices)
    assert {d.area_code[:9] for d in devices if d.type_code == "air_quality"} <= streets
    assert all(d.om_department in departments for d in devices)
    assert all(d.owner_department in departments for d in devices)  # the default city has them
    assert rules == set(summary.rules)
    assert {"pm25-heavy", "manhole-overflow", "bin-full", "elevator-trapped"} <= rules
    kept = p.sensing.directory.password_of("MH-0001")  # for MQTT and HJ 212, hashed
    assert kept is not None
    assert DEVICE_PASSWORD not in kept


def test_a_short_simulated_run_stores_points_raises_alarms_and_opens_sensor_cases(
    city: Platform, clock: FixedClock
) -> None:
    p = city
    seed_demo_sensing(p, scale=0.1)
    start = clock.now()
    # the platform's clock is the simulated one here: rate 1, readings stamped at sim time
    sim, tokens = build_simulation(p, data_dir=None, sim_start=start, start=start, rate=1.0)
    sender = InProcessSender(p.sensing.ingestion, tokens)
    runner = p.alarms.runner
    storm_area = sim.events.victims.storm_area
    for minute in range(100):  # 100 simulated minutes, one step a minute
        at = start + timedelta(minutes=minute)
        clock.set(at)
        sender.send(sim.step(at, at))
        runner.process_readings()
        if minute % 5 == 0:
            runner.tick()
            p.sensing.writer.flush_latest()
            runner.check_inactivity()
            p.relay.drain()
            p.alarm_cases.open_due()
    runner.process_readings()
    p.relay.drain()
    sim.close()

    assert sender.counts["points"] > 5000
    assert set(sender.counts) == {"points"}, sender.counts  # nothing refused
    with p.engine.connect() as conn:
        stored = int(conn.execute(text("SELECT count(*) FROM sensing_points")).scalar_one())
    assert stored == sender.counts["points"]
    found = _alarms(p)
    by_rule = Counter(a.rule_code or a.kind for a in found)
    # the storm: many gauges of one street over their threshold for 10 minutes
    storm = [a for a in found if a.rule_code == "manhole-overflow"]
    assert len(storm) >= 2, by_rule
    assert all(a.device_code and a.device_code.startswith("MH-") for a in storm)
    # the injected faults
    assert by_rule["elevator-trapped"] >= 1, by_rule
    assert by_rule["manhole-stuck"] == 1, by_rule
    assert by_rule["battery-low-manhole-level"] == 1, by_rule
    assert any(a.fault == "offline" for a in found), by_rule
    assert storm_area
    # cases: the rules with a case policy open sensor cases in their categories
    case_ids = [a.case_id for a in found if a.case_id is not None]
    with p.read() as s:
        categories = {p.cases.get_case(s, SYSTEM, case_id).category_code for case_id in case_ids}
    assert {"E050302", "A010104"} <= categories, categories
    assert "C010801" in categories  # a device fault: a maintenance case for the O&M unit


def test_the_beijing_replay_sends_the_stations_rows_and_skips_missing_values(
    shared_data: Path,
) -> None:
    folder = shared_data / "beijing_air_quality"
    (path,) = folder.glob("PRSA_Data_Dongsi_*.csv.gz")
    wanted = DEFAULT_REPLAY_FROM
    rows: dict[tuple[int, ...], list[str]] = {}
    with gzip.open(path, "rt") as handle:
        header = handle.readline().strip().replace('"', "").split(",")
        for line in handle:
            cells = line.strip().replace('"', "").split(",")
            key = tuple(int(c) for c in cells[1:5])
            if key[:3] in ((2016, 12, 14), (2016, 12, 15)):
                rows[key] = cells
    source = AirSource({"AQ-DONGSI": "Dongsi"}, shared_data)
    assert source.real
    sim_start = FixedClock(wanted).now().replace(year=2030)
    try:
        for hour in range(30):
            at = sim_start + timedelta(hours=hour)
            values = source.values_at("AQ-DONGSI", at, sim_start)
            local = (wanted + timedelta(hours=hour)).timetuple()
            cells = rows[(local.tm_year, local.tm_mon, local.tm_mday, local.tm_hour)]
            row = dict(zip(header, cells, strict=True))
            if row["PM2.5"] == "NA":
                assert "pm25" not in values
            else:
                assert values["pm25"] == float(row["PM2.5"])
            if row["CO"] != "NA":
                assert values["co"] == pytest.approx(float(row["CO"]) / 1000)
    finally:
        source.close()
