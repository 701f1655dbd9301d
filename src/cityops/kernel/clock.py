"""Clocks. Code asks an injected clock for the time; nothing calls datetime.now() directly."""

from __future__ import annotations

import re
import threading
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from cityops.kernel.errors import ValidationFailed

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The days a query may name: wide enough for any record, and far enough from datetime's own
# limits (years 1 and 9999) that a zone shift or a day added never overflows.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)


_MONTH = re.compile(r"(\d{4})-(\d{2})", re.ASCII)


def check_day_range(value: date, name: str) -> None:
    """ValidationFailed (422 / Open311 400) when `value` (a day or an instant) lies outside
    EARLIEST_DAY … LATEST_DAY."""
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise _out_of_range(name, value.isoformat())


def _out_of_range(name: str, shown: str) -> ValidationFailed:
    return ValidationFailed(
        f"{name} {shown} is out of range: dates lie between "
        f"{EARLIEST_DAY.isoformat()} and {LATEST_DAY.isoformat()}",
        code="date_out_of_range",
    )


def month_window(text: str, name: str = "month") -> tuple[datetime, datetime]:
    """A month as people write it ('2026-11') → [its first day 00:00, the next month's first day
    00:00) in Asia/Shanghai. ValidationFailed (422) naming `name` when the text is not a month
    (invalid_month) or the month lies outside EARLIEST_DAY … LATEST_DAY (date_out_of_range), so
    no caller computes a window end past what datetime holds."""
    found = _MONTH.fullmatch(text)
    if found is None or not 1 <= int(found.group(2)) <= 12:
        raise ValidationFailed(
            f"{name} must be a month such as 2026-11, not {text!r}", code="invalid_month"
        )
    year, month = int(found.group(1)), int(found.group(2))
    if not EARLIEST_DAY.year <= year <= LATEST_DAY.year:
        raise _out_of_range(name, text)
    start = datetime(year, month, 1, tzinfo=SHANGHAI)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=SHANGHAI)
    return start, end


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until moved; for tests and simulated demo traffic."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, instant: datetime) -> None:
        with self._lock:
            self._now = instant.astimezone(UTC)

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            self._now += delta
            return self._now


def as_utc(value: datetime) -> datetime:
    """Normalise a datetime to aware UTC; naive values are taken to be UTC (as SQLite gives
    them back)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def to_local(value: datetime) -> datetime:
    """Display time: Asia/Shanghai."""
    return as_utc(value).astimezone(SHANGHAI)
