"""Bucket arithmetic of the rollups, without I/O: periods, bucket starts, windows.

Instants are integer milliseconds since 1970 UTC. A minute and an hour bucket start on the
minute and the hour (UTC and Beijing time agree on both). A day bucket is the city's calendar
day: it starts at 00:00 Asia/Shanghai, which is UTC+8 all year (China has kept no daylight
saving time since 1991), so a day bucket starts at 16:00 UTC of the day before.
"""

from __future__ import annotations

from enum import StrEnum

MINUTE_MS = 60_000
HOUR_MS = 3_600_000
DAY_MS = 86_400_000
DAY_OFFSET_MS = 8 * HOUR_MS  # Asia/Shanghai: UTC+8, no daylight saving time


class Period(StrEnum):
    """The rollup periods, as stored in `sensing_rollups.period`."""

    minute = "1m"
    hour = "1h"
    day = "1d"


PERIOD_MS = {Period.minute: MINUTE_MS, Period.hour: HOUR_MS, Period.day: DAY_MS}
# the offset a bucket's start is aligned to (ms after 00:00 UTC): only days have one
PERIOD_OFFSET_MS = {Period.minute: 0, Period.hour: 0, Period.day: DAY_MS - DAY_OFFSET_MS}


def bucket_start(ts: int, period: Period) -> int:
    """The start of the bucket of `period` holding the instant `ts` (ms)."""
    size = PERIOD_MS[period]
    offset = PERIOD_OFFSET_MS[period]
    return ts - ((ts - offset) % size)


def bucket_end(ts: int, period: Period) -> int:
    """The end (exclusive) of the bucket holding `ts`."""
    return bucket_start(ts, period) + PERIOD_MS[period]


def covering(start: int, end: int, period: Period) -> tuple[int, int]:
    """The smallest range of whole buckets of `period` holding [start, end)."""
    if end <= start:
        first = bucket_start(start, period)
        return first, first
    return bucket_start(start, period), bucket_end(end - 1, period)


def windows(start: int, end: int, size: int) -> list[tuple[int, int]]:
    """[start, end) cut into consecutive windows of at most `size` ms."""
    if size <= 0:
        raise ValueError("a window has a positive size")
    out = []
    at = start
    while at < end:
        out.append((at, min(end, at + size)))
        at += size
    return out


def bucket_sql(column: str, period: Period) -> str:
    """The SQL expression (both dialects: integer arithmetic on non-negative ms) of the bucket
    start of `column`."""
    size = PERIOD_MS[period]
    offset = PERIOD_OFFSET_MS[period]
    if offset:
        return f"({column} - (({column} + {size - offset}) % {size}))"
    return f"({column} - ({column} % {size}))"
