"""Generated series of the city's devices, without I/O: each a function of the simulated time of
day and week (the accelerated clock) and the device's own constants, with the faults and storms
of `events` applied at the platform's instant.

Manhole levels follow water use (morning and evening peaks) and rise in a storm; waterlogging is
dry but for storms; traffic has rush hours and quieter weekends; street lights burn from dusk to
dawn; bins fill at their own rate and are emptied at 06:00 and 17:00 (some only at 06:00);
smoke detectors read clean air; entries and elevator runs follow the day.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime

from cityops.demo.sensing_sim.events import Events
from cityops.kernel.clock import SHANGHAI

Values = dict[str, float]


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
        out = {"level": round(max(0.0, level), 1), "tilt": round(abs(rng.gauss(1.0, 0.3)), 1)}
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
    else:
        return None
    if kind in ("manhole_level", "waterlogging", "bin_fill", "smoke_detector"):
        drained = events.battery(state.code, at)
        out["battery"] = round(drained if drained is not None else state.battery)
    state.last = out
    return out
