from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from cityops.insight.evaluation.periods import PeriodKind, last_periods, parse_period, period_of
from cityops.kernel.errors import ValidationFailed


def test_month_bounds_are_shanghai_days() -> None:
    p = parse_period("2026-11")
    assert (p.first, p.last, p.label) == (date(2026, 11, 1), date(2026, 11, 30), "2026-11")
    assert p.bounds() == (
        datetime(2026, 10, 31, 16, tzinfo=UTC),
        datetime(2026, 11, 30, 16, tzinfo=UTC),
    )


def test_week_and_previous_periods() -> None:
    w = parse_period("2026-W01")
    assert w.first == date(2025, 12, 29)
    assert w.label == "2026-W01"
    assert [p.label for p in last_periods(parse_period("2026-02"), 3)] == [
        "2025-12",
        "2026-01",
        "2026-02",
    ]
    assert [p.label for p in last_periods(w, 2)] == ["2025-W52", "2026-W01"]
    assert period_of(date(2026, 11, 25), PeriodKind.week).label == "2026-W48"


@pytest.mark.parametrize("text", ["2026-13", "2026-W60", "11/2026", ""])
def test_bad_periods(text: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        parse_period(text)
    assert err.value.code == "invalid_period"
