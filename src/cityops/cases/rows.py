"""Case rows ⇄ the workflow's CaseState: JSON for limits and deadlines, enums for statuses."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping

from cityops.cases.model import CaseSource, CaseState, CaseStatus, Satisfaction
from cityops.kernel.clock import as_utc
from cityops.worktime.public import Stage, TimeLimit


def limits_to_json(limits: Mapping[Stage, TimeLimit]) -> dict[str, Any]:
    return {stage.value: limit.to_json() for stage, limit in limits.items()}


def deadlines_to_json(deadlines: Mapping[Stage, datetime]) -> dict[str, str]:
    return {stage.value: as_utc(d).isoformat() for stage, d in deadlines.items()}


def deadlines_from_json(data: Mapping[str, str] | None) -> dict[Stage, datetime]:
    return {Stage(k): as_utc(datetime.fromisoformat(v)) for k, v in (data or {}).items()}


def state_from_row(row: RowMapping) -> CaseState:
    ext = row["pending_extension"]
    return CaseState(
        status=CaseStatus(row["status"]),
        source=CaseSource(row["source"]),
        reported_at=row["reported_at"],
        category_code=row["category_code"],
        area_code=row["area_code"] or "",
        limits={Stage(k): TimeLimit.parse(v) for k, v in (row["limits"] or {}).items()},
        deadlines=deadlines_from_json(row["deadlines"]),
        created_by_user_id=row["created_by_user_id"],
        department_id=row["department_id"],
        department_code=row["department_code"],
        department_name=row["department_name"],
        first_department_id=row["first_department_id"],
        suggested_department_id=row["suggested_department_id"],
        stage=Stage(row["stage"]) if row["stage"] else None,
        stage_started_at=row["stage_started_at"],
        stage_deadline=row["stage_deadline"],
        overdue=bool(row["overdue"]),
        overdue_at=row["overdue_at"],
        supervised=bool(row["supervised"]),
        reminded_at=row["reminded_at"],
        escalated_at=row["escalated_at"],
        return_count=row["return_count"],
        rework_count=row["rework_count"],
        extension_count=row["extension_count"],
        reopen_count=row["reopen_count"],
        merged_into_id=row["merged_into_id"],
        suspended_at=row["suspended_at"],
        suspended_seconds=row["suspended_seconds"],
        pending_extension=TimeLimit.parse(ext) if ext else None,
        handled_on_time=row["handled_on_time"],
        closed_on_time=row["closed_on_time"],
        satisfaction=Satisfaction(row["satisfaction"]) if row["satisfaction"] else None,
        evaluated_at=row["evaluated_at"],
        registered_at=row["registered_at"],
        dispatched_at=row["dispatched_at"],
        signed_at=row["signed_at"],
        handled_at=row["handled_at"],
        closed_at=row["closed_at"],
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
