"""The simulation's state and step: which devices report at an instant, and what they send.

`step(sim, at)` takes the simulated instant (the phenomena: the hour of the Beijing replay, the
time of day) and the platform's instant (what readings are stamped with, what faults and storms
are timed on) and returns the messages due: each device reports once per its type's shortest
interval of simulated time, and at least once per that interval of the platform's clock (so a
device is never judged silent because the simulation runs fast), but never more often than
`min_period` of the platform's clock. State is bounded: a few numbers per device.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cityops.demo.sensing_sim.air import AirSource
from cityops.demo.sensing_sim.events import EventPlan, Events, Victims
from cityops.demo.sensing_sim.shapes import Values, new_state, values_of


@dataclass(frozen=True)
class SimDevice:
    code: str
    type_code: str
    area_code: str
    interval: timedelta  # the type's shortest metric interval


@dataclass(frozen=True)
class Message:
    code: str
    values: Values


def pick_victims(devices: list[SimDevice]) -> Victims:
    """The devices the faults hit, and the street of the most manhole gauges for the storm."""
    by_type: dict[str, list[SimDevice]] = {}
    for device in sorted(devices, key=lambda d: d.code):
        by_type.setdefault(device.type_code, []).append(device)

    def nth(type_code: str, n: int) -> str:
        found = by_type.get(type_code, [])
        return found[n % len(found)].code if found else ""

    manholes = by_type.get("manhole_level", [])
    streets = Counter(d.area_code[:9] for d in manholes)
    storm_area = streets.most_common(1)[0][0] if streets else "-"
    return Victims(
        stuck=nth("manhole_level", 6),
        silent=nth("traffic_flow", 4),
        draining=tuple(c for c in (nth("manhole_level", 10), nth("bin_fill", 3)) if c),
        elevators=tuple(d.code for d in by_type.get("elevator", [])[:6]),
        smoke=nth("smoke_detector", 2),
        storm_area=storm_area,
        gas_leak=nth("gas_detector", 1),
        cover=nth("manhole_level", 3),
        burst=nth("water_supply", 2),
    )


class Simulation:
    def __init__(
        self,
        devices: list[SimDevice],
        *,
        sim_start: datetime,
        start: datetime,
        rate: float,
        air_stations: dict[str, str],
        data_dir: Path | None,
        min_period: timedelta = timedelta(0),
        plan: EventPlan | None = None,
        seed: int = 2026,
    ) -> None:
        """`start`: the platform's instant of the start; `rate`: simulated seconds per second
        of the platform's clock; `air_stations`: device code → Beijing station name."""
        self._rng = random.Random(seed)
        self.sim_start = sim_start.replace(minute=0, second=0, microsecond=0)
        self.air = AirSource(air_stations, data_dir)
        self.events = Events(plan or EventPlan(), pick_victims(devices), start, rate)
        self._states = {
            d.code: new_state(d.code, d.type_code, d.area_code, self._rng) for d in devices
        }
        self._rate = rate
        self._min_period = min_period
        self._devices = devices
        self._due_at: dict[str, datetime] = {}
        self._air_hour: dict[str, datetime] = {}
        self.sent: Counter[str] = Counter()

    def _period(self, device: SimDevice) -> timedelta:
        return max(min(device.interval, device.interval / max(self._rate, 1e-9)), self._min_period)

    def step(self, sim: datetime, at: datetime) -> list[Message]:
        out: list[Message] = []
        for device in self._devices:
            due = self._due_at.get(device.code)
            if due is not None and at < due:
                continue
            self._due_at[device.code] = at + self._period(device)
            values: Values | None
            if device.type_code == "air_quality":
                hour = sim.replace(minute=0, second=0, microsecond=0)
                if self._air_hour.get(device.code) == hour:
                    continue  # this simulated hour's values were sent
                self._air_hour[device.code] = hour
                values = self.air.values_at(device.code, hour, self.sim_start)
            else:
                values = values_of(self._states[device.code], sim, at, self.events, self._rng)
            if values:
                out.append(Message(device.code, values))
                self.sent[device.type_code] += 1
        return out

    def close(self) -> None:
        self.air.close()
