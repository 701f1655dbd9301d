"""Runs the simulation against a platform: reads the demo's devices, gives each a fresh token
(their tokens were shown once, at registration, and not kept), then steps the accelerated clock
and sends what is due until stopped (`stop` set, e.g. by Ctrl-C) or `minutes` have passed.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cityops.app import Platform
from cityops.demo.sensing import BEIJING_STATIONS, DEVICE_MIX, station_code
from cityops.demo.sensing_sim.events import EventPlan
from cityops.demo.sensing_sim.senders import Sender
from cityops.demo.sensing_sim.simulation import SimDevice, Simulation
from cityops.kernel.actor import SYSTEM

_DEMO_CODE = re.compile("^(" + "|".join(prefix for prefix, *_ in DEVICE_MIX.values()) + r")-\d{4}$")


def demo_devices(platform: Platform) -> list[SimDevice]:
    """The demo's devices (codes `seed_demo_sensing` gives), with their type's interval."""
    stations = {station_code(name) for name, _ in BEIJING_STATIONS}
    with platform.read() as s:
        intervals = {
            kind.code: kind.shortest_interval for kind in platform.sensing.device_types(s, SYSTEM)
        }
        out: list[SimDevice] = []
        offset = 0
        while True:
            page, total = platform.sensing.list_devices(s, SYSTEM, offset=offset, limit=500)
            for d in page:
                if d.code in stations or _DEMO_CODE.match(d.code):
                    out.append(SimDevice(d.code, d.type_code, d.area_code, intervals[d.type_code]))
            offset += len(page)
            if not page or offset >= total:
                return out


def issue_tokens(platform: Platform, codes: list[str], *, chunk: int = 50) -> dict[str, str]:
    """Fresh tokens, `chunk` devices a transaction (short write locks beside a running server)."""
    tokens: dict[str, str] = {}
    for i in range(0, len(codes), chunk):
        with platform.uow() as uow:
            for code in codes[i : i + chunk]:
                tokens[code] = platform.sensing.issue_token(uow.session, SYSTEM, code)
    return tokens


def build_simulation(
    platform: Platform,
    *,
    data_dir: Path | None,
    sim_start: datetime,
    start: datetime,
    rate: float,
    min_period: timedelta = timedelta(0),
    plan: EventPlan | None = None,
    seed: int = 2026,
) -> tuple[Simulation, dict[str, str]]:
    """The simulation of the demo's devices and their fresh tokens."""
    devices = demo_devices(platform)
    if not devices:
        raise LookupError("no demo devices: run `cityops demo` first")
    by_code = {station_code(name): name for name, _ in BEIJING_STATIONS}
    stations = {d.code: by_code[d.code] for d in devices if d.code in by_code}
    sim = Simulation(
        devices,
        sim_start=sim_start,
        start=start,
        rate=rate,
        air_stations=stations,
        data_dir=data_dir,
        min_period=min_period,
        plan=plan,
        seed=seed,
    )
    return sim, issue_tokens(platform, [d.code for d in devices])


@dataclass
class RunStats:
    steps: int = 0
    messages: int = 0
    real_seconds: float = 0.0
    sim_hours: float = 0.0


def run(
    sim: Simulation,
    sender: Sender,
    *,
    sim_now: Callable[[], datetime],
    platform_now: Callable[[], datetime],
    stop: threading.Event,
    tick_seconds: float = 1.0,
    minutes: float | None = None,
    on_step: Callable[[RunStats], None] | None = None,
) -> RunStats:
    """Step every `tick_seconds` of real time until `stop` is set or `minutes` passed."""
    stats = RunStats()
    began = time.monotonic()
    first_sim = sim_now()
    while not stop.is_set():
        if minutes is not None and time.monotonic() - began >= minutes * 60:
            break
        t0 = time.monotonic()
        current = sim_now()
        messages = sim.step(current, platform_now())
        sender.send(messages)
        stats.steps += 1
        stats.messages += len(messages)
        stats.real_seconds = time.monotonic() - began
        stats.sim_hours = (current - first_sim).total_seconds() / 3600
        if on_step is not None:
            on_step(stats)
        stop.wait(max(0.0, tick_seconds - (time.monotonic() - t0)))
    return stats
