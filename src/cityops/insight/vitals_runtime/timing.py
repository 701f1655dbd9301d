"""When an indicator is due and over which window its value is read: pure arithmetic.

Evaluation instants are aligned to the refresh interval in Asia/Shanghai (a 1 h indicator at
every full hour, a 1 d one at local midnight, a 15 min one at :00, :15, :30, :45). China keeps
no daylight saving, so local alignment is alignment of the UTC instant shifted by eight hours.
An indicator with `active_hours` is due only at instants inside them.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from cityops.insight.vitals.definitions import ActiveHours
from cityops.kernel.clock import SHANGHAI

_OFFSET = timedelta(hours=8)  # Asia/Shanghai, all year
LOCAL_OFFSET_S = 8 * 3600
TREND_POINTS = 1000  # a chart 1,000 px wide shows no more
# bucket lengths a trend prefers (1 min … 7 d), each used where it is a multiple of the refresh
_NICE_STEPS_S = (60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def boundary(now: datetime, refresh: timedelta) -> datetime:
    """The latest instant at or before `now` aligned to `refresh` in Asia/Shanghai."""
    step = int(refresh.total_seconds())
    local_s = int((now - _EPOCH + _OFFSET).total_seconds())
    aligned = local_s - local_s % step
    return _EPOCH + timedelta(seconds=aligned) - _OFFSET


def is_due(
    now: datetime,
    refresh: timedelta,
    last: datetime | None,
    active: ActiveHours | None = None,
) -> datetime | None:
    """The instant to evaluate at when a boundary passed since `last` (None: never evaluated),
    else None. After downtime only the latest boundary is due (catch-up skips missed ones).
    With `active` hours a boundary outside them is not due: nothing is evaluated or stored, so
    the hours outside count as no missed interval (street lights are not judged by day)."""
    at = boundary(now, refresh)
    if active is not None and not active.contains(at):
        return None
    return at if last is None or at > last else None


def month_start(at: datetime) -> datetime:
    """The start of the calendar month (Asia/Shanghai) holding the instant just before `at`,
    as UTC: month-to-date windows end at `at`, so the window ending at midnight on the 1st is
    the whole previous month."""
    local = (at - timedelta(microseconds=1)).astimezone(SHANGHAI)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def to_ms(at: datetime) -> int:
    return int((at - _EPOCH).total_seconds() * 1000)


def trend_step(refresh: timedelta, start: datetime, end: datetime) -> int:
    """The seconds between a trend's points: the refresh interval while the window holds at most
    TREND_POINTS of them (every stored value shown), else a whole multiple of it — the shortest
    round length (1 h, 12 h, 1 d …) that keeps the buckets to TREND_POINTS, otherwise (none
    below twice that) the smallest multiple that does."""
    refresh_s = max(1, int(refresh.total_seconds()))
    need = math.ceil((end - start).total_seconds() / TREND_POINTS)
    if need <= refresh_s:
        return refresh_s
    smallest = math.ceil(need / refresh_s) * refresh_s
    for step in _NICE_STEPS_S:
        if step >= need and step % refresh_s == 0 and step < 2 * smallest:
            return step
    return smallest
