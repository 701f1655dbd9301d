"""The simulator's pure parts: the accelerated clock, the fault and storm timing, the air rows,
and the generators: one for every shipped type, sending that type's metrics in range, among
them every metric the vital signs catalogue reads."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from cityops.demo.sensing import DEVICE_MIX
from cityops.demo.sensing_sim.air import GeneratedAir, humidity, row_values
from cityops.demo.sensing_sim.clock import SimClock
from cityops.demo.sensing_sim.events import EventPlan, Events, Victims
from cityops.demo.sensing_sim.shapes import GENERATED_TYPES, new_state, values_of
from cityops.insight.public import SensingSource, load_catalog
from cityops.sensing.public import shipped_types

T0 = datetime(2026, 12, 7, 3, 17, tzinfo=UTC)
VICTIMS = Victims(
    stuck="MH-0007",
    silent="TF-0005",
    draining=("MH-0011",),
    elevators=("EL-0001", "EL-0002"),
    smoke="SMK-0003",
    storm_area="330103001",
)


def test_the_clock_runs_speed_times_faster_from_the_hour() -> None:
    real = [100.0]
    clock = SimClock(T0, 60, lambda: real[0])
    assert clock.now() == T0.replace(minute=0)
    real[0] += 90  # a minute and a half of real time: an hour and a half simulated
    assert clock.now() == T0.replace(minute=0) + timedelta(minutes=90)
    assert clock.real_seconds_until(clock.now() + timedelta(hours=1)) == pytest.approx(60)


@pytest.mark.parametrize(("rate", "length"), [(1.0, 60), (60.0, 20), (2.0, 30)])
def test_a_storm_lasts_a_simulated_hour_but_never_less_than_the_floor(
    rate: float, length: int
) -> None:
    events = Events(EventPlan(), VICTIMS, T0, rate)
    assert events.storm_length == timedelta(minutes=length)
    begin = T0 + EventPlan().storm_at
    strength = [
        events.storm_strength("330103001004", begin + timedelta(minutes=m))
        for m in range(-1, length + 1)
    ]
    assert strength[0] == 0
    assert strength[-1] == 0
    assert max(strength) == 1.0
    assert events.storm_strength("330103002001", begin + timedelta(minutes=length // 2)) == 0


def test_faults_hit_their_victims_at_their_times() -> None:
    events = Events(EventPlan(), VICTIMS, T0, 60)
    assert not events.silent("TF-0005", T0 + timedelta(minutes=1))
    assert events.silent("TF-0005", T0 + timedelta(minutes=2))
    assert not events.silent("TF-0004", T0 + timedelta(minutes=30))
    assert events.battery("MH-0011", T0) == 40
    battery = events.battery("MH-0011", T0 + timedelta(minutes=14))
    assert battery is not None
    assert battery < 20
    assert events.battery("MH-0012", T0) is None
    assert events.trapped("EL-0001", T0 + timedelta(minutes=2))
    assert not events.trapped("EL-0001", T0 + timedelta(minutes=10))
    assert events.trapped("EL-0002", T0 + timedelta(minutes=47))  # the next one


def test_an_air_row_gives_the_types_units_and_leaves_missing_values_out() -> None:
    row = {
        "PM2.5": "NA",
        "PM10": "120",
        "CO": "1500",
        "PRES": "1024.5",
        "TEMP": "10",
        "DEWP": "0",
        "wd": "NE",
        "WSPM": "NA",
    }
    values = row_values(row)
    assert "pm25" not in values
    assert "wind_speed" not in values
    assert values["pm10"] == 120
    assert values["co"] == 1.5
    assert values["pressure"] == pytest.approx(102.45)
    assert values["wind_direction"] == 45
    assert values["humidity"] == round(humidity(10, 0)) == 50


def test_the_generated_air_series_has_smog_episodes() -> None:
    series = GeneratedAir(seed=1)
    start = T0.replace(minute=0)
    pm25 = [series.values_at(start + timedelta(hours=h), start)["pm25"] for h in range(240)]
    assert min(pm25) < 60
    assert max(pm25) > 150


SHIPPED = {kind.code: kind for kind in shipped_types()}


def test_the_demo_registers_and_generates_every_shipped_type() -> None:
    registered = set(DEVICE_MIX) | {"air_quality"}  # the stations: BEIJING_STATIONS
    assert registered == set(SHIPPED)
    assert GENERATED_TYPES | {"air_quality"} == set(SHIPPED)  # air: replayed or GeneratedAir


def _day_of_values(type_code: str) -> list[dict[str, float]]:
    """A simulated day of one device of the type, every 10 minutes, through a storm over its
    street and every fault of its victims (it is the victim of each)."""
    code = f"X-{type_code}"
    victims = Victims(
        stuck="",
        silent="",
        draining=(code,),
        elevators=(code,),
        smoke=code,
        storm_area="330103001",
        gas_leak=code,
        cover=code,
        burst=code,
    )
    events = Events(EventPlan(), victims, T0, 1.0)
    rng = random.Random(7)
    state = new_state(code, type_code, "330103001004", rng)
    out = []
    for m in range(0, 24 * 60, 10):
        at = T0 + timedelta(minutes=m)
        values = values_of(state, at, at, events, rng)
        assert values is not None
        out.append(values)
    return out


@pytest.mark.parametrize("type_code", sorted(GENERATED_TYPES))
def test_the_generators_send_metrics_of_their_type_within_its_range(type_code: str) -> None:
    specs = SHIPPED[type_code].spec_map()
    for values in _day_of_values(type_code):
        assert set(values) <= set(specs), set(values) - set(specs)
        for key, value in values.items():
            spec = specs[key]
            assert spec.min_value is not None
            assert spec.max_value is not None
            assert spec.min_value <= value <= spec.max_value, (key, value)


def test_the_demo_generates_every_metric_the_vital_signs_read() -> None:
    generated = set(GeneratedAir(seed=1).values_at(T0, T0))
    for type_code in GENERATED_TYPES:
        for values in _day_of_values(type_code):
            generated |= set(values)
    wanted = {
        d.source.metric
        for d in load_catalog()
        if isinstance(d.source, SensingSource) and d.source.metric != "*"
    }
    assert wanted - generated == set()


@pytest.mark.parametrize(
    ("type_code", "metric", "quiet", "incident"),
    [
        ("gas_detector", "methane", 5, 20),  # %LEL: the gas-leak rule fires at 20
        ("manhole_level", "tilt", 5, 15),  # °: the manhole-cover rule fires above 15
        ("rain_gauge", "rainfall", 1, 30),  # mm in the last hour
        ("waterlogging", "depth", 1, 15),  # cm: a waterlogging point
    ],
)
def test_the_incidents_reach_the_levels_the_rules_and_indicators_fire_at(
    type_code: str, metric: str, quiet: float, incident: float
) -> None:
    readings = [v[metric] for v in _day_of_values(type_code)]
    assert readings[0] < quiet  # before any incident
    assert max(readings) >= incident


def test_a_burst_main_drops_below_the_minimum_service_pressure() -> None:
    pressures = [v["water_pressure"] for v in _day_of_values("water_supply")]
    assert min(pressures) < 0.14
    assert sorted(pressures)[len(pressures) // 2] > 0.25  # the median: a normal day
