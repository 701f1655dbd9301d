"""Retention: raw points and rollups are kept per device type, then deleted.

Each device type keeps raw points `raw_retention_days` and rollups `rollup_retention_days`
(days before now). On SQLite the job deletes, per type, the points and rollups of its devices
older than those cuts. On PostgreSQL raw points live in day partitions (partitions.py): the
job drops whole the partitions of days before the longest raw retention of any type (a DROP
TABLE, no row-by-row delete, no bloat), and deletes by rows only the points of types kept a
shorter time that lie in the partitions still kept (e.g. 30-day types inside 90 days of
partitions). Rollups are rows on both databases and are deleted per type.

The cut of a type is now − N days, to the millisecond; a partition is dropped only when its
whole day ended before the longest cut, so nothing still kept is dropped. Device id 0 (the
rollup job's watermark row) is never a device's and is not touched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine, delete, select

from cityops.sensing import store as t
from cityops.sensing.buckets import DAY_MS
from cityops.sensing.catalog import DeviceType
from cityops.sensing.partitions import PartitionKeeper, day_of


@dataclass
class RetentionRun:
    points_deleted: int = 0
    rollups_deleted: int = 0
    partitions_dropped: list[date] = field(default_factory=list)


def partition_cut(types: list[DeviceType], now_ms: int) -> date | None:
    """The first day whose partition is kept: partitions of earlier days end before the cut of
    the type kept longest. None without types (nothing is known, nothing is dropped)."""
    if not types:
        return None
    longest = max(kind.raw_retention_days for kind in types)
    return day_of(now_ms - longest * DAY_MS)


class RetentionJob:
    """Deletes what each device type no longer keeps; `run` is the scheduled job."""

    def __init__(
        self,
        engine: Engine,
        partitions: PartitionKeeper,
        types: Callable[[], list[DeviceType]],
        now_ms: Callable[[], int],
    ) -> None:
        self._engine = engine
        self._partitions = partitions
        self._types = types
        self._now_ms = now_ms

    def run(self) -> RetentionRun:
        now = int(self._now_ms())
        types = self._types()
        done = RetentionRun()
        cut_day = partition_cut(types, now)
        if self._partitions.enabled and cut_day is not None:
            done.partitions_dropped = self._partitions.drop_before(cut_day)
        p, r, d = t.points, t.rollups, t.devices
        for kind in types:
            of_type = select(d.c.id).where(d.c.type_code == kind.code)
            raw_cut = now - kind.raw_retention_days * DAY_MS
            rollup_cut = now - kind.rollup_retention_days * DAY_MS
            with self._engine.begin() as conn:
                done.points_deleted += conn.execute(
                    delete(p).where(p.c.device_id.in_(of_type), p.c.ts < raw_cut)
                ).rowcount
                done.rollups_deleted += conn.execute(
                    delete(r).where(
                        r.c.device_id.in_(of_type), r.c.bucket < rollup_cut, r.c.period != "wm"
                    )
                ).rowcount
        return done
