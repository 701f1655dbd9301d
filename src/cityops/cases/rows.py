"""Case rows ⇄ typed records: `CaseRecord` is a case as stored (one field per column, the JSON
documents and statuses already parsed), built once from a row by `record_of`; `state_of` takes
the workflow's `CaseState` from it and `state_values` gives the column values of a new state."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from cityops.cases.model import CaseSource, CaseState, CaseStatus, Satisfaction
from cityops.kernel.clock import as_utc
from cityops.worktime.public import Stage, TimeLimit


class CaseRecord(NamedTuple):
    """A case as stored: the columns of the `cases` table in table order (store.py refuses to
    load if they differ). A named tuple rather than a frozen dataclass: a page of 200 cases is
    built in a fraction of the time (68 fields set through `object.__setattr__` cost ~30× more)."""

    id: int
    number: str  # C + day + id, written by the intake's INSERT ("" if a row ever lacks it)
    tracking_code: str
    version: int
    source: CaseSource
    title: str
    description: str
    category_code: str
    category_name: str
    kind: str
    urgency: str
    status: CaseStatus
    lon: float | None
    lat: float | None
    address: str | None
    area_code: str
    district_code: str | None
    district_name: str | None
    street_code: str | None
    street_name: str | None
    community_code: str | None
    community_name: str | None
    grid_code: str | None
    grid_name: str | None
    department_id: int | None
    department_code: str | None
    department_name: str | None
    first_department_id: int | None
    suggested_department_id: int | None
    suggested_department_code: str | None
    suggested_department_name: str | None
    reporter_name: str | None
    reporter_phone: str | None
    reporter_user_id: int | None
    created_by_user_id: int | None
    created_by_name: str | None
    stage: Stage | None
    stage_started_at: datetime | None
    stage_deadline: datetime | None
    limits: Mapping[Stage, TimeLimit]
    deadlines: Mapping[Stage, datetime]
    handle_deadline: datetime | None
    close_deadline: datetime | None
    overdue: bool
    overdue_at: datetime | None
    supervised: bool
    reminded_at: datetime | None
    escalated_at: datetime | None
    return_count: int
    rework_count: int
    extension_count: int
    reopen_count: int
    merged_into_id: int | None
    suspended_at: datetime | None
    suspended_seconds: float
    pending_extension: TimeLimit | None
    handled_on_time: bool | None
    closed_on_time: bool | None
    satisfaction: Satisfaction | None
    evaluated_at: datetime | None
    reported_at: datetime
    registered_at: datetime | None
    dispatched_at: datetime | None
    signed_at: datetime | None
    handled_at: datetime | None
    closed_at: datetime | None
    history_seq: int
    updated_at: datetime


def limits_to_json(limits: Mapping[Stage, TimeLimit]) -> dict[str, Any]:
    return {stage.value: limit.to_json() for stage, limit in limits.items()}


def deadlines_to_json(deadlines: Mapping[Stage, datetime]) -> dict[str, str]:
    return {stage.value: as_utc(d).isoformat() for stage, d in deadlines.items()}


def deadlines_from_json(data: Mapping[str, str] | None) -> dict[Stage, datetime]:
    return {Stage(k): as_utc(datetime.fromisoformat(v)) for k, v in (data or {}).items()}


def limits_from_json(data: Mapping[str, Any] | None) -> dict[Stage, TimeLimit]:
    return {Stage(k): TimeLimit.parse(v) for k, v in (data or {}).items()}


def _or_none(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: parse(value) if value else None


# How a stored column becomes its record field, for the columns stored as text or JSON.
_PARSED: dict[str, Callable[[Any], Any]] = {
    "number": lambda value: value or "",
    "source": CaseSource,
    "status": CaseStatus,
    "area_code": lambda value: value or "",
    "stage": _or_none(Stage),
    "limits": limits_from_json,
    "deadlines": deadlines_from_json,
    "overdue": bool,
    "supervised": bool,
    "pending_extension": _or_none(TimeLimit.parse),
    "satisfaction": _or_none(Satisfaction),
}
_PARSE_AT = tuple((CaseRecord._fields.index(name), parse) for name, parse in _PARSED.items())


def record_of(row: Sequence[Any]) -> CaseRecord:
    """The record of a row of `select(cases)` (or `RETURNING *`): its values in column order."""
    values = list(row)
    for i, parse in _PARSE_AT:
        values[i] = parse(values[i])
    return CaseRecord._make(values)


def state_of(case: CaseRecord) -> CaseState:
    """What the workflow reads of a case."""
    return CaseState(
        status=case.status,
        source=case.source,
        reported_at=case.reported_at,
        category_code=case.category_code,
        area_code=case.area_code,
        limits=case.limits,
        deadlines=case.deadlines,
        created_by_user_id=case.created_by_user_id,
        department_id=case.department_id,
        department_code=case.department_code,
        department_name=case.department_name,
        first_department_id=case.first_department_id,
        suggested_department_id=case.suggested_department_id,
        stage=case.stage,
        stage_started_at=case.stage_started_at,
        stage_deadline=case.stage_deadline,
        overdue=case.overdue,
        overdue_at=case.overdue_at,
        supervised=case.supervised,
        reminded_at=case.reminded_at,
        escalated_at=case.escalated_at,
        return_count=case.return_count,
        rework_count=case.rework_count,
        extension_count=case.extension_count,
        reopen_count=case.reopen_count,
        merged_into_id=case.merged_into_id,
        suspended_at=case.suspended_at,
        suspended_seconds=case.suspended_seconds,
        pending_extension=case.pending_extension,
        handled_on_time=case.handled_on_time,
        closed_on_time=case.closed_on_time,
        satisfaction=case.satisfaction,
        evaluated_at=case.evaluated_at,
        registered_at=case.registered_at,
        dispatched_at=case.dispatched_at,
        signed_at=case.signed_at,
        handled_at=case.handled_at,
        closed_at=case.closed_at,
    )


_STATE_COLUMNS = [
    "department_id",
    "department_code",
    "department_name",
    "first_department_id",
    "overdue",
    "overdue_at",
    "supervised",
    "reminded_at",
    "escalated_at",
    "return_count",
    "rework_count",
    "extension_count",
    "reopen_count",
    "merged_into_id",
    "suspended_at",
    "suspended_seconds",
    "handled_on_time",
    "closed_on_time",
    "evaluated_at",
    "registered_at",
    "dispatched_at",
    "signed_at",
    "handled_at",
    "closed_at",
    "stage_started_at",
    "stage_deadline",
]


def state_values(state: CaseState) -> dict[str, Any]:
    """Column values for a workflow state (what an action may change)."""
    values: dict[str, Any] = {name: getattr(state, name) for name in _STATE_COLUMNS}
    values.update(
        status=state.status.value,
        stage=state.stage.value if state.stage else None,
        deadlines=deadlines_to_json(state.deadlines),
        handle_deadline=state.deadlines.get(Stage.handle),
        close_deadline=state.deadlines.get(Stage.close),
        pending_extension=state.pending_extension.to_json() if state.pending_extension else None,
        satisfaction=state.satisfaction.value if state.satisfaction else None,
    )
    return values
