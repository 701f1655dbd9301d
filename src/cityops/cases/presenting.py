"""Case records into the views callers get: the actor's allowed actions (in the workflow of the
case's type), the live SLA colour, and personal data masked unless revealed: the reporter's phone,
and the phone and ID numbers inside the free text (title, description, address, history notes and
the reasons and answers of steps; kernel/masking.mask_text), for every reader alike. A reveal
(`?reveal=contact`) is for the roles policy.may_reveal_contact names and is audited."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from cityops.cases.dtos import AreaInfo, CaseArea, CaseView, DepartmentInfo, HistoryEntry
from cityops.cases.policy import may_reveal_contact
from cityops.cases.rows import CaseRecord, state_of
from cityops.kernel.actor import Actor
from cityops.kernel.masking import mask_phone, mask_text
from cityops.worktime.public import LimitUnit, SlaState, sla_state

if TYPE_CHECKING:
    from cityops.cases.service import CaseService


def _area(code: str | None, name: str | None) -> AreaInfo | None:
    return AreaInfo(code=code, name=name or "") if code else None


def _dept(id_: int | None, code: str | None, name: str | None) -> DepartmentInfo | None:
    if id_ is None or code is None:
        return None
    return DepartmentInfo(id=id_, code=code, name=name or "")


def case_view(
    service: CaseService, case: CaseRecord, actor: Actor, *, reveal_contact: bool = False
) -> CaseView:
    state = state_of(case)
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
    phone = case.reporter_phone
    return CaseView(
        id=case.id,
        number=case.number,
        tracking_code=case.tracking_code,
        source=case.source,
        title=case.title if reveal_contact else mask_text(case.title),
        description=case.description if reveal_contact else mask_text(case.description),
        category_code=case.category_code,
        category_name=case.category_name,
        kind=case.kind,
        urgency=case.urgency,
        status=case.status,
        version=case.version,
        lon=case.lon,
        lat=case.lat,
        address=case.address if reveal_contact or not case.address else mask_text(case.address),
        area=CaseArea(
            district=_area(case.district_code, case.district_name),
            street=_area(case.street_code, case.street_name),
            community=_area(case.community_code, case.community_name),
            grid=_area(case.grid_code, case.grid_name),
        ),
        area_code=case.area_code,
        department=_dept(case.department_id, case.department_code, case.department_name),
        suggested_department=_dept(
            case.suggested_department_id,
            case.suggested_department_code,
            case.suggested_department_name,
        ),
        reporter_name=case.reporter_name,
        reporter_phone=phone if reveal_contact else mask_phone(phone),
        reported_at=case.reported_at,
        stage=case.stage,
        stage_started_at=case.stage_started_at,
        stage_deadline=case.stage_deadline,
        deadlines=dict(case.deadlines),
        sla_state=sla,
        overdue=case.overdue,
        supervised=case.supervised,
        allowed_actions=tuple(service.case_types.workflow_for(state).allowed_actions(state, actor)),
        created_by=case.created_by_name,
        created_by_user_id=case.created_by_user_id,
        pending_extension=case.pending_extension,
        return_count=case.return_count,
        rework_count=case.rework_count,
        extension_count=case.extension_count,
        reopen_count=case.reopen_count,
        merged_into_id=case.merged_into_id,
        handled_on_time=case.handled_on_time,
        closed_on_time=case.closed_on_time,
        satisfaction=case.satisfaction,
        registered_at=case.registered_at,
        dispatched_at=case.dispatched_at,
        signed_at=case.signed_at,
        handled_at=case.handled_at,
        closed_at=case.closed_at,
        evaluated_at=case.evaluated_at,
        contact_revealed=reveal_contact,
        may_reveal_contact=may_reveal_contact(actor, state),
        updated_at=case.updated_at,
        limits=dict(state.limits),
    )


def history_view(
    entries: list[HistoryEntry], *, reveal_contact: bool = False
) -> list[HistoryEntry]:
    """History lines as the reader may see them: the note and every text among the step's
    particulars (a reason, an answer) masked unless revealed."""
    if reveal_contact:
        return entries
    return [
        dataclasses.replace(entry, note=mask_text(entry.note), data=_masked(entry.data))
        for entry in entries
    ]


def _masked(data: dict[str, Any]) -> dict[str, Any]:
    return {key: _masked_value(value) for key, value in data.items()}


def _masked_value(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return _masked(value)
    if isinstance(value, list):
        return [_masked_value(item) for item in value]
    return value
