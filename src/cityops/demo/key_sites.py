"""The demo city's key sites (重点场所) for the city map: schools, kindergartens, hospitals,
elderly care homes, construction sites and waterlogging points (积水点) placed in the city's
own communities. DEMO DATA: invented names at points chosen at random inside real or generated
areas — not a register of real places."""

from __future__ import annotations

import random

from cityops.app import Platform
from cityops.geo.public import AreaLevel
from cityops.insight.public import KeySiteRow
from cityops.kernel.actor import SYSTEM

# per street: (kind, the name after the street's short name, how many, share of streets)
PLAN = (
    ("school", "小学", 1, 1.0),
    ("kindergarten", "幼儿园", 1, 0.7),
    ("hospital", "社区卫生服务中心", 1, 0.6),
    ("elderly_care", "颐养中心", 1, 0.4),
    ("construction", "安置房项目工地", 1, 0.4),
    ("waterlogging", "下穿通道积水点", 1, 0.35),
    ("market", "农贸市场", 1, 0.3),
)


def seed_key_sites(platform: Platform, seed: int = 2026) -> int:
    """Import the demo's key sites (all through the ordinary import); answers how many."""
    rng = random.Random(seed)
    with platform.read() as session:
        streets = platform.geo.list_features(session, AreaLevel.street)
        communities = platform.geo.list_features(session, AreaLevel.community)
        by_street: dict[str, list[str]] = {}
        for c in communities:
            if c.parent_code:
                by_street.setdefault(c.parent_code, []).append(c.ref.code)
        rows: list[KeySiteRow] = []
        for street in streets:
            short = street.ref.name.removesuffix("街道").removesuffix("镇")
            places = list(by_street.get(street.ref.code) or [street.ref.code])
            rng.shuffle(places)  # a community each while there are enough
            used = 0
            for kind, suffix, count, share in PLAN:
                if rng.random() > share:
                    continue
                for i in range(count):
                    code = places[used % len(places)]
                    used += 1
                    lon, lat = platform.geo.representative_point(session, code)
                    name = f"{short}{suffix}" if i == 0 else f"{short}第{i + 1}{suffix}"
                    rows.append(
                        KeySiteRow(len(rows) + 1, kind, name, lon, lat, None, {"demo": True})
                    )
    with platform.uow() as uow:
        done = platform.key_sites.import_sites(uow.session, SYSTEM, rows, replace=True)
    return done.imported
