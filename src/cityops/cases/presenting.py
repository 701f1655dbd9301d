"""Case rows into the records callers get: the actor's allowed actions, the live SLA colour and
the reporter's phone masked unless revealed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import RowMapping

from cityops.cases.model import CaseSource, CaseStatus, allowed_actions
from cityops.cases.rows import state_from_row
from cityops.cases.views import AreaInfo, CaseArea, CaseView, DepartmentInfo, HistoryEntry
from cityops.kernel.actor import Actor
from cityops.kernel.masking import mask_phone
from cityops.worktime.public import LimitUnit, SlaState, sla_state

if TYPE_CHECKING:
    from cityops.cases.service import CaseService


def _area(row: RowMapping, level: str) -> AreaInfo | None:
    code = row[f"{level}_code"]
    return AreaInfo(code=code, name=row[f"{level}_name"] or "") if code else None


def _dept(id_: int | None, code: str | None, name: str | None) -> DepartmentInfo | None:
    if id_ is None or code is None:
        return None
    return DepartmentInfo(id=id_, code=code, name=name or "")


def case_view(
    service: CaseService, row: RowMapping, actor: Actor, *, reveal_contact: bool = False
) -> CaseView:
    state = state_from_row(row)
    sla: SlaState | None = None
    if state.stage is not None and state.stage_deadline and state.stage_started_at:
        limit = state.limits.get(state.stage)
        now = state.suspended_at or service.clock.now()
        sla = sla_state(
            state.stage_started_at,
            state.stage_deadline,
            now,
            calendar=service.calendar,
            unit=limit.unit if limit else LimitUnit.working_hours,
            yellow_ratio=service.settings.sla_yellow_ratio,
        )
    phone = row["reporter_phone"]
    return CaseView(
        id=row["id"],
        number=row["number"] or "",
        tracking_code=row["tracking_code"],
        source=CaseSource(row["source"]),
        title=row["title"],
        description=row["description"],
        category_code=row["category_code"],
        category_name=row["category_name"],
        kind=row["kind"],
        urgency=row["urgency"],
        status=CaseStatus(row["status"]),
        version=row["version"],
        lon=row["lon"],
        lat=row["lat"],
        address=row["address"],
        area=CaseArea(
            district=_area(row, "district"),
            street=_area(row, "street"),
            community=_area(row, "community"),
            grid=_area(row, "grid"),
        ),
        area_code=row["area_code"],
        department=_dept(row["department_id"], row["department_code"], row["department_name"]),
        suggested_department=_dept(
            row["suggested_department_id"],
            row["suggested_department_code"],
            row["suggested_department_name"],
        ),
        reporter_name=row["reporter_name"],
        reporter_phone=phone if reveal_contact else mask_phone(phone),
        reported_at=row["reported_at"],
        stage=state.stage,
        stage_started_at=state.stage_started_at,
        stage_deadline=state.stage_deadline,
        deadlines=dict(state.deadlines),
        sla_state=sla,
        overdue=state.overdue,
        supervised=state.supervised,
        allowed_actions=tuple(allowed_actions(state, actor)),
        created_by=row["created_by_name"],
        created_by_user_id=row["created_by_user_id"],
        pending_extension=state.pending_extension,
        return_count=state.return_count,
        rework_count=state.rework_count,
        extension_count=state.extension_count,
        reopen_count=state.reopen_count,
        merged_into_id=state.merged_into_id,
        handled_on_time=state.handled_on_time,
        closed_on_time=state.closed_on_time,
        satisfaction=state.satisfaction,
        registered_at=state.registered_at,
        dispatched_at=state.dispatched_at,
        signed_at=state.signed_at,
        handled_at=state.handled_at,
        closed_at=state.closed_at,
        evaluated_at=state.evaluated_at,
        contact_revealed=reveal_contact,
        updated_at=row.get("updated_at"),
    )


def history_entry(row: RowMapping) -> HistoryEntry:
    return HistoryEntry(
        id=row["id"],
        seq=row["seq"],
        action=row["action"],
        from_status=row["from_status"],
        to_status=row["to_status"],
        actor_user_id=row["actor_user_id"],
        actor_name=row["actor_name"],
        actor_role=row["actor_role"],
        at=row["at"],
        note=row["note"] or "",
        data=dict(row["data"] or {}),
        attachments=tuple(row["attachments"] or ()),
        correlation_id=row["correlation_id"],
        causation_id=row["causation_id"],
    )
