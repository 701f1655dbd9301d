"""Bucket arithmetic: minutes and hours on the clock, days on the Beijing calendar day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from cityops.sensing.buckets import (
    DAY_MS,
    HOUR_MS,
    MINUTE_MS,
    Period,
    bucket_end,
    bucket_sql,
    bucket_start,
    covering,
    windows,
)

BEIJING = timezone(timedelta(hours=8))


def ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


@pytest.mark.parametrize(
    ("at", "period", "start"),
    [
        (
            datetime(2026, 12, 7, 10, 51, 59, 999000, UTC),
            Period.minute,
            datetime(2026, 12, 7, 10, 51, tzinfo=UTC),
        ),
        (
            datetime(2026, 12, 7, 10, 51, tzinfo=UTC),
            Period.minute,
            datetime(2026, 12, 7, 10, 51, tzinfo=UTC),
        ),
        (
            datetime(2026, 12, 7, 10, 59, 59, tzinfo=UTC),
            Period.hour,
            datetime(2026, 12, 7, 10, tzinfo=UTC),
        ),
        # 15:59 UTC is 23:59 in Beijing: still the 7th there
        (
            datetime(2026, 12, 7, 15, 59, tzinfo=UTC),
            Period.day,
            datetime(2026, 12, 7, tzinfo=BEIJING),
        ),
        # 16:00 UTC is midnight in Beijing: the 8th begins
        (
            datetime(2026, 12, 7, 16, 0, tzinfo=UTC),
            Period.day,
            datetime(2026, 12, 8, tzinfo=BEIJING),
        ),
        (
            datetime(2026, 12, 7, 0, 30, tzinfo=UTC),
            Period.day,
            datetime(2026, 12, 7, tzinfo=BEIJING),
        ),
    ],
)
def test_bucket_start(at: datetime, period: Period, start: datetime) -> None:
    assert bucket_start(ms(at), period) == ms(start)
    assert (
        bucket_end(ms(at), period) - ms(start)
        == {"1m": MINUTE_MS, "1h": HOUR_MS, "1d": DAY_MS}[period]
    )


def test_every_instant_of_a_bucket_has_the_same_start() -> None:
    day = ms(datetime(2026, 3, 1, tzinfo=BEIJING))
    starts = {
        bucket_start(day + i * 7 * MINUTE_MS, Period.day) for i in range(DAY_MS // (7 * MINUTE_MS))
    }
    assert starts == {day}
    assert bucket_start(day - 1, Period.day) == day - DAY_MS


@pytest.mark.parametrize("period", list(Period))
def test_the_sql_expression_computes_the_same_start(period: Period) -> None:
    expression = bucket_sql("ts", period)
    for ts in (
        0,
        1,
        59_999,
        60_000,
        1_796_000_123_456,
        ms(datetime(2026, 12, 7, 16, tzinfo=UTC)) - 1,
    ):
        assert eval(expression, {"ts": ts}) == bucket_start(ts, period)


def test_covering_rounds_out_to_whole_buckets() -> None:
    a = ms(datetime(2026, 12, 7, 10, 20, 30, tzinfo=UTC))
    b = ms(datetime(2026, 12, 7, 12, 0, tzinfo=UTC))
    assert covering(a, b, Period.hour) == (
        ms(datetime(2026, 12, 7, 10, tzinfo=UTC)),
        ms(datetime(2026, 12, 7, 12, tzinfo=UTC)),
    )
    assert covering(a, a + 1, Period.minute) == (a - 30_000, a + 30_000)
    assert covering(a, a, Period.minute)[0] == covering(a, a, Period.minute)[1]


def test_windows_cover_the_range_without_overlap() -> None:
    assert windows(0, 10, 4) == [(0, 4), (4, 8), (8, 10)]
    assert windows(5, 5, 4) == []
    with pytest.raises(ValueError, match="positive"):
        windows(0, 10, 0)
