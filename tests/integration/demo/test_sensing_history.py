"""The demo's recent sensing history on SQLite and PostgreSQL: the simulator run over the last
minutes before the demo's end leaves readings of every device type, alarms from the incidents
timed into the window, and values for every sensing vital sign at the city level."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from tests.support.default_city import seed_default_city

from cityops.app import Platform, build_platform
from cityops.demo.sensing import seed_demo_sensing
from cityops.demo.sensing_history import record_recent_sensing
from cityops.infra.settings import Settings
from cityops.insight.public import SensingSource, load_catalog
from cityops.kernel.actor import SYSTEM
from cityops.kernel.clock import FixedClock
from cityops.sensing.public import AlarmFilter, shipped_types


@pytest.fixture
def city(settings: Settings, clock: FixedClock) -> Iterator[Platform]:
    p = build_platform(settings, clock=clock, migrate=False)
    seed_default_city(p)
    yield p
    p.close()


def test_the_history_gives_every_sensing_vital_sign_a_value_at_the_city_level(
    city: Platform, clock: FixedClock
) -> None:
    p = city
    end = clock.now()
    seed_demo_sensing(p, scale=0.1)
    seen: list[tuple[datetime, datetime]] = []
    history = record_recent_sensing(
        p,
        clock,
        end=end,
        data_dir=None,
        minutes=40,
        every=timedelta(minutes=15),
        on_instant=lambda at: seen.append((at, clock.now())),
    )

    assert clock.now() == end
    # the first minute, then the first minute past each quarter hour, the clock there
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    quarters = [(at - epoch) // timedelta(minutes=15) for at, _ in seen]
    assert quarters == sorted(set(quarters))
    assert seen[0][0] == end - timedelta(minutes=40)
    assert len(seen) in (3, 4)  # 40 minutes pass two or three quarter hours
    assert all(at == now for at, now in seen)
    assert history.refused == {}
    assert set(history.messages) == {kind.code for kind in shipped_types()}
    with p.read() as s:
        alarms = p.alarms.list_alarms(s, SYSTEM, AlarmFilter(), limit=500)[0]
    rules = {a.rule_code for a in alarms}
    assert {"gas-leak", "manhole-cover", "elevator-trapped"} <= rules, rules

    with p.uow() as uow:
        p.vitals.evaluate_due(uow, end)
    with p.read() as s:
        board = p.vitals.board(s, SYSTEM)
    values = {item.code: item.value for item in board.items}
    # every sensing indicator due at the end: the street lights are judged 18:00-06:00 only,
    # and the end is 09:00
    sensing = [
        d.code
        for d in load_catalog()
        if isinstance(d.source, SensingSource)
        and (d.active_hours is None or d.active_hours.contains(end))
    ]
    assert "streetlight_on_rate" not in sensing
    assert values["streetlight_on_rate"] is None
    missing = [code for code in sensing if values.get(code) is None]
    assert missing == []
    assert values["gas_leak_alarms"] == 1
    # the manhole gauges' alarms about the cover's tilt only, not their overflow or battery
    covers = [a for a in alarms if a.active and a.rule_code == "manhole-cover"]
    assert values["manhole_alarms"] == len(covers) >= 1
    assert values["water_supply_pressure"] is not None
    assert values["water_supply_pressure"] < 0.14  # the burst main
