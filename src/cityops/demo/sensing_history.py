"""The demo's recent sensing history: the simulator run over the last `minutes` before the demo's
end, so that `cityops demo` leaves readings, alarms, sensor cases and rollups behind and the
city vital signs have values without `cityops sensing simulate` running.

SIMULATED DEMO DATA: the readings come from the simulator's generators (`sensing_sim.shapes`,
the Beijing replay or its generated stand-in for the air stations). The platform's clock is the
simulated one here (rate 1, as in tests/integration/demo/test_sensing_demo.py): it is stepped a
minute at a time and the alarm runner's passes run as the lease holder's jobs would. The
incidents are timed so that they are under way at the end: the storm (rain, waterlogging,
manholes, pumps), a gas leak, a displaced manhole cover, a burst main and a trapped passenger.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cityops.app import Platform
from cityops.demo.sensing_sim.driver import build_simulation
from cityops.demo.sensing_sim.events import EventPlan
from cityops.demo.sensing_sim.senders import InProcessSender
from cityops.kernel.clock import FixedClock

HISTORY_MINUTES = 60
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class SensingHistory:
    points: int
    messages: Counter[str]  # per device type
    refused: dict[str, int]  # reason → points refused (none expected)


def history_plan(minutes: int) -> EventPlan:
    """Incidents that begin inside the window and last past its end (the storm: its strongest
    part, which lasts from a fifth to two thirds of its hour, covers the end)."""
    length = timedelta(minutes=minutes)
    return EventPlan(
        stuck_at=length / 3,
        silent_at=length / 2,
        trapped_at=length - timedelta(minutes=4),
        trapped_for=timedelta(minutes=8),
        smoke_at=length + timedelta(minutes=30),  # not in this window: no fire in the demo
        storm_at=length - timedelta(minutes=30),
        leak_at=length - timedelta(minutes=12),
        cover_at=length - timedelta(minutes=25),
        burst_at=length - timedelta(minutes=40),
    )


def record_recent_sensing(
    platform: Platform,
    clock: FixedClock,
    *,
    end: datetime,
    data_dir: Path | None,
    minutes: int = HISTORY_MINUTES,
    min_period: timedelta = timedelta(minutes=1),
    seed: int = 2026,
    every: timedelta | None = None,
    on_instant: Callable[[datetime], object] | None = None,
) -> SensingHistory:
    """Run the simulation from `end - minutes` to `end` on `clock` (left at `end`). With
    `every` and `on_instant`: at each minute that passes a whole multiple of `every` (from the
    epoch), once the minute's readings are stored, the latest values flushed and the rollups
    run (the jobs of a running platform), `on_instant(minute)` with the clock there (the
    demo's vital signs, which evaluate at that multiple)."""
    start = end - timedelta(minutes=minutes)
    clock.set(start)
    sim, tokens = build_simulation(
        platform,
        data_dir=data_dir,
        sim_start=start,
        start=start,
        rate=1.0,
        min_period=min_period,
        plan=history_plan(minutes),
        seed=seed,
    )
    sender = InProcessSender(platform.sensing.ingestion, tokens)
    runner = platform.alarms.runner
    slot: int | None = None  # the last multiple of `every` passed
    try:
        for minute in range(minutes + 1):
            at = start + timedelta(minutes=minute)
            clock.set(at)
            sender.send(sim.step(at, at))
            runner.process_readings()
            if minute % 5 == 0 or minute == minutes:
                runner.tick()
                platform.sensing.writer.flush_latest()
                runner.check_inactivity()
                platform.relay.drain()
                platform.alarm_cases.open_due()
            if on_instant is not None and every and (at - _EPOCH) // every != slot:
                slot = (at - _EPOCH) // every
                platform.sensing.writer.flush_latest()
                platform.sensing.rollup.run()
                on_instant(at)
                platform.relay.drain()
        runner.process_readings()
        platform.sensing.writer.flush_latest()
        platform.relay.drain()
        platform.sensing.rollup.run()
    finally:
        sim.close()
    refused = {k: v for k, v in sender.counts.items() if k != "points"}
    return SensingHistory(sender.counts["points"], Counter(sim.sent), refused)
