"""The indicator counts (one GROUP BY over cases reported in a window) on worked examples."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cityops.cases.public import CaseCounts
from cityops.kernel.actor import SYSTEM
from cityops.kernel.clock import FixedClock

from .conftest import LITTER, OTHER_GRID, OTHER_STREET, STREET, City


def _build(city: City) -> None:
    c1 = city.to_handled(city.create())  # accurate, on time, closed
    city.act("insp", c1, "verify", passed=True)
    c2 = city.act(
        "disp", city.act("op", city.create(), "register"), "dispatch", department_code="SWJ"
    )
    c2 = city.act("h_water", c2, "return", reason="非本单位")
    c2 = city.act("h_cgj", city.act("disp", c2, "dispatch"), "sign")
    c2 = city.act("h_cgj", c2, "request_extension", hours=4, reason="配件")
    c2 = city.act("h_cgj", city.act("lead", c2, "approve_extension"), "finish", note="已修")
    c2 = city.act("h_cgj", city.act("disp", c2, "verify", passed=False), "finish", note="已修")
    city.act("disp", c2, "verify", passed=True)
    city.act("op", city.create(category_code=LITTER, title="垃圾", description="垃圾"), "register")
    city.act("op", city.create(), "reject", reason="不属于城市管理范围")
    city.create(category_code=LITTER, title="垃圾", description="垃圾", area_code=OTHER_GRID)
    city.act("disp", city.act("op", city.create(), "register"), "dispatch")  # not handled yet


def _counts(
    city: City, group_by: str, hours: float, since: timedelta = timedelta(hours=1)
) -> dict[str, CaseCounts]:
    now = city.platform.clock.now()
    with city.platform.read() as s:
        rows = city.platform.cases.indicator_counts(
            s, SYSTEM, group_by=group_by, start=now - since, end=now + timedelta(hours=hours)
        )
    return {r.group_code: r for r in rows}


def test_counts_by_department(city: City, clock: FixedClock) -> None:
    _build(city)
    cgj = _counts(city, "department", 24 * 30)["CGJ"]
    assert cgj.group_name == "城市管理局"
    assert (cgj.reported, cgj.registered, cgj.dispatched, cgj.accurately_dispatched) == (4, 3, 3, 2)
    # the window reaches 30 days ahead, but the open case's deadlines are still to come: not due
    assert (cgj.due_to_handle, cgj.handled_on_time) == (2, 2)
    assert (cgj.due_to_close, cgj.closed, cgj.closed_on_time) == (2, 2, 2)
    assert (cgj.reworked, cgj.extended) == (1, 1)
    soon = _counts(city, "department", 1)["CGJ"]  # the open case's deadlines lie after the window
    assert (soon.due_to_handle, soon.due_to_close) == (2, 2)
    offices = _counts(city, "department", 24 * 30)
    assert (offices["ST_HUBIN"].reported, offices["ST_HUBIN"].registered) == (1, 1)
    assert (offices["ST_WENXIN"].reported, offices["ST_WENXIN"].registered) == (1, 0)
    clock.advance(timedelta(days=10))  # now its deadlines have passed, unhandled
    later = _counts(city, "department", 24 * 20, since=timedelta(days=10, hours=1))["CGJ"]
    assert (later.due_to_handle, later.handled_on_time) == (3, 2)
    assert (later.due_to_close, later.closed, later.closed_on_time) == (3, 2, 2)


@pytest.mark.parametrize(
    ("group_by", "expected"),
    [("area", {STREET: 5, OTHER_STREET: 1}), ("district", {"330191": 5, "330192": 1})],
)
def test_counts_by_place(city: City, group_by: str, expected: dict[str, int]) -> None:
    _build(city)
    rows = _counts(city, group_by, 24)
    assert {code: r.reported for code, r in rows.items()} == expected


def test_window_is_half_open(city: City, clock: FixedClock) -> None:
    city.create()
    now = clock.now()
    with city.platform.read() as s:
        before = city.platform.cases.indicator_counts(
            s, SYSTEM, group_by="district", start=now - timedelta(days=1), end=now
        )
        from_now = city.platform.cases.indicator_counts(
            s, SYSTEM, group_by="district", start=now, end=now + timedelta(seconds=1)
        )
    assert before == []
    assert [r.reported for r in from_now] == [1]
