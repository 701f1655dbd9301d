"""`build_demo`: a week of simulated traffic on a generated city and on the real data, on SQLite
and PostgreSQL — every planned action is accepted by the case engine and the cases spread over
the workflow."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text

from cityops.app import Platform
from cityops.demo.build import build_demo
from cityops.kernel.clock import FixedClock


def _statuses(platform: Platform) -> Counter[str]:
    with platform.read() as s:
        rows = s.execute(text("SELECT status, COUNT(*) FROM cases GROUP BY status")).all()
    return Counter({str(status): int(n) for status, n in rows})


def test_a_week_on_a_generated_city(platform: Platform, clock: FixedClock) -> None:
    end = clock.now() + timedelta(days=7)
    summary = build_demo(platform, clock, end=end, weeks=1, cases_per_day=12, data_dir=None)
    assert not summary.real_areas
    assert not summary.real_messages
    assert summary.traffic.created >= 40
    assert summary.traffic.refused == 0
    statuses = _statuses(platform)
    assert sum(statuses.values()) == summary.traffic.created
    assert statuses["closed"] > 0
    assert statuses["reported"] + statuses["registered"] > 0
    assert {"dispatched", "in_progress", "handled"} & set(statuses)


def test_real_messages_are_filed_under_their_appeal_group(
    platform: Platform, clock: FixedClock, shared_data: Path
) -> None:
    end = clock.now() + timedelta(days=7)
    summary = build_demo(platform, clock, end=end, weeks=1, cases_per_day=12, data_dir=shared_data)
    assert summary.real_areas
    assert summary.real_messages
    assert summary.traffic.refused == 0
    with platform.read() as s:
        codes = Counter(
            str(code)
            for (code,) in s.execute(
                text("SELECT category_code FROM cases WHERE source <> 'inspector'")
            )
        )
    assert codes
    # the messages carry a first-level label only: filed under that 诉求大类 (A01…A13)
    assert all(len(code) == 3 and code.startswith("A") for code in codes), codes
    assert len(codes) >= 3
