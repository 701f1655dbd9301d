"""The indicator use case with a stand-in for the case engine: the window it asks for, the
default window, the total row, and who may see it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, cast

import pytest
from sqlalchemy.orm import Session

from cityops.insight.public import GroupBy, IndicatorService
from cityops.kernel.actor import Actor, Role
from cityops.kernel.clock import SHANGHAI, FixedClock
from cityops.kernel.errors import PermissionDenied, ValidationFailed


@dataclass(frozen=True)
class Counts:
    group_code: str
    group_name: str
    reported: int = 0
    registered: int = 0
    dispatched: int = 0
    accurately_dispatched: int = 0
    due_to_handle: int = 0
    handled_on_time: int = 0
    due_to_close: int = 0
    closed: int = 0
    closed_on_time: int = 0
    reworked: int = 0
    extended: int = 0


@dataclass
class FakeCases:
    rows: list[Counts]
    asked: list[dict[str, Any]] = field(default_factory=list)

    def indicator_counts(
        self, session: Session, actor: Actor, *, group_by: str, start: datetime, end: datetime
    ) -> Sequence[Counts]:
        self.asked.append({"group_by": group_by, "start": start, "end": end, "actor": actor})
        return self.rows


ROWS = [
    Counts(
        "D2",
        "城管局",
        reported=30,
        registered=27,
        dispatched=27,
        accurately_dispatched=24,
        due_to_handle=20,
        handled_on_time=15,
        due_to_close=20,
        closed=18,
        closed_on_time=16,
        reworked=2,
        extended=1,
    ),
    Counts(
        "D1",
        "水务集团",
        reported=10,
        registered=10,
        dispatched=8,
        accurately_dispatched=8,
        due_to_handle=0,
        handled_on_time=0,
        due_to_close=0,
        closed=0,
        closed_on_time=0,
    ),
]
SESSION = cast(Session, object())
NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


def actor(*roles: Role) -> Actor:
    return Actor(user_id=7, username="u", roles=frozenset(roles))


@pytest.fixture
def cases() -> FakeCases:
    return FakeCases(list(ROWS))


@pytest.fixture
def service(cases: FakeCases) -> IndicatorService:
    return IndicatorService(cases, FixedClock(NOW))


def test_window_is_shanghai_days_with_the_last_day_inclusive(
    service: IndicatorService, cases: FakeCases
) -> None:
    leader = actor(Role.leader)
    report = service.case_indicators(SESSION, leader, "area", date(2026, 10, 1), date(2026, 10, 31))
    assert cases.asked == [
        {
            "group_by": "area",
            "start": datetime(2026, 9, 30, 16, 0, tzinfo=UTC),
            "end": datetime(2026, 10, 31, 16, 0, tzinfo=UTC),
            "actor": leader,  # the engine narrows the counts to the actor's scope
        }
    ]
    assert (report.start, report.end, report.group_by) == (
        date(2026, 10, 1),
        date(2026, 10, 31),
        GroupBy.area,
    )


def test_default_window_is_this_month_up_to_today_in_shanghai(cases: FakeCases) -> None:
    # 2026-11-30 17:00 UTC is already 1 December in Shanghai.
    service = IndicatorService(cases, FixedClock(datetime(2026, 11, 30, 17, 0, tzinfo=UTC)))
    report = service.case_indicators(SESSION, actor(Role.dispatcher), GroupBy.department)
    assert (report.start, report.end) == (date(2026, 12, 1), date(2026, 12, 1))
    assert cases.asked[0]["start"] == datetime(2026, 12, 1, 0, 0, tzinfo=SHANGHAI)
    assert cases.asked[0]["end"] == datetime(2026, 12, 2, 0, 0, tzinfo=SHANGHAI)


def test_start_defaults_to_the_first_of_the_end_month(service: IndicatorService) -> None:
    report = service.case_indicators(
        SESSION, actor(Role.admin), "department", None, date(2026, 2, 14)
    )
    assert report.start == date(2026, 2, 1)


def test_one_day_window(service: IndicatorService, cases: FakeCases) -> None:
    service.case_indicators(
        SESSION, actor(Role.admin), "district", date(2026, 5, 1), date(2026, 5, 1)
    )
    assert cases.asked[0]["end"] - cases.asked[0]["start"] == datetime(2026, 5, 2) - datetime(
        2026, 5, 1
    )


def test_start_after_end_is_refused(service: IndicatorService, cases: FakeCases) -> None:
    with pytest.raises(ValidationFailed) as err:
        service.case_indicators(
            SESSION, actor(Role.leader), "area", date(2026, 5, 2), date(2026, 5, 1)
        )
    assert err.value.code == "invalid_window"
    assert cases.asked == []


def test_unknown_grouping_is_refused(service: IndicatorService) -> None:
    with pytest.raises(ValidationFailed) as err:
        service.case_indicators(SESSION, actor(Role.leader), "category")
    assert err.value.code == "invalid_group_by"


def test_rows_sorted_with_rates_and_a_total_row(service: IndicatorService) -> None:
    report = service.case_indicators(SESSION, actor(Role.shift_leader), "department")
    assert [r.group_code for r in report.rows] == ["D1", "D2"]
    d2 = report.rows[1]
    assert d2.rates["registration_rate"] == 0.9  # 27/30
    assert d2.rates["accurate_dispatch_rate"] == 0.8889  # 24/27
    assert d2.rates["on_time_handling_rate"] == 0.75  # 15/20
    assert d2.rates["rework_rate"] == 0.1  # 2/20
    assert d2.rates["extension_rate"] == 0.037  # 1/27 = 0.037037…
    d1 = report.rows[0]
    assert d1.rates["closure_rate"] is None  # nothing was due to close
    assert d1.rates["dispatch_rate"] == 0.8  # 8/10
    total = report.total
    assert (total.group_code, total.group_name) == ("total", "合计")
    assert total.counts["reported"] == 40
    assert total.counts["registered"] == 37
    assert total.rates["registration_rate"] == 0.925  # 37/40
    assert total.rates["dispatch_rate"] == 0.9459  # 35/37 = 0.945945…
    assert total.rates["closure_rate"] == 0.9  # 18/20
    assert report.formulas["closure_rate"] == "结案数/应结案数"


def test_no_cases_gives_a_zero_total(cases: FakeCases, service: IndicatorService) -> None:
    cases.rows = []
    report = service.case_indicators(SESSION, actor(Role.leader), "area")
    assert report.rows == ()
    assert report.total.counts["reported"] == 0
    assert set(report.total.rates.values()) == {None}


@pytest.mark.parametrize("role", [Role.leader, Role.admin, Role.dispatcher, Role.shift_leader])
def test_allowed_roles(service: IndicatorService, role: Role) -> None:
    assert service.case_indicators(SESSION, actor(role), "area").total.counts["reported"] == 40


@pytest.mark.parametrize(
    "roles",
    [
        (Role.operator,),
        (Role.handler,),
        (Role.inspector,),
        (Role.citizen,),
        (Role.integration,),
        (),
    ],
)
def test_other_roles_are_denied_before_anything_is_read(
    service: IndicatorService, cases: FakeCases, roles: tuple[Role, ...]
) -> None:
    with pytest.raises(PermissionDenied) as err:
        service.case_indicators(SESSION, actor(*roles), "area")
    assert err.value.code == "indicators_forbidden"
    assert cases.asked == []
