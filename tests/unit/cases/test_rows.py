"""Case rows into typed records: text and JSON columns parsed once, the record's fields in the
table's column order, and the workflow state taken from the record."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cityops.cases.model import CaseSource, CaseStatus, Satisfaction
from cityops.cases.rows import CaseRecord, record_of, state_of
from cityops.cases.store import cases
from cityops.worktime.public import LimitUnit, Stage, TimeLimit

AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def _row(**given: Any) -> tuple[Any, ...]:
    """A stored row (as the database gives it) with plain column values."""
    values: dict[str, Any] = dict.fromkeys(cases.c.keys())
    values.update(
        id=7,
        number="C20261123000007",
        tracking_code="T7",
        version=2,
        source="hotline",
        title="路灯不亮",
        description="整条路的路灯不亮",
        category_code="C0101",
        category_name="路灯",
        kind="event",
        urgency="normal",
        status="dispatched",
        area_code="330102001001",
        stage="handle",
        limits={"handle": {"amount": 2, "unit": "working_days"}},
        deadlines={"handle": "2026-11-25T02:00:00+00:00"},
        overdue=0,
        supervised=1,
        return_count=0,
        rework_count=0,
        extension_count=0,
        reopen_count=0,
        suspended_seconds=0.0,
        pending_extension={"amount": 4, "unit": "working_hours"},
        satisfaction="satisfied",
        reported_at=AT,
        history_seq=3,
        updated_at=AT,
    )
    values.update(given)
    return tuple(values.values())  # in column order (dict.fromkeys above)


def test_the_record_names_the_columns_in_table_order() -> None:
    assert CaseRecord._fields == tuple(cases.c.keys())


def test_text_and_json_columns_are_parsed() -> None:
    case = record_of(_row())
    assert (case.id, case.title, case.version) == (7, "路灯不亮", 2)
    assert case.source is CaseSource.hotline
    assert case.status is CaseStatus.dispatched
    assert case.stage is Stage.handle
    assert case.limits == {Stage.handle: TimeLimit(2, LimitUnit.working_days)}
    assert case.deadlines == {Stage.handle: datetime(2026, 11, 25, 2, 0, tzinfo=UTC)}
    assert case.pending_extension == TimeLimit(4, LimitUnit.working_hours)
    assert case.satisfaction is Satisfaction.satisfied
    assert (case.overdue, case.supervised) == (False, True)


def test_empty_columns_are_none_or_empty() -> None:
    case = record_of(
        _row(number=None, stage=None, limits=None, pending_extension=None, satisfaction=None)
    )
    assert case.number == ""
    assert (case.stage, case.pending_extension, case.satisfaction) == (None, None, None)
    assert case.limits == {}


def test_the_workflow_state_comes_from_the_record() -> None:
    state = state_of(record_of(_row()))
    assert state.status is CaseStatus.dispatched
    assert state.stage is Stage.handle
    assert state.limits == {Stage.handle: TimeLimit(2, LimitUnit.working_days)}
    assert state.pending_extension == TimeLimit(4, LimitUnit.working_hours)
    assert state.supervised is True
