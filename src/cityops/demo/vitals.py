"""The demo's city vital signs (城市体征): imported series over the demo's span for the `series`
indicators, and the indicators evaluated as the demo's simulated time goes by, so the board,
the trends and their baselines (环比, 上周同时) have a history right after `cityops demo`.

The evaluations run the runtime's own `evaluate_due` with the platform clock at each instant,
in time order, while the simulation stands at that instant: the case and appeal indicators
read the cases as they were then (the counts read a case's present state, closed or not, so
evaluating a past instant afterwards would count later work), and states, transitions, alarms
and cases follow as the scheduler job would have made them. Over the weeks of cases the
indicators of cases, appeals and series at CASE_EVALUATIONS (hourly near the end, thinner
further back), not those of sensing (no device exists then: they would only store "no data"
for every area); over the sensing history every indicator each SENSING_EVERY, the latest
values flushed and the rollups run first. The 同比 baseline stays empty: the demo spans weeks.

DEMO DATA: the series below are generated, not measured. They are plausible for a city on
China's east coast in the season of `end` (temperature and wind of the weather service, bus
punctuality, traffic accidents, power outages, a vegetable price index), with a seeded random
walk, labelled as demo data here and nowhere taken for real figures.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from cityops.app import Platform
from cityops.geo.public import AreaLevel
from cityops.insight.public import (
    DefinitionSet,
    FormulaSource,
    IndicatorDefinition,
    RunReport,
    SensingSource,
)
from cityops.kernel.actor import SYSTEM

SERIES_LEAD = timedelta(hours=48)  # the series begin this long before the demo's start
# Over the weeks of cases an evaluation each hour in the last two days before the demo's end
# (the 24-hour window and its 环比), each 3 hours in the week before (the 7-day window), each 6
# hours in the month, each 12 hours before that. Each costs about 0.1 s (SQLite, a shared 2-core
# machine): hourly over a week added 33 s to `cityops demo --weeks 1` (48 s), these 14 s.
CASE_EVALUATIONS = (
    (timedelta(days=2), timedelta(hours=1)),
    (timedelta(days=8), timedelta(hours=3)),
    (timedelta(days=31), timedelta(hours=6)),
    (timedelta(days=400), timedelta(hours=12)),
)
SENSING_EVERY = timedelta(minutes=15)  # over the sensing history every indicator
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class _Series:
    name: str
    per_district: bool
    step: timedelta
    base: float
    spread: float  # the random walk's step
    low: float
    high: float
    daily: float = 0.0  # amplitude of a day/night swing (peak at 14:00)


DEMO_SERIES = (  # demo data: generated, see the module docstring
    _Series("weather.temperature_max", True, timedelta(hours=1), 18.0, 0.4, -10, 42, 4.0),
    _Series("weather.wind_speed_max", False, timedelta(hours=1), 4.0, 0.6, 0, 30),
    _Series("transit.bus_on_time_rate", False, timedelta(hours=1), 0.93, 0.01, 0.6, 1.0),
    _Series("police.traffic_accidents", True, timedelta(hours=1), 2.0, 0.8, 0, 20),
    _Series("grid.outage_households", True, timedelta(minutes=15), 5.0, 3.0, 0, 400),
    _Series("commerce.vegetable_price_index", False, timedelta(days=1), 102.0, 0.8, 80, 130),
)


def seed_demo_series(
    platform: Platform, end: datetime, *, start: datetime | None = None, seed: int = 2026
) -> int:
    """Import the demo series for the city (and its districts where per_district) from
    `start` (default SERIES_LEAD before `end`) to `end`, one import per series and area."""
    start = end - SERIES_LEAD if start is None else start
    rng = random.Random(seed)
    with platform.read() as s:
        root = platform.geo.root_area(s).code
        districts = [a.code for a in platform.geo.list_areas(s, AreaLevel.district)]
    stored = 0
    for series in DEMO_SERIES:
        # a district root (the areas stop at a district) is the city: once, not twice
        for area in dict.fromkeys([root, *(districts if series.per_district else [])]):
            points: list[tuple[str, datetime, float]] = []
            value = series.base
            n = int((end - start) / series.step)
            for i in range(n, -1, -1):
                at = end - i * series.step
                value = min(series.high, max(series.low, value + rng.gauss(0, series.spread)))
                hour = at.hour + 8  # Shanghai
                swing = series.daily * math.cos((hour - 14) / 24 * 2 * math.pi)
                shown = min(series.high, max(series.low, value + swing))
                if "accidents" in series.name or "households" in series.name:
                    shown = float(round(shown))
                points.append((area, at, round(shown, 3)))
            with platform.uow() as uow:
                stored += platform.vitals.import_series(uow.session, SYSTEM, series.name, points)
    return stored


def sensing_based(definitions: DefinitionSet) -> frozenset[str]:
    """The indicators read from sensing, and the formulas over any of them."""
    out: set[str] = set()
    for code in definitions.evaluation_order():
        d = definitions.get(code)
        assert d is not None
        src = d.source
        if isinstance(src, SensingSource) or (
            isinstance(src, FormulaSource) and src.formula.references & out
        ):
            out.add(code)
    return frozenset(out)


@dataclass
class DemoVitals:
    """The vital signs of the demo as its simulated time goes by (see the module docstring):
    `during_cases` and `evaluate` are called with the platform clock at the instant."""

    platform: Platform
    end: datetime  # the demo's end: the series run up to it, the evaluations thin out from it
    seed: int = 2026
    sensing_every: timedelta = SENSING_EVERY
    reports: list[RunReport] = field(default_factory=list)
    series_points: int = 0
    seconds: float = 0.0  # spent evaluating (the demo reports it)
    series_seconds: float = 0.0
    _sensing: frozenset[str] | None = None

    def seed_series(self, start: datetime) -> None:
        """The demo series from SERIES_LEAD before `start` (the areas must exist)."""
        began = time.perf_counter()
        self.series_points = seed_demo_series(
            self.platform, self.end, start=start - SERIES_LEAD, seed=self.seed
        )
        self.series_seconds = time.perf_counter() - began

    def case_instants(self, start: datetime, end: datetime) -> list[datetime]:
        """The instants in [start, end] to evaluate at while the cases run (CASE_EVALUATIONS:
        whole multiples of the step, counted from the epoch, so whole hours in Shanghai too)."""
        out: set[datetime] = set()
        nearer = self.end
        for age, step in CASE_EVALUATIONS:
            lo = max(start, self.end - age)
            at = _EPOCH + -((_EPOCH - lo) // step) * step  # the first multiple at or after lo
            while at <= min(end, nearer):
                out.add(at)
                at += step
            nearer = lo
        return sorted(out)

    def during_cases(self, at: datetime) -> None:
        """The due indicators at `at` but those of sensing (no device yet)."""
        if self._sensing is None:
            with self.platform.read() as s:
                self._sensing = sensing_based(self.platform.vitals.current_definitions(s))
        skip = self._sensing

        def wanted(d: IndicatorDefinition) -> bool:
            return d.code not in skip

        began = time.perf_counter()
        with self.platform.uow() as uow:
            self.reports.append(self.platform.vitals.evaluate_due(uow, at, only=wanted))
        self.seconds += time.perf_counter() - began

    def evaluate(self, at: datetime) -> RunReport:
        """Every due indicator at `at`."""
        began = time.perf_counter()
        report = evaluate_demo_vitals(self.platform, at)
        self.seconds += time.perf_counter() - began
        self.reports.append(report)
        return report

    @property
    def evaluations(self) -> int:
        """The runs that evaluated anything."""
        return sum(1 for r in self.reports if r.evaluated)

    @property
    def values(self) -> int:
        return sum(r.values for r in self.reports)

    @property
    def indicators(self) -> set[str]:
        """The indicators evaluated at least once."""
        return {code for r in self.reports for code in r.evaluated}


def evaluate_demo_vitals(platform: Platform, now: datetime) -> RunReport:
    with platform.uow() as uow:
        return platform.vitals.evaluate_due(uow, now)
