"""A long trend is read as buckets (mean, min, max) computed in SQL, on both databases: at most
about 1,000 points, a bucket a whole multiple of the refresh interval aligned in Asia/Shanghai,
peaks kept in `high`; a short window still returns every stored value. Values are written
straight into the values table (the runtime's own writes are tested elsewhere); the expected
figures are worked out from the same list in Python."""

from __future__ import annotations

import statistics
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from cityops.app import Platform
from cityops.insight.vitals_runtime.store import values as vital_values
from cityops.kernel.actor import SYSTEM, Actor, Role
from cityops.kernel.clock import SHANGHAI, FixedClock

LEADER = Actor(user_id=1, username="leader", roles=frozenset({Role.leader}))
DEFS = """
indicators:
  - code: t_level
    name: {zh: 测试水位, en: Test water level}
    unit: m
    category: weather_environment
    source: series
    series: t.level
    refresh: 5m
    levels: [city]
    direction: higher_is_worse
    baselines: [period_on_period, same_hour_last_week, year_on_year]
    precision: 2
"""
STEP = timedelta(minutes=5)
END = datetime(2026, 11, 23, 0, 0, tzinfo=SHANGHAI).astimezone(UTC)
DAYS = 30
SPIKE_AT = END - timedelta(days=10, minutes=35)
SPIKE = 99.0


def _value(i: int) -> float | None:
    if i % 97 == 0:
        return None  # no data at that evaluation
    return float(i % 13)


@pytest.fixture
def root(platform: Platform, clock: FixedClock) -> str:
    clock.set(END + timedelta(minutes=1))
    with platform.uow() as uow:
        platform.geo.generate_demo_city(uow, SYSTEM)
        platform.vitals.import_definitions(uow.session, SYSTEM, DEFS)
    with platform.read() as s:
        code = platform.geo.root_area(s).code
    # every 5 minutes over the 60 days before END (the window and its period_on_period
    # baseline), the spike on that grid; and 1.0 over the same 30 days a year earlier
    rows = dict(_stored(END - timedelta(days=2 * DAYS), END))
    year_ago = END.replace(year=END.year - 1)
    for i in range(int(DAYS * timedelta(days=1) / STEP) + 1):
        rows[year_ago - timedelta(days=DAYS) + i * STEP] = 1.0
    batch = [
        {"indicator": "t_level", "area_code": code, "at": at, "value": value}
        for at, value in rows.items()
    ]
    with platform.uow() as uow:
        for i in range(0, len(batch), 5000):
            uow.session.execute(insert(vital_values), batch[i : i + 5000])
    return code


def _stored(start: datetime, end: datetime) -> dict[datetime, float | None]:
    first = END - timedelta(days=2 * DAYS)
    out: dict[datetime, float | None] = {}
    i = 0
    while (at := first + i * STEP) <= end:
        if at >= start:
            out[at] = SPIKE if at == SPIKE_AT else _value(i)
        i += 1
    return out


def test_a_month_of_5_minute_values_comes_back_as_hourly_buckets(
    platform: Platform, root: str
) -> None:
    start = END - timedelta(days=DAYS)
    with platform.read() as s:
        trend = platform.vitals.trend(s, LEADER, "t_level", area=root, start=start, end=END)
    # 8,640 refresh intervals > 1,000: the shortest round multiple of 5 min giving ≤ 1,000
    # buckets is 1 h (720 buckets; 30 min would give 1,440)
    assert trend.step_seconds == 3600
    assert 700 <= len(trend.points) <= 1000
    stored = _stored(start, END)
    buckets: dict[datetime, list[float | None]] = {}
    for at, value in stored.items():
        buckets.setdefault(at.replace(minute=0), []).append(value)  # whole hours in UTC+8 too
    assert [p.at for p in trend.points] == sorted(buckets)
    for p in trend.points:
        got = [v for v in buckets[p.at] if v is not None]
        assert p.value == pytest.approx(statistics.fmean(got))
        assert (p.low, p.high) == (min(got), max(got))
    # the spike is kept as the high of its hour though the mean hides it
    peak = max(trend.points, key=lambda p: p.high or 0)
    assert (peak.at, peak.high) == (SPIKE_AT.replace(minute=0), SPIKE)
    assert peak.value is not None
    assert peak.value < SPIKE / 2


def test_the_baselines_are_bucketed_onto_the_same_instants(platform: Platform, root: str) -> None:
    start = END - timedelta(days=DAYS)
    with platform.read() as s:
        trend = platform.vitals.trend(s, LEADER, "t_level", area=root, start=start, end=END)
    own = {p.at for p in trend.points}
    period = trend.baselines["period_on_period"]
    assert period
    assert {p.at for p in period} <= own
    earlier = _stored(start - timedelta(days=DAYS), END - timedelta(days=DAYS))
    hour = next(iter(sorted(own)))
    moved = [
        v
        for at, v in earlier.items()
        if at + timedelta(days=DAYS) >= hour
        and at + timedelta(days=DAYS) < hour + timedelta(hours=1)
        and v is not None
    ]
    first = next(p for p in period if p.at == hour)
    assert first.value == pytest.approx(statistics.fmean(moved))
    year = trend.baselines["year_on_year"]
    assert year
    assert all((p.value, p.low, p.high) == (1.0, 1.0, 1.0) for p in year)
    assert {p.at for p in year} <= own
    assert all(p.high is not None for p in trend.baselines["same_hour_last_week"])


def test_a_short_window_returns_every_stored_value(platform: Platform, root: str) -> None:
    start = END - timedelta(hours=24)
    with platform.read() as s:
        trend = platform.vitals.trend(s, LEADER, "t_level", area=root, start=start, end=END)
    assert trend.step_seconds == 300
    stored = _stored(start, END)
    assert [(p.at, p.value) for p in trend.points] == list(stored.items())
    assert all(p.low is None and p.high is None for p in trend.points)
    assert len(trend.baselines["same_hour_last_week"]) == len(stored)
