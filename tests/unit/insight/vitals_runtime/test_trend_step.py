"""The spacing of a trend's points: every stored value up to 1,000 refresh intervals, beyond that
buckets of a round multiple of the refresh interval keeping the points to about 1,000; and the
instant column's epoch seconds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from cityops.infra.db import EpochSeconds
from cityops.insight.vitals_runtime.timing import TREND_POINTS, trend_step

END = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("refresh", "window", "step"),
    [
        (timedelta(minutes=5), timedelta(hours=24), 300),  # 288 values: all of them
        (timedelta(minutes=5), timedelta(minutes=5 * 1000), 300),  # exactly 1,000: all
        (timedelta(minutes=5), timedelta(days=7), 900),  # 2,016 → 15 min buckets (672)
        (timedelta(minutes=5), timedelta(days=30), 3600),  # 8,640 → 1 h (720)
        (timedelta(minutes=5), timedelta(days=365), 43200),  # 105,120 → 12 h (730)
        (timedelta(hours=1), timedelta(days=400), 43200),  # 9,600 → 12 h (800)
        (timedelta(days=1), timedelta(days=400), 86400),  # 400 values: all of them
        (timedelta(minutes=7), timedelta(days=30), 2940),  # no round multiple of 7 min fits
        (timedelta(minutes=1), timedelta(days=400), 43200),
    ],
)
def test_the_step_is_a_multiple_of_the_refresh_keeping_about_1000_points(
    refresh: timedelta, window: timedelta, step: int
) -> None:
    got = trend_step(refresh, END - window, END)
    assert got == step
    assert got % int(refresh.total_seconds()) == 0
    assert window.total_seconds() / got <= TREND_POINTS


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()])
def test_epoch_seconds_round_trip_and_refuse_a_fraction(dialect: object) -> None:
    kind = EpochSeconds()
    at = datetime(2026, 11, 23, 1, 5, tzinfo=UTC)
    stored = kind.process_bind_param(at, dialect)  # type: ignore[arg-type]
    assert stored == 1795395900
    assert kind.process_result_value(stored, dialect) == at  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="whole second"):
        kind.process_bind_param(at + timedelta(milliseconds=1), dialect)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="naive"):
        kind.process_bind_param(at.replace(tzinfo=None), dialect)  # type: ignore[arg-type]
