"""Points written straight through the writer, and rollups computed independently of the SQL
(plain Python over the raw points, days by the Beijing calendar), for the storage tests."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import text

from cityops.app import Platform
from cityops.sensing.public import PointRow

BEIJING = timezone(timedelta(hours=8))
Key = tuple[int, str, str, int]  # device id, metric, period, bucket
Aggregate = tuple[float, float, float, int, float, int]  # min, max, sum, count, last, last_ts


def write(p: Platform, points: list[PointRow]) -> None:
    p.sensing.writer.write_now(points, ["-"] * len(points))
    p.sensing.writer.flush_latest()


def now_ms(p: Platform) -> int:
    return int(p.clock.now().timestamp() * 1000)


def _start(ts: int, period: str) -> int:
    at = datetime.fromtimestamp(ts / 1000, tz=UTC)
    if period == "1m":
        at = at.replace(second=0, microsecond=0)
    elif period == "1h":
        at = at.replace(minute=0, second=0, microsecond=0)
    else:
        at = at.astimezone(BEIJING).replace(hour=0, minute=0, second=0, microsecond=0)
    return int(at.timestamp() * 1000)


def expected_rollups(points: list[PointRow]) -> dict[Key, Aggregate]:
    groups: dict[Key, list[PointRow]] = defaultdict(list)
    for point in points:
        for period in ("1m", "1h", "1d"):
            groups[(point.device_id, point.metric, period, _start(point.ts, period))].append(point)
    out = {}
    for key, members in groups.items():
        values = [m.value for m in members]
        newest = max(members, key=lambda m: m.ts)
        out[key] = (min(values), max(values), sum(values), len(values), newest.value, newest.ts)
    return out


def stored_rollups(p: Platform) -> dict[Key, Aggregate]:
    with p.engine.connect() as conn:
        rows = conn.execute(
            text(
                'SELECT device_id, metric, period, bucket, "min", "max", "sum", "count", '
                "\"last\", last_ts FROM sensing_rollups WHERE period <> 'wm'"
            )
        )
        return {
            (int(r[0]), r[1], r[2], int(r[3])): (
                float(r[4]),
                float(r[5]),
                round(float(r[6]), 6),
                int(r[7]),
                float(r[8]),
                int(r[9]),
            )
            for r in rows
        }


def rounded(found: dict[Key, Aggregate]) -> dict[Key, Aggregate]:
    return {k: (a, b, round(s, 6), n, la, ts) for k, (a, b, s, n, la, ts) in found.items()}
