"""The sensing and appeals sources of the city vital signs over real rows, on SQLite and
PostgreSQL: devices registered in two streets of two districts, readings sent through sensing's
ingestion (the device's token, the writer, the latest values), the rollup job and the alarm
runner run; hotline cases driven through the HTTP workflow to closed and visited. Each value is
checked per street, per district and for the city against figures worked out by hand in the
comments — the city's mean is over all its readings, not a mean of the streets' means."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from tests.support.case_city import (
    GRID,
    LAMP,
    LEAK,
    LITTER,
    OTHER_GRID,
    OTHER_STREET,
    STREET,
    City,
    build_city,
)

from cityops.app import Platform
from cityops.kernel.actor import SYSTEM, Actor, Role
from cityops.kernel.clock import SHANGHAI, FixedClock
from cityops.sensing.public import NewDevice, raise_area_alarm
from cityops.web.app import create_app

BOSS = Actor(user_id=1, username="boss", roles=frozenset({Role.leader}))
EAST, WEST = STREET[:6], OTHER_STREET[:6]  # 东湖区 holds STREET, 西岭区 OTHER_STREET

SENSING_DEFS = """
indicators:
  - {code: s_mean, name: {zh: 均值, en: Mean}, unit: "", category: weather_environment,
     source: sensing, metric: pm25, aggregation: mean, refresh: 1h,
     levels: [city, district, street], direction: higher_is_worse}
  - {code: s_max, name: {zh: 最大, en: Max}, unit: "", category: weather_environment,
     source: sensing, metric: pm25, aggregation: max, refresh: 1h,
     levels: [city, district, street], direction: higher_is_worse}
  - {code: s_min, name: {zh: 最小, en: Min}, unit: "", category: weather_environment,
     source: sensing, metric: pm25, aggregation: min, refresh: 1h,
     levels: [city, district, street], direction: higher_is_worse}
  - {code: s_sum30, name: {zh: 合计, en: Sum}, unit: "", category: weather_environment,
     source: sensing, metric: pm25, aggregation: sum, window: 30m, refresh: 1h,
     levels: [city, district, street], direction: higher_is_worse}
  - {code: s_last, name: {zh: 最新, en: Last}, unit: "", category: weather_environment,
     source: sensing, metric: pm25, aggregation: last, refresh: 1h,
     levels: [city, district, street], direction: higher_is_worse}
  - {code: s_above, name: {zh: 超限数, en: Above}, unit: "", category: weather_environment,
     source: sensing, metric: pm25, aggregation: count_above, above: 45, refresh: 1h,
     levels: [city, district, street], direction: higher_is_worse}
  - {code: s_alarms, name: {zh: 告警数, en: Alarms}, unit: "", category: weather_environment,
     source: sensing, metric: pm25, aggregation: active_alarms, refresh: 1h,
     levels: [city, district, street], direction: higher_is_worse}
  - {code: s_alarms_any, name: {zh: 告警总数, en: All alarms}, unit: "",
     category: weather_environment, source: sensing, metric: "*", aggregation: active_alarms,
     refresh: 1h, levels: [city, district, street], direction: higher_is_worse}
  - {code: s_online, name: {zh: 在线率, en: Online}, unit: ratio, category: facilities,
     source: sensing, metric: "*", aggregation: online_share, refresh: 1h,
     levels: [city, district, street], direction: higher_is_better}
  - {code: s_tpi, name: {zh: 拥堵指数, en: TPI}, unit: "", category: traffic,
     source: sensing, metric: speed, aggregation: traffic_index, window: 15m, refresh: 15m,
     levels: [city, district, street], direction: higher_is_worse}
  - {code: s_iaqi, name: {zh: 分指数, en: IAQI}, unit: "", category: weather_environment,
     source: sensing, metric: pm25, aggregation: mean, iaqi: pm25_24h, refresh: 1h,
     levels: [city, district, street], direction: higher_is_worse}
"""
APPEAL_DEFS = """
indicators:
  - {code: a_accepted, name: {zh: 受理量, en: Accepted}, unit: 件, category: city_order,
     source: appeals, metric: accepted, refresh: 1h,
     levels: [city, district, street], direction: higher_is_worse}
  - {code: a_satisfaction, name: {zh: 满意率, en: Satisfaction}, unit: ratio,
     category: city_order, source: appeals, metric: satisfaction_rate, refresh: 1h,
     levels: [city, district, street], direction: higher_is_better}
  - {code: a_contact, name: {zh: 联系率, en: Contact}, unit: ratio, category: city_order,
     source: appeals, metric: contact_rate, refresh: 1h,
     levels: [city, district, street], direction: higher_is_better}
  - {code: a_reply, name: {zh: 回复率, en: Reply}, unit: ratio, category: city_order,
     source: appeals, metric: reply_rate, refresh: 1h,
     levels: [city, district, street], direction: higher_is_better}
"""
PM25_HIGH = {
    "code": "pm25-high",
    "name": "PM2.5 high",
    "severity": "major",
    "scope": {"device_type": "air_quality"},
    "when": {"threshold": {"metric": "pm25", "op": ">", "value": 80}},
    "clear_when": {"threshold": {"metric": "pm25", "op": "<", "value": 60}},
}
PM10_HIGH = {
    "code": "pm10-high",
    "name": "PM10 high",
    "severity": "minor",
    "scope": {"device_type": "air_quality"},
    "when": {"threshold": {"metric": "pm10", "op": ">", "value": 150}},
}


@pytest.fixture
def city(platform: Platform) -> Iterator[City]:
    with TestClient(create_app(platform)) as client:
        yield build_city(platform, client)


def _register(city: City, code: str, type_code: str, area: str, **kw: int) -> str:
    lon, lat = city.point_in(area)
    with city.platform.uow() as uow:
        done = city.platform.sensing.register_device(
            uow.session, SYSTEM, NewDevice(code, type_code, lon, lat, **kw)
        )
    return done.token


def _send(p: Platform, token: str, readings: list[tuple[datetime, dict[str, float]]]) -> None:
    """One HTTP telemetry payload (a batch) through the ingestion, answered after COMMIT."""
    body = json.dumps(
        [{"ts": int(at.timestamp() * 1000), "values": values} for at, values in readings]
    ).encode()
    result = p.sensing.ingestion.from_http(token, body)
    result.committed.result(timeout=10)
    assert result.problems == []
    assert result.accepted == sum(len(v) for _, v in readings)


def _import(p: Platform, text: str) -> None:
    with p.uow() as uow:
        p.vitals.import_definitions(uow.session, SYSTEM, text)


def _values(p: Platform, code: str) -> dict[str, float | None]:
    """The indicator's value in the city (key "city"), both districts and both streets."""
    out: dict[str, float | None] = {}
    with p.read() as s:
        for key, area in (("city", None), (EAST, EAST), (WEST, WEST)):
            board = p.vitals.board(s, BOSS, area=area)
            out[key] = next(i.value for i in board.items if i.code == code)
        for street in (STREET, OTHER_STREET):
            board = p.vitals.board(s, BOSS, area=street)
            out[street] = next(i.value for i in board.items if i.code == code)
    return out


def _expect(city_value: float, east: float | None, west: float | None) -> dict[str, object]:
    """City, then each district equal to its one street with devices."""
    return {
        "city": pytest.approx(city_value),
        EAST: east if east is None else pytest.approx(east),
        WEST: west if west is None else pytest.approx(west),
        STREET: east if east is None else pytest.approx(east),
        OTHER_STREET: west if west is None else pytest.approx(west),
    }


def test_sensing_values_from_ingested_readings(
    city: City, platform: Platform, clock: FixedClock
) -> None:
    p = platform
    _import(p, SENSING_DEFS)
    with p.uow() as uow:
        p.alarms.save_rule(uow, SYSTEM, PM25_HIGH)
        p.alarms.save_rule(uow, SYSTEM, PM10_HIGH)
    # 东湖区 / STREET: two air stations (A1 silent after 10 minutes), two flow sensors;
    # 西岭区 / OTHER_STREET: one air station, one that never reports, eight flow sensors
    a1 = _register(city, "AQ-A1", "air_quality", GRID, inactivity_seconds=600)
    a2 = _register(city, "AQ-A2", "air_quality", GRID)
    b1 = _register(city, "AQ-B1", "air_quality", OTHER_GRID)
    _register(city, "AQ-B2", "air_quality", OTHER_GRID)
    flows = [_register(city, f"TF-A{i}", "traffic_flow", GRID) for i in range(2)]
    flows += [_register(city, f"TF-B{i}", "traffic_flow", OTHER_GRID) for i in range(8)]

    nine = clock.now()  # 09:00 Shanghai; the evaluation is at 10:00
    at = nine.replace
    clock.set(nine + timedelta(hours=1, seconds=30))  # the readings arrive at 10:00:30
    _send(p, a1, [(at(minute=10), {"pm25": 30}), (at(minute=20), {"pm25": 40}),
                  (at(minute=40), {"pm25": 50})])  # fmt: skip
    _send(p, a2, [(at(minute=45), {"pm25": 100, "pm10": 200})])
    _send(p, b1, [(at(minute=15), {"pm25": 10}), (at(minute=50), {"pm25": 20, "pm10": 180})])
    _send(p, a2, [(nine - timedelta(minutes=5), {"pm25": 900})])  # 08:55: before every window
    speeds = [10.0, 50.0] + [45.0] * 8  # km/h: only TF-A0 is congested (主干路 ≤ 20)
    for token, speed in zip(flows[:-1], speeds, strict=False):
        _send(p, token, [(at(minute=59), {"speed": speed, "intensity": 12})])
    # TF-B7's newest reading came after the instant, before the job ran: it still counts
    _send(p, flows[-1], [(nine + timedelta(hours=1, seconds=10), {"speed": 45.0, "intensity": 12})])
    p.sensing.writer.flush_latest()
    p.sensing.rollup.run()  # the first run rolls up the whole lateness window (2 h)
    # AQ-A2's pm25 100 > 80: one pm25 alarm in STREET; pm10 above 150: one pm10 alarm each of
    # AQ-A2 (STREET) and AQ-B1 (OTHER_STREET), devices that report pm25 too
    p.alarms.runner.process_readings()
    # an area's own alarm (as the vital signs raise) is no device alarm: not counted
    with p.uow() as uow:
        raise_area_alarm(
            uow,
            origin="test",
            key="west",
            area_code=OTHER_STREET,
            severity="major",
            title_zh="区域告警",
            at=clock.now(),
        )
    with p.uow() as uow:
        report = p.vitals.evaluate_due(uow, clock.now())
    assert report.errors == ()

    # readings in [09:00, 10:00): STREET 30, 40, 50, 100 (4); OTHER_STREET 10, 20 (2)
    # mean: STREET 220/4 = 55, OTHER 30/2 = 15, city 250/6 = 41.67 (not (55 + 15)/2 = 35)
    assert _values(p, "s_mean") == _expect(250 / 6, 55.0, 15.0)
    assert _values(p, "s_max") == _expect(100.0, 100.0, 20.0)
    assert _values(p, "s_min") == _expect(10.0, 30.0, 10.0)
    # [09:30, 10:00), minute buckets: STREET 50 + 100, OTHER 20
    assert _values(p, "s_sum30") == _expect(170.0, 150.0, 20.0)
    # the newest reading in the hour: STREET AQ-A2's 100 at 09:45, OTHER (and city) 20 at 09:50
    assert _values(p, "s_last") == _expect(20.0, 100.0, 20.0)
    # online devices with a latest value ≥ 45: AQ-A2 (100); AQ-A1's 50 is 20 min old, beyond
    # its 10-minute timeout
    assert _values(p, "s_above") == _expect(1.0, 1.0, 0.0)
    # alarms about pm25 only: AQ-A2's pm10 alarm and AQ-B1's are about another metric
    assert _values(p, "s_alarms") == _expect(1.0, 1.0, 0.0)
    # `*`: every device alarm, whatever its metric (the area's own alarm still not counted)
    assert _values(p, "s_alarms_any") == _expect(3.0, 2.0, 1.0)
    # online of the active devices (any metric): STREET AQ-A2 + 2 flow of 4 = 0.75; OTHER AQ-B1
    # + 8 flow of 10 = 0.9 (AQ-B2 never reported); city 12/14
    assert _values(p, "s_online") == _expect(12 / 14, 0.75, 0.9)
    # TPI, equal segments: STREET 1 of 2 congested = 0.5 → beyond 0.24 → 10; OTHER 0 → 0;
    # city 1 of 10 = 0.1 → 4 + 2 × (0.10 − 0.08)/(0.11 − 0.08) = 5.33 → 5.3 (one decimal)
    assert _values(p, "s_tpi") == _expect(5.3, 10.0, 0.0)
    # IAQI of PM2.5 (24 h breakpoints 35 → 50, 75 → 100), rounded up:
    # STREET 55 → 50 + 50 × 20/40 = 75; OTHER 15 → 50 × 15/35 = 21.4 → 22;
    # city 41.67 → 50 + 50 × 6.67/40 = 58.3 → 59
    assert _values(p, "s_iaqi") == _expect(59.0, 75.0, 22.0)


def test_appeal_values_from_cases_and_follow_up_visits(
    city: City, platform: Platform, clock: FixedClock
) -> None:
    p = platform
    _import(p, APPEAL_DEFS)

    def closed(category: str, grid: str, handler: str, late: bool = False) -> dict[str, object]:
        case = city.act("disp", city.act("op", city.create(category_code=category,
                                                           area_code=grid), "register"),
                        "dispatch")  # fmt: skip
        case = city.act(handler, case, "sign")
        if late:  # urgent: 2 calendar hours from 受理 to 办结; this one takes 3
            clock.set(clock.now() + timedelta(hours=3))
        case = city.act(handler, case, "finish", note="已处置")
        case = city.act("disp", case, "verify", passed=True)
        assert case["status"] == "closed"
        return case

    nine = clock.now()
    # STREET: a satisfied, b basically satisfied (not resolved), c not reached
    a = closed(LAMP, GRID, "h_cgj")
    b = closed(LAMP, GRID, "h_cgj")
    c = closed(LITTER, GRID, "h_street")
    # OTHER_STREET: e, f satisfied; d urgent and handled late, unsatisfied
    e = closed(LAMP, OTHER_GRID, "h_cgj")
    f = closed(LAMP, OTHER_GRID, "h_cgj")
    d = closed(LEAK, OTHER_GRID, "h_water", late=True)  # the clock is now 12:00
    for case, answers in [
        (a, {"contacted": True, "resolved": True, "satisfaction": "satisfied"}),
        (b, {"contacted": True, "resolved": False, "satisfaction": "basically_satisfied"}),
        (c, {"contacted": False}),
        (e, {"contacted": True, "resolved": True, "satisfaction": "satisfied"}),
        (f, {"contacted": True, "resolved": True, "satisfaction": "satisfied"}),
        (d, {"contacted": True, "resolved": True, "satisfaction": "unsatisfied"}),
    ]:
        city.act("op", city.get("op", int(str(case["id"]))), "evaluate", **answers)
    p.relay.drain()  # the visits are copied from the evaluations after commit
    # accepted in the hour: 2 hotline cases in STREET, 1 in OTHER_STREET at 12:10, one
    # inspector's report (not 12345) beside them; the six above were reported at 09:00
    clock.set(nine + timedelta(hours=3, minutes=10))
    for grid in (GRID, GRID, OTHER_GRID):
        city.create(area_code=grid)
    city.create(user="insp", source="inspector", area_code=GRID)
    clock.set(nine + timedelta(hours=4, seconds=30))
    with p.uow() as uow:
        report = p.vitals.evaluate_due(uow, clock.now())  # at 13:00
    assert report.errors == ()

    assert _values(p, "a_accepted") == _expect(3.0, 2.0, 1.0)
    # 联系率 (已联系/回访): STREET 2/3, OTHER 3/3, city 5/6 (not (2/3 + 1)/2 = 5/6 by chance:
    # see the 满意率)
    assert _values(p, "a_contact") == _expect(5 / 6, 2 / 3, 1.0)
    # 满意率 ((满意 + 0.9 × 基本满意)/评价数): STREET (1 + 0.9)/2 = 0.95, OTHER 2/3,
    # city (3 + 0.9)/5 = 0.78 — a mean of the streets would be 0.808
    assert _values(p, "a_satisfaction") == _expect(3.9 / 5, 0.95, 2 / 3)
    # 回复率 (按时响应/应响应): every case handled in time but d (3 h for 2): STREET 3/3,
    # OTHER 2/3, city 5/6
    assert _values(p, "a_reply") == _expect(5 / 6, 1.0, 2 / 3)


LAMP_DEFS = """
indicators:
  - {code: s_lamps, name: {zh: 亮灯率, en: Lamps on}, unit: ratio, category: facilities,
     source: sensing, metric: lamp_on, aggregation: mean, refresh: 1h,
     levels: [city, district, street], direction: higher_is_better,
     thresholds: {orange: 0.9}, active_hours: "18:00-06:00"}
  - {code: s_lamps_all_day, name: {zh: 亮灯率, en: Lamps on}, unit: ratio,
     category: facilities, source: sensing, metric: lamp_on, aggregation: mean, refresh: 1h,
     levels: [city, district, street], direction: higher_is_better,
     thresholds: {orange: 0.9}}
"""


def test_an_indicator_with_active_hours_is_evaluated_only_inside_them(
    city: City, platform: Platform, clock: FixedClock
) -> None:
    p = platform
    _import(p, LAMP_DEFS)
    lamp = _register(city, "SL-A1", "street_light", GRID)
    noon = clock.now().astimezone(SHANGHAI).replace(hour=12).astimezone(UTC)
    clock.set(noon + timedelta(seconds=30))
    _send(p, lamp, [(noon - timedelta(minutes=m), {"lamp_on": 0.0}) for m in (50, 30, 10)])
    p.sensing.writer.flush_latest()
    p.sensing.rollup.run()
    with p.uow() as uow:
        report = p.vitals.evaluate_due(uow, clock.now())
    # by day the lamps are off by design: only the all-day twin is judged (and goes orange);
    # the catalogue's streetlight_on_rate (18:00-06:00) is not due either
    assert "s_lamps" not in report.evaluated
    assert "streetlight_on_rate" not in report.evaluated
    assert "s_lamps_all_day" in report.evaluated
    assert _values(p, "s_lamps_all_day") == _expect(0.0, 0.0, None)
    with p.read() as s:
        board = p.vitals.board(s, BOSS, area=STREET)
    lamps = {i.code: i for i in board.items}
    assert lamps["s_lamps"].value is None
    assert lamps["s_lamps_all_day"].level == "orange"

    eight = noon + timedelta(hours=8)  # 20:00 Shanghai
    clock.set(eight + timedelta(seconds=30))
    _send(p, lamp, [(eight - timedelta(minutes=m), {"lamp_on": 1.0}) for m in (50, 30, 10)])
    p.sensing.writer.flush_latest()
    p.sensing.rollup.run()
    with p.uow() as uow:
        report = p.vitals.evaluate_due(uow, clock.now())
    assert {"s_lamps", "s_lamps_all_day", "streetlight_on_rate"} <= set(report.evaluated)
    assert _values(p, "s_lamps") == _expect(1.0, 1.0, None)
    # its 15 minutes, 19:45-20:00, hold the 19:50 reading
    assert _values(p, "streetlight_on_rate") == _expect(1.0, 1.0, None)
    with p.read() as s:
        board = p.vitals.board(s, BOSS, area=STREET)
    lamps = {i.code: i for i in board.items}
    assert (lamps["s_lamps"].value, lamps["s_lamps"].level) == (1.0, None)
