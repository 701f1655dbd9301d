"""Builds the whole demo city into the platform's database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cityops.app import Platform
from cityops.demo.accounts import DemoOrg, seed_org
from cityops.demo.key_sites import seed_key_sites
from cityops.demo.messages import load_messages
from cityops.demo.routing import held_out
from cityops.demo.traffic import TrafficSimulator, TrafficStats
from cityops.demo.vitals import DemoVitals
from cityops.kernel.actor import SYSTEM
from cityops.kernel.clock import FixedClock
from cityops.taxonomy.public import load_default_taxonomy

Step = Callable[[str], None]


@dataclass(frozen=True)
class DemoSummary:
    areas: dict[str, int]
    categories: int
    org: DemoOrg
    traffic: TrafficStats
    real_areas: bool
    real_messages: bool


def build_demo(
    platform: Platform,
    clock: FixedClock,
    *,
    end: datetime,
    weeks: int,
    cases_per_day: float,
    data_dir: Path | None,
    seed: int = 2026,
    step: Step | None = None,
    on_day: Callable[[int], None] | None = None,
    vitals: DemoVitals | None = None,
) -> DemoSummary:
    """Areas, departments and staff, the responsibility list, then `weeks` of traffic ending at
    `end`. The platform must be built on `clock`, which this walks from `end - weeks` to `end`.
    With `vitals`: its series from before the traffic, and the vital signs evaluated as the
    traffic goes (at `vitals.case_instants`)."""
    say = step or (lambda _msg: None)
    start = end - timedelta(weeks=weeks)
    clock.set(start)
    hangzhou = data_dir / "hangzhou_xiacheng" if data_dir is not None else None
    levels = platform.geo.levels
    say("areas " + "/".join(levels.name(level) for level in levels.in_use))
    with platform.uow() as uow:
        if hangzhou is not None and hangzhou.is_dir():
            areas = platform.geo.import_hangzhou_xiacheng(uow, SYSTEM, hangzhou)
        else:
            areas = platform.geo.generate_demo_city(uow, SYSTEM)
    say("departments and staff")
    org = seed_org(platform)
    say("responsibility list 权责清单")  # after the departments it names
    with platform.uow() as uow:
        result = load_default_taxonomy(uow, platform.taxonomy, SYSTEM)
    with platform.uow() as uow:  # 知识库: the default consultation answers
        platform.knowledge.load_defaults(uow, SYSTEM)
    say("key sites 重点场所 (demo data)")
    seed_key_sites(platform, seed)
    messages = load_messages(data_dir, keep=held_out)  # never the routing model's training
    if vitals is not None:
        say("city vital signs 城市体征: series (demo data)")
        vitals.seed_series(start)
    say(f"{weeks} weeks of cases")
    sim = TrafficSimulator(platform, clock, org, messages, seed=seed)
    stats = sim.run(
        start,
        end,
        cases_per_day=cases_per_day,
        on_day=on_day,
        instants=() if vitals is None else vitals.case_instants(start, end),
        on_instant=None if vitals is None else vitals.during_cases,
    )
    return DemoSummary(
        areas=dict(areas),
        categories=result.total,
        org=org,
        traffic=stats,
        real_areas=hangzhou is not None and hangzhou.is_dir(),
        real_messages=data_dir is not None and (data_dir / "tipdm2020_c").is_dir(),
    )
