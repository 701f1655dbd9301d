"""The alarm runner through the front door, on SQLite and PostgreSQL: readings ingested as a
device sends them, evaluated from the reading log, converged into alarms, turned into cases.

Each test drives the runner's passes by hand (`process_readings`, `tick`,
`check_inactivity`) and the relay (`relay.drain`), as the lease holder's jobs would."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from tests.support.default_city import seed_default_city

from cityops.app import Platform, build_platform
from cityops.cases.public import ActionCommand, CaseAction
from cityops.infra.settings import Settings
from cityops.kernel.actor import SYSTEM, Actor, Role
from cityops.kernel.clock import FixedClock
from cityops.kernel.events import Event
from cityops.sensing.public import (
    AlarmCleared,
    AlarmFilter,
    AlarmRaised,
    AlarmRecord,
    DeviceStatus,
    NewDevice,
)

ORIGIN = (120.121, 30.251)  # inside the generated demo city
PM25_HIGH: dict[str, Any] = {
    "code": "pm25-high",
    "name": "PM2.5 high",
    "severity": "major",
    "scope": {"device_type": "air_quality"},
    "when": {"threshold": {"metric": "pm25", "op": ">", "value": 150}},
    "clear_when": {"threshold": {"metric": "pm25", "op": "<", "value": 100}},
}


@pytest.fixture
def city(settings: Settings, clock: FixedClock) -> Iterator[Platform]:
    p = build_platform(settings, clock=clock, migrate=False)
    seed_default_city(p)
    yield p
    p.close()


def register(p: Platform, code: str, type_code: str = "air_quality", **kw: Any) -> str:
    with p.uow() as uow:
        done = p.sensing.register_device(
            uow.session,
            SYSTEM,
            NewDevice(code=code, type_code=type_code, lon=ORIGIN[0], lat=ORIGIN[1], **kw),
        )
    return done.token


def send(p: Platform, token: str, at: datetime, **values: float) -> None:
    body = json.dumps({"ts": int(at.timestamp() * 1000), "values": values}).encode()
    result = p.sensing.ingestion.from_http(token, body)
    result.committed.result(timeout=10)
    assert result.accepted == len(values), result.problems


def save_rule(p: Platform, body: dict[str, Any]) -> None:
    with p.uow() as uow:
        p.alarms.save_rule(uow, SYSTEM, body)


def alarms(p: Platform, **filters: Any) -> list[AlarmRecord]:
    with p.read() as s:
        return p.alarms.list_alarms(s, SYSTEM, AlarmFilter(**filters), limit=500)[0]


def pending_logs(p: Platform) -> int:
    with p.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM sensing_reading_log")).scalar_one())


def test_a_crossing_raises_one_alarm_that_clears_with_hysteresis(city: Platform) -> None:
    p, t0 = city, city.clock.now()
    save_rule(p, PM25_HIGH)
    token = register(p, "AQ-R1")
    send(p, token, t0 - timedelta(minutes=30), pm25=80)
    send(p, token, t0 - timedelta(minutes=25), pm25=160)
    assert p.alarms.runner.process_readings() > 0
    assert pending_logs(p) == 0  # deleted with the alarm, in its transaction
    (alarm,) = alarms(p)
    assert (alarm.active, alarm.kind, alarm.rule_code, alarm.device_code) == (
        True,
        "rule",
        "pm25-high",
        "AQ-R1",
    )
    assert alarm.values["pm25"] == 160
    # between the clear level and the alarm level: still active (hysteresis), no second alarm
    send(p, token, t0 - timedelta(minutes=20), pm25=120)
    send(p, token, t0 - timedelta(minutes=15), pm25=170)
    p.alarms.runner.process_readings()
    (alarm,) = alarms(p)
    assert alarm.active
    send(p, token, t0 - timedelta(minutes=10), pm25=90)
    p.alarms.runner.process_readings()
    (alarm,) = alarms(p)
    assert not alarm.active
    assert alarm.cleared_at is not None
    with p.read() as s:
        history = [line.action for line in p.alarms.get_alarm(s, SYSTEM, alarm.id).history]
    assert history == ["raised", "cleared"]


def test_repeats_of_a_flapping_alarm_raise_its_count(city: Platform) -> None:
    p, t0 = city, city.clock.now()
    save_rule(p, PM25_HIGH)
    token = register(p, "AQ-FLAP")
    for i in range(12):  # 160, 90, 160, 90 … a minute apart: 12 changes in 12 minutes
        send(p, token, t0 - timedelta(minutes=30 - i), pm25=160 if i % 2 == 0 else 90)
    p.alarms.runner.process_readings()
    found = alarms(p)
    assert len(found) <= 3  # not one alarm per crossing
    latest = max(found, key=lambda a: a.id)
    assert latest.active
    assert latest.flapping
    assert latest.count > 1


def test_many_devices_of_one_area_going_silent_make_one_group_alarm(city: Platform) -> None:
    p, t0 = city, city.clock.now()
    tokens = [register(p, f"AQ-S{i:03d}", inactivity_seconds=600) for i in range(100)]
    for token in tokens:
        send(p, token, t0 - timedelta(minutes=20), pm25=30)
    p.sensing.writer.flush_latest()
    p.alarms.runner.process_readings()
    p.alarms.runner.check_inactivity()
    (group,) = alarms(p, active=True)
    assert group.kind == "group"
    assert len(group.members) == 100
    assert group.fault == "offline"
    # one device reports again: it leaves the group; the others stay in the one alarm
    send(p, tokens[0], t0 - timedelta(seconds=5), pm25=31)
    p.sensing.writer.flush_latest()
    p.alarms.runner.process_readings()
    (group,) = alarms(p, active=True)
    assert len(group.members) == 99
    assert "AQ-S000" not in group.members


def test_a_lone_silent_device_gets_its_own_offline_alarm_cleared_when_data_returns(
    city: Platform,
) -> None:
    p, t0 = city, city.clock.now()
    token = register(p, "AQ-LONE", inactivity_seconds=600)
    send(p, token, t0 - timedelta(minutes=11), pm25=30)  # silent since a minute
    p.sensing.writer.flush_latest()
    p.alarms.runner.check_inactivity()
    assert alarms(p) == []  # it waits the group window, to join a group if one forms
    p.clock.advance(p.alarms.runner.settings.group_window)  # type: ignore[attr-defined]
    p.alarms.runner.check_inactivity()
    (alarm,) = alarms(p, active=True)
    assert (alarm.kind, alarm.device_code, alarm.fault) == ("offline", "AQ-LONE", "offline")
    send(p, token, p.clock.now() - timedelta(seconds=1), pm25=30)
    p.sensing.writer.flush_latest()
    p.alarms.runner.check_inactivity()
    assert alarms(p, active=True) == []


def test_a_device_in_maintenance_raises_nothing(city: Platform) -> None:
    p, t0 = city, city.clock.now()
    save_rule(p, PM25_HIGH)
    token = register(p, "AQ-MAINT", inactivity_seconds=600)
    with p.uow() as uow:
        p.sensing.set_status(uow.session, SYSTEM, "AQ-MAINT", DeviceStatus.maintenance)
    send(p, token, t0 - timedelta(minutes=20), pm25=400)
    p.sensing.writer.flush_latest()
    p.alarms.runner.process_readings()
    p.clock.advance(timedelta(hours=1))
    p.alarms.runner.check_inactivity()
    p.alarms.runner.tick()
    assert alarms(p) == []
    assert pending_logs(p) == 0


def test_alarm_events_go_through_the_outbox_and_the_relay(city: Platform) -> None:
    p, t0 = city, city.clock.now()
    heard: list[Event] = []
    p.bus.subscribe(AlarmRaised, heard.append, name="test.raised")
    p.bus.subscribe(AlarmCleared, heard.append, name="test.cleared")
    save_rule(p, PM25_HIGH)
    token = register(p, "AQ-EV")
    send(p, token, t0 - timedelta(minutes=10), pm25=200)
    send(p, token, t0 - timedelta(minutes=5), pm25=50)
    p.alarms.runner.process_readings()
    with p.engine.connect() as conn:
        names = [
            r[0]
            for r in conn.execute(
                text("SELECT name FROM outbox WHERE name LIKE 'sensing.%' ORDER BY id")
            )
        ]
    assert names == ["sensing.alarm_raised", "sensing.alarm_cleared"]
    p.relay.drain()
    assert [type(e) for e in heard] == [AlarmRaised, AlarmCleared]
    assert isinstance(heard[0], AlarmRaised)
    assert heard[0].device_code == "AQ-EV"


def test_a_battery_fault_opens_a_maintenance_case_for_the_om_unit_and_its_close_marks_the_alarm(
    city: Platform,
) -> None:
    p, t0 = city, city.clock.now()
    save_rule(
        p,
        {
            "code": "battery-low",
            "name": "Battery low",
            "severity": "minor",
            "scope": {"device_type": "manhole_level"},
            "when": {"threshold": {"metric": "battery", "op": "<", "value": 20}},
            "fault": "battery_low",
        },
    )
    token = register(p, "MH-1", type_code="manhole_level", om_department="GSGS")
    send(p, token, t0 - timedelta(minutes=5), level=30, battery=12)
    p.alarms.runner.process_readings()
    p.relay.drain()  # AlarmRaised → the bridge opens the case
    (alarm,) = alarms(p)
    assert alarm.case_id is not None
    assert alarm.case_status == "dispatched"
    with p.read() as s:
        case = p.cases.get_case(s, SYSTEM, alarm.case_id)
    assert case.source.value == "sensor"
    assert case.category_code == "C010801"
    assert case.department is not None
    assert case.department.code == "GSGS"
    assert f"/api/v1/alarms/{alarm.id}" in case.description
    assert "battery" in case.description
    _close(p, alarm.case_id, case.department.id)
    p.relay.drain()  # CaseClosed → the alarm shows it, handled
    (alarm,) = alarms(p)
    assert alarm.case_status == "closed"
    with p.read() as s:
        history = [line.action for line in p.alarms.get_alarm(s, SYSTEM, alarm.id).history]
    assert history[-1] == "handled"
    assert "case_opened" in history
    assert p.alarm_cases.open_due() == []  # one alarm, one case


def test_a_rule_with_a_delay_opens_its_case_once_the_delay_ran_out(city: Platform) -> None:
    p, t0 = city, city.clock.now()
    save_rule(
        p,
        {**PM25_HIGH, "case": {"open": True, "category": "C010601", "after": "10m"}},
    )
    token = register(p, "AQ-CASE")
    send(p, token, t0 - timedelta(minutes=2), pm25=300)
    p.alarms.runner.process_readings()
    p.relay.drain()
    (alarm,) = alarms(p)
    assert alarm.case_id is None  # not yet: 10 minutes after it was raised
    assert p.alarm_cases.open_due() == []
    p.clock.advance(timedelta(minutes=9))
    (case_id,) = p.alarm_cases.open_due()
    (alarm,) = alarms(p)
    assert alarm.case_id == case_id
    assert alarm.case_status == "reported"
    with p.read() as s:
        case = p.cases.get_case(s, SYSTEM, case_id)
    assert (case.source.value, case.category_code) == ("sensor", "C010601")
    assert "pm25" in case.description
    assert "300" in case.description


def test_active_alarms_make_their_evaluators_start_as_firing_after_a_restart(
    city: Platform, settings: Settings, clock: FixedClock
) -> None:
    p, t0 = city, city.clock.now()
    save_rule(p, PM25_HIGH)
    token = register(p, "AQ-RESTART")
    send(p, token, t0 - timedelta(minutes=10), pm25=200)
    p.alarms.runner.process_readings()
    again = build_platform(settings, clock=clock, migrate=False)
    try:
        send(again, token, t0 - timedelta(minutes=8), pm25=210)  # still high: no new alarm
        again.alarms.runner.process_readings()
        send(again, token, t0 - timedelta(minutes=6), pm25=40)
        again.alarms.runner.process_readings()
        (alarm,) = alarms(again)
        assert not alarm.active
    finally:
        again.close()


def _close(p: Platform, case_id: int, department_id: int) -> None:
    handler = Actor(
        user_id=None,
        username="gsgs-h",
        roles=frozenset({Role.handler}),
        department_id=department_id,
        department_code="GSGS",
    )
    checker = Actor(user_id=None, username="disp", roles=frozenset({Role.dispatcher}))
    steps = [
        (handler, CaseAction.sign, {}),
        (handler, CaseAction.finish, {"note": "换了电池"}),
        (checker, CaseAction.verify, {"passed": True}),
    ]
    for actor, action, fields in steps:
        with p.read() as s:
            version = p.cases.get_case(s, SYSTEM, case_id).version
        with p.uow() as uow:
            p.cases.act(uow, actor, case_id, action, ActionCommand(version=version, **fields))
    with p.read() as s:
        assert p.cases.get_case(s, SYSTEM, case_id).status.value == "closed"


def test_an_unacknowledged_alarm_escalates_until_someone_acknowledges_it(city: Platform) -> None:
    p, t0 = city, city.clock.now()
    save_rule(p, {**PM25_HIGH, "severity": "critical"})  # escalates every 15 minutes
    token = register(p, "AQ-ESC")
    send(p, token, t0 - timedelta(minutes=1), pm25=400)
    p.alarms.runner.process_readings()
    p.alarms.runner.escalate()
    (alarm,) = alarms(p)
    assert alarm.escalation == 0
    p.clock.advance(timedelta(minutes=31))
    p.alarms.runner.escalate()
    (alarm,) = alarms(p)
    assert alarm.escalation == 2
    with p.uow() as uow:
        p.alarms.acknowledge(uow, SYSTEM, alarm.id)
    p.clock.advance(timedelta(hours=1))
    p.alarms.runner.escalate()
    (alarm,) = alarms(p)
    assert alarm.escalation == 2
    with p.engine.connect() as conn:
        names = [
            r[0] for r in conn.execute(text("SELECT name FROM outbox WHERE name LIKE 'sensing.%'"))
        ]
    assert names.count("sensing.alarm_escalated") == 1
