"""A month as people write it (YYYY-MM) → its window of Shanghai days; a month out of the range
a query may name (years 1900 … 2999), or that does not look like a month, is a ValidationFailed
naming the field — never an overflow at the window's end."""

from __future__ import annotations

from datetime import datetime

import pytest

from cityops.kernel.clock import SHANGHAI, month_window
from cityops.kernel.errors import ValidationFailed


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026-11", datetime(2026, 11, 1, tzinfo=SHANGHAI), datetime(2026, 12, 1, tzinfo=SHANGHAI)),
        ("2026-12", datetime(2026, 12, 1, tzinfo=SHANGHAI), datetime(2027, 1, 1, tzinfo=SHANGHAI)),
        ("1900-01", datetime(1900, 1, 1, tzinfo=SHANGHAI), datetime(1900, 2, 1, tzinfo=SHANGHAI)),
        ("2999-12", datetime(2999, 12, 1, tzinfo=SHANGHAI), datetime(3000, 1, 1, tzinfo=SHANGHAI)),
    ],
)
def test_a_month_is_its_days(text: str, start: datetime, end: datetime) -> None:
    assert month_window(text) == (start, end)


@pytest.mark.parametrize("text", ["9999-12", "0001-01", "0000-01", "3000-01", "1899-12"])
def test_a_month_out_of_range_is_refused(text: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        month_window(text)
    assert err.value.code == "date_out_of_range"
    assert err.value.message == (
        f"month {text} is out of range: dates lie between 1900-01-01 and 2999-12-31"
    )


@pytest.mark.parametrize(
    "text", ["10000-01", "2026-00", "2026-13", "2026-1", "11/2026", "", "-1-01"]
)
def test_what_is_not_a_month_is_refused(text: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        month_window(text, "board month")
    assert err.value.code == "invalid_month"
    assert err.value.message == f"board month must be a month such as 2026-11, not {text!r}"
