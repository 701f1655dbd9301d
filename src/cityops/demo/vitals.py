"""The demo's city vital signs (城市体征): imported series for the `series` indicators, then one
evaluation of every indicator so the board shows values right after `cityops demo`.

DEMO DATA: the series below are generated, not measured. They are plausible for a city on
China's east coast in the season of `end` (temperature and wind of the weather service, bus
punctuality, traffic accidents, power outages, a vegetable price index), with a seeded random
walk, labelled as demo data here and nowhere taken for real figures.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from cityops.app import Platform
from cityops.geo.public import AreaLevel
from cityops.insight.public import RunReport
from cityops.kernel.actor import SYSTEM

DEMO_SERIES_HOURS = 48  # how far back the demo series reach


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


def seed_demo_series(platform: Platform, end: datetime, *, seed: int = 2026) -> int:
    """Import the demo series for the city (and its districts where per_district) up to `end`."""
    rng = random.Random(seed)
    with platform.read() as s:
        root = platform.geo.root_area(s).code
        districts = [a.code for a in platform.geo.list_areas(s, AreaLevel.district)]
    stored = 0
    for series in DEMO_SERIES:
        points: list[tuple[str, datetime, float]] = []
        for area in [root, *(districts if series.per_district else [])]:
            value = series.base
            n = int(timedelta(hours=DEMO_SERIES_HOURS) / series.step)
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


def evaluate_demo_vitals(platform: Platform, now: datetime) -> RunReport:
    with platform.uow() as uow:
        return platform.vitals.evaluate_due(uow, now)
