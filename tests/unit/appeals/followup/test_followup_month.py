"""The month window of the 三率: Shanghai calendar months as UTC instants."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cityops.appeals.followup.service import parse_month
from cityops.kernel.errors import ValidationFailed


@pytest.mark.parametrize(
    ("month", "start", "end"),
    [
        ("2026-11", datetime(2026, 10, 31, 16, tzinfo=UTC), datetime(2026, 11, 30, 16, tzinfo=UTC)),
        ("2026-12", datetime(2026, 11, 30, 16, tzinfo=UTC), datetime(2026, 12, 31, 16, tzinfo=UTC)),
    ],
)
def test_month_window(month: str, start: datetime, end: datetime) -> None:
    assert parse_month(month) == (start, end)


@pytest.mark.parametrize("bad", ["2026-00", "2026-13", "2026-1", "11/2026", ""])
def test_bad_month(bad: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        parse_month(bad)
    assert err.value.code == "invalid_month"
