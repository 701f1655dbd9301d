"""The demo's vital signs on SQLite and PostgreSQL: evaluated as the simulated week of cases goes
by (hourly in its last two days, each 3 hours before), with the platform clock at each instant,
so a case indicator's trend has a history and its 环比 baseline points, the series indicators
too, while the sensing indicators (no device in this demo) are not evaluated."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise

from cityops.app import Platform
from cityops.demo.build import build_demo
from cityops.demo.vitals import DemoVitals
from cityops.kernel.actor import SYSTEM
from cityops.kernel.clock import FixedClock


class _Watched(DemoVitals):
    """The demo's vitals, noting each instant evaluated and the platform clock then."""

    seen: list[tuple[datetime, datetime]]

    def during_cases(self, at: datetime) -> None:
        self.seen.append((at, self.platform.clock.now()))
        super().during_cases(at)


def test_a_week_of_cases_leaves_a_history_of_the_vital_signs(
    platform: Platform, clock: FixedClock
) -> None:
    end = clock.now() + timedelta(days=7)
    vitals = _Watched(platform, end=end)
    vitals.seen = []
    build_demo(platform, clock, end=end, weeks=1, cases_per_day=12, data_dir=None, vitals=vitals)

    # in time order, each with the platform clock at its instant
    instants = [at for at, _ in vitals.seen]
    assert instants == sorted(set(instants))
    assert all(at == now for at, now in vitals.seen)
    assert len(instants) == len(vitals.case_instants(end - timedelta(weeks=1), end))
    gaps = {b - a for a, b in pairwise(instants)}
    assert gaps == {timedelta(hours=1), timedelta(hours=3)}
    assert vitals.series_points > 0

    with platform.read() as s:
        day = platform.vitals.trend(s, SYSTEM, "case_reported", start=end - timedelta(hours=24))
        week = platform.vitals.trend(
            s, SYSTEM, "case_closure_rate", start=end - timedelta(days=7), end=end
        )
        heat = platform.vitals.trend(
            s, SYSTEM, "air_temperature_max", start=end - timedelta(hours=24), end=end
        )
        board = {v.code: v for v in platform.vitals.board(s, SYSTEM).items}
    values = [p.value for p in day.points if p.value is not None]
    assert len(values) >= 24  # hourly over the last day
    assert len(set(values)) > 1  # counts of each hour, not one value repeated
    before = [p for p in day.baselines["period_on_period"] if p.value is not None]
    assert len(before) >= 24  # 环比: the day before, hourly too
    assert len([p for p in week.points if p.value is not None]) > 24
    assert len([p for p in heat.points if p.value is not None]) >= 24
    assert board["case_reported"].evaluated_at is not None
    assert board["pm25"].status == "unevaluated"  # sensing: no device in this demo
