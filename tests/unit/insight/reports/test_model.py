"""The report model: headline figures with 同比/环比, shares, rankings head and tail."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, date, datetime

import pytest

from cityops.insight.reports.model import (
    MIN_RANKED,
    PeriodCounts,
    build_report,
    change_text,
    summary_text,
)
from cityops.insight.reports.period import parse_period


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    reported: int = 0
    due_to_handle: int = 0
    handled_on_time: int = 0
    due_to_close: int = 0
    closed: int = 0
    closed_on_time: int = 0
    overdue: int = 0
    reworked: int = 0
    supervised: int = 0
    evaluated: int = 0
    satisfied: int = 0
    unsatisfied: int = 0


def _unit(code: str, due: int, on_time: int, **kw: int) -> Unit:
    return Unit(
        code,
        f"单位{code}",
        reported=due,
        due_to_close=due,
        closed=due,
        closed_on_time=on_time,
        **kw,
    )


def _counts(units: list[Unit], sources: dict[str, int] | None = None) -> PeriodCounts:
    return PeriodCounts(
        by_source=sources or {},
        by_category={},
        by_day={},
        departments=units,
        streets=units,
    )


def _report(current: list[Unit], previous: list[Unit], sources: dict[str, int] | None = None):  # type: ignore[no-untyped-def]
    period = parse_period("2026-11")
    return build_report(
        period=period,
        generated_at=datetime(2026, 12, 1, tzinfo=UTC),
        scope_name="本市",
        current=_counts(current, sources),
        previous=_counts(previous),
        year_before=_counts([]),
        trend={date(2026, 11, 3): 4},
        trend_days=period.days,
        category_names={},
        lists=[],
        hot_issues_note="",
    )


def test_headline_rates_are_over_summed_counts_and_changes_compare_periods() -> None:
    report = _report(
        [_unit("A", 10, 9, evaluated=4, satisfied=3), _unit("B", 30, 15)],
        [_unit("A", 20, 10)],
    )
    closure = report.figure("on_time_closure")
    assert closure.value == pytest.approx(24 / 40)  # not the mean of 0.9 and 0.5
    assert closure.mom == pytest.approx(24 / 40 - 0.5)  # points, for a rate
    assert closure.yoy is None  # nothing due a year before
    reported = report.figure("reported")
    assert (reported.value, reported.mom) == (40, 1.0)  # 40 against 20: +100 %
    assert report.figure("satisfaction").value == pytest.approx(3 / 4)
    assert change_text(closure.mom, True) == "+10.0个百分点"
    assert len(report.trend) == 30
    assert dict(report.trend)[date(2026, 11, 3)] == 4


def test_ranking_head_and_tail_leave_out_small_units() -> None:
    units = [_unit(f"U{i:02d}", 20, i) for i in range(12)] + [_unit("SMALL", MIN_RANKED - 1, 0)]
    report = _report(units, [])
    assert [u.code for u in report.department_head] == ["U11", "U10", "U09", "U08", "U07"]
    assert [u.code for u in report.department_tail] == ["U00", "U01", "U02", "U03", "U04"]
    assert all(u.code != "SMALL" for u in (*report.department_head, *report.department_tail))
    assert {u.code for u in report.departments} >= {"SMALL"}  # the annex has every unit


def test_sources_are_shares_largest_first_with_their_previous_count() -> None:
    report = _report([_unit("A", 4, 4)], [], sources={"web": 1, "hotline": 3})
    assert [(s.name, s.count, s.share, s.previous) for s in report.sources] == [
        ("12345热线", 3, 0.75, 0),
        ("网站/APP", 1, 0.25, 0),
    ]
    assert "来源以12345热线为主，占75.0%" in summary_text(report)


def test_unit_fields_match_the_case_engine_counts() -> None:
    from cityops.cases.public import UnitCounts

    assert [f.name for f in fields(UnitCounts)] == [f.name for f in fields(Unit)]


@pytest.mark.parametrize(
    ("value", "is_rate", "text"),
    [
        (0.125, False, "+12.5%"),
        (-0.013, True, "-1.3个百分点"),
        (-0.0004, True, "持平"),
        (0.0, False, "持平"),
        (None, False, "—"),
    ],
)
def test_change_text(value: float | None, is_rate: bool, text: str) -> None:
    assert change_text(value, is_rate) == text
