"""The simulator's pure parts: the accelerated clock, the fault and storm timing, the air rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cityops.demo.sensing_sim.air import GeneratedAir, humidity, row_values
from cityops.demo.sensing_sim.clock import SimClock
from cityops.demo.sensing_sim.events import EventPlan, Events, Victims

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
