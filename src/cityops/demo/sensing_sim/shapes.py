"""Generated series of the city's devices, without I/O: each a function of the simulated time of
day and week (the accelerated clock) and the device's own constants, with the faults and storms
of `events` applied at the platform's instant.

Manhole levels follow water use (morning and evening peaks) and rise in a storm; waterlogging is
dry but for storms; traffic has rush hours and quieter weekends; street lights burn from dusk to
dawn; bins fill at their own rate and are emptied at 06:00 and 17:00 (some only at 06:00);
smoke detectors read clean air; entries and elevator runs follow the day.

The lifeline and city-service types (`lifeline_values`) follow the same pattern: gas detectors
read a trace of sewer gas but for a leak; gas and water mains pressure sag at meal times and
morning and evening peaks of use (a burst main drops one point's pressure); heating substations
run hotter before dawn; bridges deflect with traffic and with the heavy lorries of the night;
noise follows the traffic; parking spaces fill by day; drainage pumps start with the wet-well
level and in a storm; rain gauges see the storm.

SIMULATED DEMO DATA: every value here is generated for the demo city, none is a measurement.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime

from cityops.demo.sensing_sim.events import Events
from cityops.kernel.clock import SHANGHAI

Values = dict[str, float]

# the types whose devices run on batteries and report their charge
BATTERY_TYPES = frozenset(
    {"manhole_level", "waterlogging", "bin_fill", "smoke_detector", "gas_detector", "parking_space"}
)
# the types `lifeline_values` generates
LIFELINE_TYPES = frozenset(
    {
        "gas_detector",
        "gas_pressure",
        "water_supply",
        "heating_station",
        "bridge_monitor",
        "noise_monitor",
        "parking_space",
        "drainage_pump",
        "rain_gauge",
    }
)
# the types with a generator here; air_quality is replayed by `air.AirSource`
GENERATED_TYPES = LIFELINE_TYPES | {
    "manhole_level",
    "waterlogging",
    "traffic_flow",
    "street_light",
    "bin_fill",
    "smoke_detector",
    "access_control",
    "elevator",
    "water_quality",
}


@dataclass
class DeviceState:
    """What the simulator keeps of one device: its constants and its last values (bounded)."""

    code: str
    type_code: str
    area_code: str
    base: float
    rate: float
    battery: float
    once_a_day: bool = False
    last: Values = field(default_factory=dict)


def new_state(code: str, type_code: str, area_code: str, rng: random.Random) -> DeviceState:
    return DeviceState(
        code=code,
        type_code=type_code,
        area_code=area_code,
        base=rng.uniform(20, 60),
        rate=rng.uniform(3, 9),
        battery=rng.uniform(60, 100),
        once_a_day=rng.random() < 0.3,
    )


def _hour(sim: datetime) -> float:
    local = sim.astimezone(SHANGHAI)
    return local.hour + local.minute / 60 + local.second / 3600


def _peaks(hour: float, *centres: float, width: float = 1.5) -> float:
    return sum(math.exp(-(((hour - c) / width) ** 2)) for c in centres)


def _daylight(hour: float) -> float:
    return max(0.0, math.sin(math.pi * (hour - 6.5) / 11))


def values_of(
    state: DeviceState,
    sim: datetime,
    at: datetime,
    events: Events,
    rng: random.Random,
) -> Values | None:
    """The device's message at simulated instant `sim`, stamped `at`; None when it stays
    silent."""
    if events.silent(state.code, at):
        return None
    if events.stuck(state.code, at) and state.last:
        return dict(state.last)
    hour = _hour(sim)
    weekend = sim.astimezone(SHANGHAI).weekday() >= 5
    kind = state.type_code
    out: Values
    if kind == "manhole_level":
        storm = events.storm_strength(state.area_code, at)
        level = state.base + 12 * _peaks(hour, 7.5, 20) + rng.gauss(0, 0.8)
        level += storm * (160 + state.base * 1.5)
        tilt = rng.uniform(20, 30) if events.cover_displaced(state.code, at) else rng.gauss(1, 0.3)
        out = {"level": round(max(0.0, level), 1), "tilt": round(abs(tilt), 1)}
    elif kind == "waterlogging":
        storm = events.storm_strength(state.area_code, at)
        depth = storm * (12 + state.base * 0.5) + max(0.0, rng.gauss(0, 0.3)) * storm
        out = {"depth": round(depth, 1)}
    elif kind == "traffic_flow":
        load = 0.25 + (0.5 if weekend else 1.0) * _peaks(hour, 8, 18) + 0.35 * _daylight(hour)
        intensity = max(0.0, state.base * load + rng.gauss(0, 2))
        occupancy = min(0.95, intensity / 120)
        speed = max(5.0, 65 * (1 - occupancy) + rng.gauss(0, 3))
        out = {
            "intensity": round(intensity),
            "speed": round(speed, 1),
            "occupancy": round(occupancy, 3),
        }
    elif kind == "street_light":
        on = hour >= 17.5 or hour < 6.5
        out = {
            "lamp_on": 1.0 if on else 0.0,
            "power": round(150 + rng.gauss(0, 3), 1) if on else 0.5,
            "illuminance": round(60000 * _daylight(hour) + (20 if on else 0)),
        }
    elif kind == "bin_fill":
        # hours since the last round: 06:00, and 17:00 for most bins
        twice = not state.once_a_day and not 6 <= hour < 17
        since = (hour - 17) % 24 if twice else (hour - 6) % 24
        fill = min(100.0, 5 + 0.75 * state.rate * max(0.0, since))  # 2.25 to 6.75 % an hour
        out = {"fill": round(fill), "temperature": round(12 + 6 * _daylight(hour), 1)}
    elif kind == "smoke_detector":
        smoke = rng.uniform(25, 40) if events.smoke(state.code, at) else abs(rng.gauss(0, 0.1))
        out = {"smoke": round(smoke, 2)}
    elif kind == "access_control":
        entries = state.base * 0.2 * (0.2 + _peaks(hour, 7.5, 18.5, width=1.2))
        out = {"entries": round(max(0.0, entries + rng.gauss(0, 1))), "door_open": 0.0}
    elif kind == "elevator":
        trapped = events.trapped(state.code, at)
        runs = max(0.0, state.rate * 0.4 * (0.2 + _peaks(hour, 7.5, 18.5)) + rng.gauss(0, 0.5))
        out = {
            "trapped": 1.0 if trapped else 0.0,
            "fault_code": 101.0 if trapped else 0.0,
            "runs": 0.0 if trapped else round(runs),
        }
    elif kind == "water_quality":
        out = {
            "ph": round(7.3 + rng.gauss(0, 0.05), 2),
            "do": round(7 - 1.5 * _daylight(hour + 6) + rng.gauss(0, 0.1), 2),
            "turbidity": round(8 + rng.gauss(0, 0.8), 1),
            "conductivity": round(420 + rng.gauss(0, 8)),
            "nh3n": round(0.35 + rng.gauss(0, 0.02), 3),
            "water_temperature": round(12 + 2 * _daylight(hour), 1),
        }
    elif kind in LIFELINE_TYPES:
        out = lifeline_values(state, sim, at, events, rng)
    else:
        return None
    if kind in BATTERY_TYPES:
        drained = events.battery(state.code, at)
        out["battery"] = round(drained if drained is not None else state.battery)
    state.last = out
    return out


def _offset(state: DeviceState, spread: float) -> float:
    """A device's own constant offset in [-spread, spread] (from its base, 20..60)."""
    return (state.base - 40) / 20 * spread


def _rain_strength(state: DeviceState, at: datetime, events: Events) -> float:
    """The storm at a rain gauge: full over the storm's street, half elsewhere in its district,
    a fringe of it over the rest of the city."""
    here = events.storm_strength(state.area_code, at)
    if here:
        return here
    storm = events.storm_strength(events.victims.storm_area, at)
    same_district = state.area_code[:6] == events.victims.storm_area[:6]
    return storm * (0.5 if same_district else 0.12)


def lifeline_values(
    state: DeviceState, sim: datetime, at: datetime, events: Events, rng: random.Random
) -> Values:
    """SIMULATED DEMO DATA for the lifeline and city-service types (LIFELINE_TYPES)."""
    hour = _hour(sim)
    weekend = sim.astimezone(SHANGHAI).weekday() >= 5
    traffic = 0.25 + (0.5 if weekend else 1.0) * _peaks(hour, 8, 18) + 0.35 * _daylight(hour)
    kind = state.type_code
    if kind == "gas_detector":  # %LEL: a trace of sewer gas, a leak reads 25-45
        leak = events.gas_leak(state.code, at)
        methane = rng.uniform(25, 45) if leak else abs(rng.gauss(0.4, 0.3))
        return {"methane": round(methane, 1)}
    if kind == "gas_pressure":  # kPa, low-pressure network: dips at meal times
        use = _peaks(hour, 11.5, 18, width=1.2)
        pressure = 2.6 + _offset(state, 0.15) - 0.3 * use + rng.gauss(0, 0.02)
        return {"gas_pressure": round(pressure, 2)}
    if kind == "water_supply":  # MPa, NTU, mg/L: sags at the morning and evening peaks
        burst = events.main_burst(state.code, at)
        use = _peaks(hour, 7.5, 19.5, width=1.6)
        pressure = 0.33 + _offset(state, 0.03) - 0.06 * use + rng.gauss(0, 0.003)
        turbidity = 0.18 + abs(rng.gauss(0, 0.04))
        if burst:
            pressure = rng.uniform(0.12, 0.15)
            turbidity = rng.uniform(1.1, 1.6)
        return {
            "water_pressure": round(pressure, 3),
            "supply_turbidity": round(turbidity, 2),
            "residual_chlorine": round(0.32 + rng.gauss(0, 0.03), 2),
        }
    if kind == "heating_station":  # °C, heating season: hotter before dawn (outdoor reset)
        supply = 88 + _offset(state, 3) + 5 * math.cos((hour - 4) / 24 * 2 * math.pi)
        supply += rng.gauss(0, 0.6)
        return {
            "supply_temperature": round(supply, 1),
            "return_temperature": round(supply - 36 + rng.gauss(0, 0.6), 1),
        }
    if kind == "bridge_monitor":  # mm: traffic load, and the heavy lorries allowed at night
        deflection = 3 + _offset(state, 1) + 9 * traffic / 2 + rng.gauss(0, 0.8)
        if (hour >= 22 or hour < 5) and rng.random() < 0.08:
            deflection += rng.uniform(8, 18)
        return {
            "deflection": round(deflection, 1),
            "strain": round(deflection * 9 + rng.gauss(0, 6)),
        }
    if kind == "noise_monitor":  # dB(A): 5-minute LAeq following the traffic
        leq = 47 + _offset(state, 4) + 8 * min(traffic, 1.6) + rng.gauss(0, 1.2)
        return {"noise": round(leq, 1), "noise_max": round(leq + rng.uniform(8, 20), 1)}
    if kind == "parking_space":  # 1/0: spaces fill by day; a state that persists
        wanted = 0.3 + 0.6 * max(_daylight(hour), 0.7 * _peaks(hour, 19.5, width=2))
        wanted = min(0.98, max(0.05, wanted + _offset(state, 0.08)))
        occupied = state.last.get("parking_occupied")
        if occupied is None or rng.random() < 0.2:
            occupied = 1.0 if rng.random() < wanted else 0.0
        return {"parking_occupied": occupied}
    if kind == "drainage_pump":  # m, 1/0: a pump starts at its own wet-well level
        storm = events.storm_strength(state.area_code, at)
        level = 1.2 + 0.9 * _peaks(hour, 7.5, 20) + 3.5 * storm + rng.gauss(0, 0.05)
        start = 1.5 + (state.base - 20) / 40  # 1.5 to 2.5 m
        return {"sump_level": round(max(0.0, level), 2), "pump_running": float(level >= start)}
    # rain_gauge: mm in the last hour, 35-65 under the storm
    strength = _rain_strength(state, at, events)
    rain = strength * (35 + state.base * 0.5) + (rng.uniform(0, 0.6) if strength else 0.0)
    return {"rainfall": round(rain, 1)}
