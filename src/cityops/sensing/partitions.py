"""Day partitions of `sensing_points` on PostgreSQL (range of `ts`, milliseconds).

The writer asks for the partitions of the days a batch touches before inserting it; each is
created once (`CREATE TABLE IF NOT EXISTS … PARTITION OF`, in its own short transaction so a
concurrent creator in another process is harmless). Retention drops whole partitions whose day
ended before the cut. SQLite has no partitions: there retention deletes rows.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, text

DAY_MS = 86_400_000
_NAME = re.compile(r"^sensing_points_(\d{8})$")


def day_of(ts_ms: int) -> date:
    return datetime.fromtimestamp(ts_ms / 1000, tz=UTC).date()


def _bounds(day: date) -> tuple[int, int]:
    start = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)
    return start, start + DAY_MS


def partition_name(day: date) -> str:
    return f"sensing_points_{day:%Y%m%d}"


class PartitionKeeper:
    """Creates the day partitions a write needs, remembering those it made or saw."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._known: set[date] = set()
        self._lock = threading.Lock()
        self.enabled = engine.dialect.name == "postgresql"

    def ensure(self, ts_values: Iterable[int]) -> None:
        if not self.enabled:
            return
        days = {day_of(ts) for ts in ts_values} - self._known
        for day in sorted(days):
            self._create(day)

    def _create(self, day: date) -> None:
        with self._lock:
            if day in self._known:
                return
            start, end = _bounds(day)
            with self._engine.begin() as conn:
                conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('sensing_points_ddl'))"))
                conn.execute(
                    text(
                        f"CREATE TABLE IF NOT EXISTS {partition_name(day)} PARTITION OF "
                        f"sensing_points FOR VALUES FROM ({start}) TO ({end})"
                    )
                )
            self._known.add(day)

    def existing(self) -> list[date]:
        if not self.enabled:
            return []
        with self._engine.connect() as conn:
            names = conn.execute(
                text(
                    "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                    "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'sensing_points'"
                )
            ).scalars()
            days = []
            for name in names:
                match = _NAME.match(name)
                if match:
                    days.append(datetime.strptime(match.group(1), "%Y%m%d").date())
        return sorted(days)

    def drop_before(self, cut: date) -> list[date]:
        """Drop the partitions of days before `cut`; the days dropped."""
        dropped = []
        for day in self.existing():
            if day < cut:
                with self._engine.begin() as conn:
                    conn.execute(text(f"DROP TABLE IF EXISTS {partition_name(day)}"))
                dropped.append(day)
                self._known.discard(day)
        return dropped


def next_days(today: date, count: int) -> list[date]:
    return [today + timedelta(days=i) for i in range(count)]
