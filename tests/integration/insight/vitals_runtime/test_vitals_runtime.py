"""City vital signs end to end on both databases: values read from rows the test writes through
the front doors (cases over HTTP, devices and series through their services), states kept across
runs, transitions in the outbox, one case per firing, definitions and series imports, area
scoping of the reads and catch-up after downtime. Expected figures are worked out in comments."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.support.case_city import GRID, LITTER, OTHER_STREET, STREET, City, build_city

from cityops.app import Platform
from cityops.cases.store import cases
from cityops.demo.vitals import evaluate_demo_vitals, seed_demo_series
from cityops.infra.outbox import outbox
from cityops.insight.public import DefinitionError, VitalBoard
from cityops.insight.vitals_runtime.store import values as vital_values
from cityops.kernel.actor import SYSTEM, Actor, Role
from cityops.kernel.clock import SHANGHAI, FixedClock
from cityops.kernel.errors import NotFound, PermissionDenied, ValidationFailed
from cityops.sensing.public import NewDevice
from cityops.web.app import create_app

BOSS = Actor(user_id=1, username="boss", roles=frozenset({Role.leader}))
BOSS_EAST = Actor(
    user_id=2, username="boss_east", roles=frozenset({Role.leader}), area_codes=(STREET,)
)
TEST_DEFS = f"""
indicators:
  - code: t_reported
    name: {{zh: 测试受理数, en: Test reported}}
    unit: 件
    category: city_order
    source: cases
    metric: reported
    refresh: 1h
    levels: [city, district, street]
    direction: higher_is_worse
  - code: t_registration
    name: {{zh: 测试立案率, en: Test registration rate}}
    unit: ""
    category: city_order
    source: cases
    metric: registration_rate
    refresh: 1h
    levels: [city, district, street]
    direction: higher_is_worse
    thresholds: {{blue: 0.5, red: 0.9}}
    for_evaluations: 2
    on_firing: {{action: case, min_level: blue, category: {LITTER}}}
"""


@pytest.fixture
def city(platform: Platform) -> Iterator[City]:
    with TestClient(create_app(platform)) as client:
        yield build_city(platform, client)


def _import(p: Platform, text: str = TEST_DEFS) -> int:
    with p.uow() as uow:
        return p.vitals.import_definitions(uow.session, SYSTEM, text).definitions.version


def _evaluate(p: Platform, clock: FixedClock, hours: float) -> None:
    clock.set(clock.now() + timedelta(hours=hours))
    with p.uow() as uow:
        p.vitals.evaluate_due(uow, clock.now())


def _board(p: Platform, area: str | None = None, actor: Actor = BOSS) -> VitalBoard:
    with p.read() as s:
        return p.vitals.board(s, actor, area=area)


def _value(board: VitalBoard, code: str) -> float | None:
    return next(i for i in board.items if i.code == code).value


def _three_cases_two_registered(city: City) -> None:
    made = [city.create(area_code=GRID) for _ in range(3)]
    for case in made[:2]:
        city.act("op", case, "register")


def test_case_values_states_and_one_case_per_firing(
    city: City, platform: Platform, clock: FixedClock
) -> None:
    _import(platform)
    _three_cases_two_registered(city)  # reported at 09:00 Shanghai
    before = _count_cases(platform)
    _evaluate(platform, clock, 1.01)  # due at 10:00: reported in [09:00, 10:00) → 3
    street = _board(platform, STREET)
    assert _value(street, "t_reported") == 3.0
    assert _value(street, "t_registration") == pytest.approx(2 / 3)  # 2 registered / 3
    state = next(i for i in street.items if i.code == "t_registration")
    assert (state.status, state.level) == ("pending", "blue")  # 0.67 ≥ 0.5, needs 2 in a row
    other = _board(platform, OTHER_STREET)
    assert _value(other, "t_reported") == 0.0
    assert _value(other, "t_registration") is None  # nothing reported: nothing to measure
    city_board = _board(platform)
    assert _value(city_board, "t_reported") == 3.0
    assert _count_cases(platform) == before  # pending opens nothing

    _evaluate(platform, clock, 1)  # 11:00: month to date still 2/3 → firing, one case
    state = next(i for i in _board(platform, STREET).items if i.code == "t_registration")
    assert (state.status, state.level) == ("firing", "blue")
    # the city and the district hold the same 3 cases, so they fire too: one case per area
    assert _count_cases(platform) == before + 3
    _evaluate(platform, clock, 1)  # 12:00: still firing → no new case
    assert _count_cases(platform) == before + 3
    with platform.read() as s:
        names = s.execute(select(outbox.c.name, outbox.c.payload)).all()
    changed = [p for n, p in names if n == "insight.vital_changed"]
    fired = [
        p
        for p in changed
        if (p["indicator"], p["area_code"], p["to_status"]) == ("t_registration", STREET, "firing")
    ]
    assert len(fired) == 1
    assert fired[0]["action"] == "case"
    assert fired[0]["case_id"] is not None


def _count_cases(p: Platform) -> int:
    with p.read() as s:
        return int(s.execute(select(func.count()).select_from(cases)).scalar_one())


def test_catch_up_evaluates_only_the_latest_due_instant(
    city: City, platform: Platform, clock: FixedClock
) -> None:
    _import(platform)
    _evaluate(platform, clock, 1.01)  # 10:00
    _evaluate(platform, clock, 5.5)  # 15:30 after downtime: only 15:00, not 11:00 … 14:00
    _evaluate(platform, clock, 0.1)  # 15:36: nothing due
    with platform.read() as s:
        instants = s.execute(
            select(vital_values.c.at)
            .where(vital_values.c.indicator == "t_reported", vital_values.c.area_code == STREET)
            .order_by(vital_values.c.at)
        ).scalars()
        local = [a.astimezone(SHANGHAI).hour for a in instants]
    assert local == [10, 15]


def test_definitions_import_bumps_the_version_and_a_refused_one_changes_nothing(
    city: City, platform: Platform
) -> None:
    with platform.read() as s:
        version, _ = platform.vitals.definitions_yaml(s, SYSTEM)
    assert version == 1  # the shipped catalogue
    assert _import(platform) == 2
    assert _import(platform) == 2  # the same definitions again: no new version
    bad = TEST_DEFS.replace("metric: reported", "metric: nonsense")
    with pytest.raises(DefinitionError) as refused:
        _import(platform, bad)
    assert refused.value.indicator == "t_reported"
    assert refused.value.field == "metric"
    with platform.read() as s:
        version, text = platform.vitals.definitions_yaml(s, SYSTEM)
    assert version == 2
    assert "metric: reported" in text
    with platform.read() as s, pytest.raises(PermissionDenied) as denied:
        platform.vitals.import_definitions(s, BOSS, TEST_DEFS)
    assert denied.value.code == "vital_definitions_forbidden"


def test_series_import_feeds_its_indicator(
    city: City, platform: Platform, clock: FixedClock
) -> None:
    root = _board(platform).area_code
    at = clock.now() - timedelta(minutes=10)
    with platform.uow() as uow:
        stored = platform.vitals.import_series(
            uow.session, SYSTEM, "weather.temperature_max", [(root, at, 31.5)]
        )
    assert stored == 1
    with platform.uow() as uow, pytest.raises(ValidationFailed):
        platform.vitals.import_series(
            uow.session, SYSTEM, "weather.temperature_max", [("999999", at, 1.0)]
        )
    _evaluate(platform, clock, 1.01)  # 10:00: the newest point within 3 hours → 31.5
    assert _value(_board(platform), "air_temperature_max") == 31.5


def test_sensing_online_share_over_the_devices_of_each_area(
    city: City, platform: Platform, clock: FixedClock
) -> None:
    lon, lat = city.point_in(GRID)
    with platform.uow() as uow:
        platform.sensing.register_device(
            uow.session, SYSTEM, NewDevice("AQ-1", "air_quality", lon, lat)
        )
    _evaluate(platform, clock, 1.01)
    # one active device in the street, never heard from: 0 of 1 online; none in the other street
    assert _value(_board(platform, STREET), "device_online_rate") == 0.0
    assert _value(_board(platform, OTHER_STREET), "device_online_rate") is None


def test_an_area_bound_reader_sees_only_their_areas(
    city: City, platform: Platform, clock: FixedClock
) -> None:
    _import(platform)
    _evaluate(platform, clock, 1.01)
    assert _board(platform, actor=BOSS_EAST).area_code == STREET  # their area by default
    with pytest.raises(NotFound) as hidden:
        _board(platform, OTHER_STREET, actor=BOSS_EAST)
    assert hidden.value.code == "vital_area_not_found"
    with pytest.raises(NotFound):
        _board(platform, _board(platform).area_code, actor=BOSS_EAST)  # not the whole city
    with platform.read() as s:
        drill = platform.vitals.areas(s, BOSS, "t_reported")
        trend = platform.vitals.trend(s, BOSS, "t_reported", area=STREET)
        with pytest.raises(NotFound) as unknown:
            platform.vitals.areas(s, BOSS, "no_such")
    assert drill.level == "district"
    assert len(drill.items) >= 2
    assert [p.value for p in trend.points] == [0.0]
    assert unknown.value.code == "vital_not_found"


def test_the_demo_series_and_a_first_run_evaluate_the_whole_catalogue(
    city: City, platform: Platform, clock: FixedClock
) -> None:
    _three_cases_two_registered(city)
    stored = seed_demo_series(platform, clock.now())
    assert stored > 0
    clock.set(clock.now() + timedelta(hours=1, minutes=1))  # 10:01
    report = evaluate_demo_vitals(platform, clock.now())
    assert report.errors == ()
    # every indicator of the shipped catalogue but the street lights, judged 18:00-06:00 only
    assert len(report.evaluated) == 49
    assert "streetlight_on_rate" not in report.evaluated
    board = _board(platform)
    assert _value(board, "air_temperature_max") is not None
    assert _value(board, "case_reported") == 3.0  # reported at 09:00, window [09:00, 10:00)
    assert _value(board, "case_registration_rate") == pytest.approx(2 / 3)
