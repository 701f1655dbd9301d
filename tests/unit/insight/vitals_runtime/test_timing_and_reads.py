"""Pure parts of the vital signs runtime: alignment to the refresh in Asia/Shanghai, catch-up,
month-to-date windows, the worst-first order of a drill-down and the roll-up of rows to areas."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from cityops.geo.public import AreaLevel, AreaRef
from cityops.insight.vitals.definitions import SpatialLevel
from cityops.insight.vitals_runtime.areas import AreaSet
from cityops.insight.vitals_runtime.model import VitalCurrent
from cityops.insight.vitals_runtime.reads import inside, worst_first
from cityops.insight.vitals_runtime.timing import boundary, is_due, month_start
from cityops.kernel.clock import SHANGHAI


def _sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI).astimezone(UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("now", "refresh", "expected"),
    [
        (_sh(2026, 11, 23, 9, 7, 30), timedelta(minutes=5), _sh(2026, 11, 23, 9, 5)),
        (_sh(2026, 11, 23, 9, 59), timedelta(minutes=15), _sh(2026, 11, 23, 9, 45)),
        (_sh(2026, 11, 23, 9, 0), timedelta(hours=1), _sh(2026, 11, 23, 9, 0)),
        # a day begins at local midnight, not at 00:00 UTC (08:00 in Shanghai)
        (_sh(2026, 11, 23, 7, 0), timedelta(days=1), _sh(2026, 11, 23, 0, 0)),
    ],
)
def test_boundary_is_aligned_in_shanghai(
    now: datetime, refresh: timedelta, expected: datetime
) -> None:
    assert boundary(now, refresh) == expected


def test_catch_up_gives_only_the_latest_boundary() -> None:
    hour = timedelta(hours=1)
    last = _sh(2026, 11, 23, 10, 0)
    assert is_due(_sh(2026, 11, 23, 10, 59), hour, last) is None
    assert is_due(_sh(2026, 11, 23, 15, 30), hour, last) == _sh(2026, 11, 23, 15, 0)
    assert is_due(_sh(2026, 11, 23, 15, 30), hour, None) == _sh(2026, 11, 23, 15, 0)


def test_month_to_date_starts_on_the_first_in_shanghai() -> None:
    assert month_start(_sh(2026, 11, 23, 9, 0)) == _sh(2026, 11, 1)
    # 1 December 00:30 Shanghai is still 30 November in UTC: the month is December's
    assert month_start(_sh(2026, 12, 1, 0, 30)) == _sh(2026, 12, 1)
    # a window ending exactly at midnight on the 1st covers the whole month before
    assert month_start(_sh(2026, 12, 1)) == _sh(2026, 11, 1)


def _item(area: str, status: str, level: str | None, value: float | None) -> VitalCurrent:
    return VitalCurrent(
        code="x", name_zh="x", name_en="x", unit="", category="traffic", category_zh="交通",
        direction="higher_is_worse", precision=2, area_code=area, area_name=area,
        area_level="street", value=value, status=status, level=level, since=None,
        evaluated_at=None, thresholds=(), refresh_seconds=60, levels=("street",),
    )  # fmt: skip


def test_worst_first_orders_by_status_level_then_value_in_the_bad_direction() -> None:
    items = [
        _item("a", "normal", None, 3.0),
        _item("b", "firing", "yellow", 7.0),
        _item("c", "no_data", None, None),
        _item("d", "firing", "red", 9.0),
        _item("e", "normal", None, 5.0),
        _item("f", "pending", "blue", 4.0),
    ]
    assert [i.area_code for i in worst_first(items)] == ["d", "b", "f", "e", "a", "c"]
    better = [replace(i, direction="higher_is_better") for i in items if i.status == "normal"]
    assert [i.area_code for i in worst_first(better)] == ["a", "e"]


def test_roll_up_gathers_rows_under_every_enclosing_area() -> None:
    root = AreaRef("330100", "市", AreaLevel.city)
    d1, d2 = (
        AreaRef("330191", "东湖区", AreaLevel.district),
        AreaRef("330192", "西", AreaLevel.district),
    )
    s1 = AreaRef("330191001", "湖滨", AreaLevel.street)
    areas = AreaSet(root, {SpatialLevel.district: (d1, d2), SpatialLevel.street: (s1,)})
    rows = [("330191001001001", 1), ("330191002", 2), ("330192001001", 4)]
    got = areas.roll_up([SpatialLevel.city, SpatialLevel.district, SpatialLevel.street], rows)
    assert {k: sum(v) for k, v in got.items()} == {
        "330100": 7, "330191": 3, "330192": 4, "330191001": 1,
    }  # fmt: skip


def test_an_area_bound_reader_sees_inside_their_areas_only() -> None:
    assert inside("330191001", (), "330100")
    assert inside("330191001002", ("330191001",), "330100")
    assert not inside("330192001", ("330191001",), "330100")
    assert not inside("330100", ("330191001",), "330100")
