"""A firing vital sign with `on_firing: {action: alarm}` raises an area alarm through sensing, on
SQLite and PostgreSQL: one alarm per indicator and area while it fires, its severity following
the alert level, cleared when the indicator resolves or goes without data, and on the alarm API
scoped by its area like a group alarm. Values come from an imported series, so each evaluation's
value is the one the test stored just before it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.support.case_city import OTHER_STREET, STREET, City, build_city

from cityops.app import Platform
from cityops.infra.outbox import UnitOfWork, outbox
from cityops.kernel.actor import SYSTEM
from cityops.kernel.clock import FixedClock
from cityops.kernel.errors import ValidationFailed
from cityops.sensing.public import clear_area_alarm, raise_area_alarm
from cityops.web.app import create_app

DEFS = """
indicators:
  - code: t_depth
    name: {zh: 测试积水, en: Test water depth}
    unit: cm
    category: weather_environment
    source: series
    series: test.depth
    refresh: 1h
    levels: [street]
    direction: higher_is_worse
    thresholds: {blue: 10, yellow: 20, red: 40}
    on_firing: {action: alarm, min_level: blue}
  - code: t_quiet
    name: {zh: 测试无告警, en: Test without alarm}
    unit: cm
    category: weather_environment
    source: series
    series: test.depth
    refresh: 1h
    levels: [street]
    direction: higher_is_worse
    thresholds: {blue: 10}
"""


@pytest.fixture
def city(platform: Platform) -> Iterator[City]:
    with TestClient(create_app(platform)) as client:
        yield build_city(platform, client)


def _step(p: Platform, clock: FixedClock, value: float | None) -> None:
    """Store `value` (None: nothing) in the street half an hour before the next full hour,
    then evaluate at that hour."""
    clock.set(clock.now() + timedelta(minutes=30))
    if value is not None:
        with p.uow() as uow:
            p.vitals.import_series(
                uow.session, SYSTEM, "test.depth", [(STREET, clock.now(), value)]
            )
    clock.set(clock.now() + timedelta(minutes=30, seconds=5))
    with p.uow() as uow:
        p.vitals.evaluate_due(uow, clock.now())
    clock.set(clock.now() - timedelta(seconds=5))


def _alarms(city: City, user: str, **query: Any) -> dict[str, Any]:
    answer = city.client.get(
        "/api/v1/alarms", params={"kind": "area", **query}, headers=city.auth(user)
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _events(p: Platform, prefix: str) -> list[tuple[str, dict[str, Any]]]:
    with p.read() as s:
        rows = s.execute(select(outbox.c.name, outbox.c.payload).order_by(outbox.c.id)).all()
    return [(str(n), dict(payload)) for n, payload in rows if str(n).startswith(prefix)]


def test_a_firing_vital_raises_one_alarm_escalates_it_and_clears_it_on_resolution(
    city: City, platform: Platform, clock: FixedClock
) -> None:
    with platform.uow() as uow:
        platform.vitals.import_definitions(uow.session, SYSTEM, DEFS)
    _step(platform, clock, 15.0)  # 10:00: 15 ≥ blue 10 → firing blue → one alarm, 提示

    page = _alarms(city, "boss")
    assert page["total"] == 1  # t_quiet fires too, but its policy raises nothing
    alarm = page["items"][0]
    assert alarm["kind"] == "area"
    assert alarm["device_code"] == ""
    assert alarm["area_code"] == STREET
    assert alarm["group_key"] == f"vitals:t_depth:{STREET}"
    assert alarm["severity"] == "warning"
    assert alarm["active"] is True
    assert alarm["values"] == {"t_depth": 15.0}
    assert "蓝色预警" in alarm["title"]
    assert "测试积水" in alarm["title"]
    assert [n for n, _ in _events(platform, "sensing.alarm_")] == ["sensing.alarm_raised"]

    _step(platform, clock, 16.0)  # 11:00: still blue, no transition: nothing changes
    assert _alarms(city, "boss")["items"][0]["count"] == 1

    _step(platform, clock, 45.0)  # 12:00: 45 ≥ red 40 → escalated to red: the same alarm, 紧急
    page = _alarms(city, "boss")
    assert page["total"] == 1
    moved = page["items"][0]
    assert (moved["id"], moved["severity"], moved["count"]) == (alarm["id"], "critical", 2)
    assert moved["values"] == {"t_depth": 45.0}
    assert "红色预警" in moved["title"]
    names = [n for n, _ in _events(platform, "sensing.alarm_")]
    assert names == ["sensing.alarm_raised", "sensing.alarm_severity_changed"]

    _step(platform, clock, 5.0)  # 13:00: below every level (resolve after 1) → normal: cleared
    page = _alarms(city, "boss")
    assert page["total"] == 1
    done = page["items"][0]
    assert (done["id"], done["active"], done["severity"]) == (alarm["id"], False, "critical")
    assert done["cleared_at"] is not None
    assert _alarms(city, "boss", active="true")["total"] == 0
    events = _events(platform, "sensing.alarm_")
    assert [n for n, _ in events][-1] == "sensing.alarm_cleared"
    assert events[-1][1]["alarm_id"] == alarm["id"]
    assert events[-1][1]["area_code"] == STREET

    detail = city.client.get(f"/api/v1/alarms/{alarm['id']}", headers=city.auth("boss")).json()
    lines = [(line["action"], line["note"]) for line in detail["history"]]
    assert [a for a, _ in lines] == ["raised", "severity_changed", "cleared"]
    assert lines[1][1].startswith("提示 → 紧急")
    assert lines[2][1] == "指标恢复正常"

    changed = [
        p
        for n, p in _events(platform, "insight.vital_changed")
        if (p["indicator"], p["area_code"]) == ("t_depth", STREET)
    ]
    assert [(p["to_status"], p["action"], p["alarm_id"]) for p in changed] == [
        ("firing", "alarm", alarm["id"]),
        ("firing", "alarm", alarm["id"]),
        ("normal", "clear", alarm["id"]),
    ]

    _step(platform, clock, 25.0)  # 14:00: fires again → a new alarm, 次要 (yellow)
    page = _alarms(city, "boss", active="true")
    assert page["total"] == 1
    assert page["items"][0]["id"] != alarm["id"]
    assert page["items"][0]["severity"] == "minor"


def test_the_alarm_is_cleared_when_the_vital_has_no_data(
    city: City, platform: Platform, clock: FixedClock
) -> None:
    with platform.uow() as uow:
        platform.vitals.import_definitions(uow.session, SYSTEM, DEFS)
    _step(platform, clock, 25.0)  # 10:00: firing yellow
    assert _alarms(city, "boss", active="true")["total"] == 1
    # the point of 09:30 counts until 12:30 (3 intervals); 13:00 and 14:00 miss, 15:00 the third
    for _ in range(4):
        _step(platform, clock, None)
    assert _alarms(city, "boss", active="true")["total"] == 1
    _step(platform, clock, None)  # 16:00: three intervals without a value → NoData: cleared
    page = _alarms(city, "boss")
    assert (page["total"], page["items"][0]["active"]) == (1, False)
    detail = city.client.get(
        f"/api/v1/alarms/{page['items'][0]['id']}", headers=city.auth("boss")
    ).json()
    assert detail["history"][-1]["note"] == "指标无数据"


def test_an_area_alarm_is_seen_within_its_area_only(
    city: City, platform: Platform, clock: FixedClock
) -> None:
    with platform.uow() as uow:
        platform.vitals.import_definitions(uow.session, SYSTEM, DEFS)
    _step(platform, clock, 15.0)
    alarm_id = _alarms(city, "boss")["items"][0]["id"]
    assert _alarms(city, "insp")["total"] == 1  # the inspector of the street
    assert _alarms(city, "insp_west")["total"] == 0  # the inspector of a street elsewhere
    assert _alarms(city, "h_cgj")["total"] == 0  # a handler sees its department's devices only
    hidden = city.client.get(f"/api/v1/alarms/{alarm_id}", headers=city.auth("insp_west"))
    assert hidden.status_code == 404
    # the alarm runner's book leaves it alone: its origin decides when it ends
    runner = platform.alarms.runner
    runner.reload()
    runner.tick()
    runner.check_inactivity()
    runner.reconcile()
    assert _alarms(city, "boss", active="true")["total"] == 1
    # people handle it as any alarm: acknowledged, then cleared by hand
    ack = city.client.post(f"/api/v1/alarms/{alarm_id}/ack", headers=city.auth("disp"))
    assert ack.status_code == 200, ack.text
    cleared = city.client.post(
        f"/api/v1/alarms/{alarm_id}/clear", json={"note": "已处置"}, headers=city.auth("disp")
    )
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["active"] is False
    _step(platform, clock, 5.0)  # resolved: nothing left to clear, nothing raised
    assert _alarms(city, "boss")["total"] == 1


def _raise(uow: UnitOfWork, key: str, severity: str, at: datetime, area: str = STREET) -> int:
    change = raise_area_alarm(
        uow,
        origin="test",
        key=key,
        area_code=area,
        severity=severity,
        title_zh="测试区域告警",
        at=at,
    )
    return change.alarm_id


def test_raise_and_clear_are_idempotent_per_key(
    city: City, platform: Platform, clock: FixedClock
) -> None:
    at = clock.now()
    with platform.uow() as uow:
        first = _raise(uow, "k1", "minor", at)
        again = _raise(uow, "k1", "minor", at)  # active: the same alarm, counted
        other = _raise(uow, "k2", "minor", at, OTHER_STREET)
    assert first == again != other
    with platform.uow() as uow:
        done = clear_area_alarm(uow, origin="test", key="k1", at=at)
        twice = clear_area_alarm(uow, origin="test", key="k1", at=at)
        never = clear_area_alarm(uow, origin="test", key="nope", at=at)
    assert done is not None
    assert (done.alarm_id, done.cleared) == (first, True)
    assert twice is None
    assert never is None
    page = _alarms(city, "boss")
    counts = {a["id"]: (a["count"], a["active"]) for a in page["items"]}
    assert counts == {first: (2, False), other: (1, True)}
    assert [n for n, _ in _events(platform, "sensing.alarm_")] == [
        "sensing.alarm_raised",
        "sensing.alarm_raised",
        "sensing.alarm_cleared",
    ]
    for origin, key, severity in (("Bad Origin", "k", "minor"), ("test", "", "minor"),
                                  ("test", "k", "red")):  # fmt: skip
        with platform.uow() as uow, pytest.raises(ValidationFailed):
            raise_area_alarm(
                uow,
                origin=origin,
                key=key,
                area_code=STREET,
                severity=severity,
                title_zh="x",
                at=at,
            )
