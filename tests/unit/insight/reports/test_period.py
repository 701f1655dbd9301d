"""Report periods: parsing, the previous period (环比) and the same period a year before (同比)."""

from __future__ import annotations

from datetime import date

import pytest

from cityops.insight.reports.period import PeriodKind, last_complete, parse_period
from cityops.kernel.errors import ValidationFailed


@pytest.mark.parametrize(
    ("text", "kind", "start", "end"),
    [
        ("2026-11", PeriodKind.monthly, date(2026, 11, 1), date(2026, 11, 30)),
        ("2026-12", PeriodKind.monthly, date(2026, 12, 1), date(2026, 12, 31)),
        ("2026-W47", PeriodKind.weekly, date(2026, 11, 16), date(2026, 11, 22)),
        ("2026-11-23", PeriodKind.daily, date(2026, 11, 23), date(2026, 11, 23)),
    ],
)
def test_parse(text: str, kind: PeriodKind, start: date, end: date) -> None:
    period = parse_period(text)
    assert (period.kind, period.start, period.end, period.label) == (kind, start, end, text)


@pytest.mark.parametrize("text", ["2026-13", "2026-W54", "2026-02-30", "11/2026", ""])
def test_bad_periods_are_refused(text: str) -> None:
    with pytest.raises(ValidationFailed) as e:
        parse_period(text)
    assert e.value.code == "bad_report_period"


@pytest.mark.parametrize(
    ("text", "previous", "year_before"),
    [
        ("2026-03", "2026-02", "2025-03"),
        ("2026-01", "2025-12", "2025-01"),
        ("2026-W01", "2025-W52", "2025-W01"),
        ("2026-W53", "2026-W52", "2025-W52"),  # 2025 has 52 ISO weeks
        ("2026-03-01", "2026-02-28", "2025-03-01"),
        ("2028-02-29", "2028-02-28", "2027-02-28"),
    ],
)
def test_previous_and_year_before(text: str, previous: str, year_before: str) -> None:
    period = parse_period(text)
    assert period.previous().label == previous
    assert period.year_before().label == year_before


def test_last_complete_periods() -> None:
    today = date(2026, 12, 1)  # a Tuesday
    assert last_complete(PeriodKind.daily, today).label == "2026-11-30"
    assert last_complete(PeriodKind.weekly, today).label == "2026-W48"
    assert last_complete(PeriodKind.monthly, today).label == "2026-11"
