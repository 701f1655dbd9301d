"""What goes wrong in the simulated city, without I/O: injected faults and rain storms.

Faults and storms are timed on the platform's clock (the instants readings are stamped with),
not on the accelerated clock: the rules that must see them count the platform's time, so a storm
lasts one simulated hour but never less than `min_event` of the platform's clock (at 60x a
simulated hour passes in a real minute, too short for a "level above 150 for 10 min" rule).

- a stuck gauge: one manhole gauge repeats its last level from `stuck_at` on;
- a silent device: one traffic detector stops sending at `silent_at`;
- a draining battery: one manhole gauge and one bin lose `drain_per_minute` % a minute from 40 %;
- a passenger trapped: one elevator reports `trapped` for a while, a different one each time;
- smoke: one smoke detector reads a dense smoke for a few minutes;
- a gas leak: one gas detector in a pipe well reads 25–45 %LEL for a while, again every
  `leak_every`;
- a displaced manhole cover: one manhole gauge reports its cover tilted by 20–30°;
- a water main burst: one mains monitoring point loses pressure (and its water turns turbid);
- a rain storm over one street: manhole levels and waterlogging depths there rise, hold and
  recede (its strength at an instant is `storm_strength`, 0..1), again every `storm_every`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class EventPlan:
    stuck_at: timedelta = timedelta(minutes=1)
    silent_at: timedelta = timedelta(minutes=2)
    drain_per_minute: float = 1.5
    trapped_at: timedelta = timedelta(minutes=1)
    trapped_for: timedelta = timedelta(minutes=8)
    trapped_every: timedelta = timedelta(minutes=45)
    smoke_at: timedelta = timedelta(minutes=5)
    smoke_for: timedelta = timedelta(minutes=4)
    storm_at: timedelta = timedelta(minutes=3)
    storm_hours: float = 1.0  # simulated hours
    min_event: timedelta = timedelta(minutes=20)  # of the platform's clock
    storm_every: timedelta = timedelta(hours=4)
    leak_at: timedelta = timedelta(minutes=6)
    leak_for: timedelta = timedelta(minutes=20)
    leak_every: timedelta = timedelta(hours=3)
    cover_at: timedelta = timedelta(minutes=4)
    cover_for: timedelta = timedelta(minutes=40)
    cover_every: timedelta = timedelta(hours=5)
    burst_at: timedelta = timedelta(minutes=8)
    burst_for: timedelta = timedelta(minutes=45)
    burst_every: timedelta = timedelta(hours=6)


@dataclass(frozen=True)
class Victims:
    """The devices the faults hit (device codes) and the storm's street (area code prefix)."""

    stuck: str
    silent: str
    draining: tuple[str, ...]
    elevators: tuple[str, ...]
    smoke: str
    storm_area: str
    gas_leak: str = ""
    cover: str = ""
    burst: str = ""


class Events:
    def __init__(self, plan: EventPlan, victims: Victims, start: datetime, rate: float) -> None:
        """`start`: the platform's instant the run began; `rate`: simulated seconds per second
        of the platform's clock (the speed when readings are stamped in real time, 1 when the
        platform's clock is the simulated one)."""
        self.plan = plan
        self.victims = victims
        self._start = start
        storm = timedelta(hours=plan.storm_hours) / max(rate, 1e-9)
        self.storm_length = max(storm, plan.min_event)

    def _since(self, at: datetime) -> timedelta:
        return at - self._start

    def stuck(self, code: str, at: datetime) -> bool:
        return code == self.victims.stuck and self._since(at) >= self.plan.stuck_at

    def silent(self, code: str, at: datetime) -> bool:
        return code == self.victims.silent and self._since(at) >= self.plan.silent_at

    def battery(self, code: str, at: datetime) -> float | None:
        """The battery of a draining device (None for the others)."""
        if code not in self.victims.draining:
            return None
        minutes = self._since(at).total_seconds() / 60
        return max(1.0, 40.0 - self.plan.drain_per_minute * minutes)

    def trapped(self, code: str, at: datetime) -> bool:
        elevators = self.victims.elevators
        since = self._since(at) - self.plan.trapped_at
        if not elevators or since < timedelta(0):
            return False
        n = int(since / self.plan.trapped_every)
        within = since - n * self.plan.trapped_every
        return code == elevators[n % len(elevators)] and within < self.plan.trapped_for

    def smoke(self, code: str, at: datetime) -> bool:
        since = self._since(at) - self.plan.smoke_at
        return code == self.victims.smoke and timedelta(0) <= since < self.plan.smoke_for

    def _repeating(
        self,
        code: str,
        victim: str,
        at: datetime,
        begin: timedelta,
        length: timedelta,
        every: timedelta,
    ) -> bool:
        since = self._since(at) - begin
        if not victim or code != victim or since < timedelta(0):
            return False
        return since % every < length if every else since < length

    def gas_leak(self, code: str, at: datetime) -> bool:
        p = self.plan
        return self._repeating(code, self.victims.gas_leak, at, p.leak_at, p.leak_for, p.leak_every)

    def cover_displaced(self, code: str, at: datetime) -> bool:
        p = self.plan
        return self._repeating(code, self.victims.cover, at, p.cover_at, p.cover_for, p.cover_every)

    def main_burst(self, code: str, at: datetime) -> bool:
        p = self.plan
        return self._repeating(code, self.victims.burst, at, p.burst_at, p.burst_for, p.burst_every)

    def storm_strength(self, area_code: str, at: datetime) -> float:
        """0 outside a storm or its street; inside, it rises over the first fifth, holds, and
        recedes over the last third."""
        if not area_code.startswith(self.victims.storm_area):
            return 0.0
        since = self._since(at) - self.plan.storm_at
        if since < timedelta(0):
            return 0.0
        within = since % self.plan.storm_every if self.plan.storm_every else since
        part = within / self.storm_length
        if part >= 1:
            return 0.0
        if part < 0.2:
            return part / 0.2
        if part > 2 / 3:
            return (1 - part) * 3
        return 1.0

    def storm_on(self, at: datetime) -> bool:
        return self.storm_strength(self.victims.storm_area, at) > 0
