"""The SLA scan (scheduler job "sla-scan"): marks overdue cases (超期), sends 催办 reminders when a
clock turns yellow, and escalates to 督办 after a case stays overdue too long. Each mark is made
once per stage and recorded in the history, so running the scan again changes nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping

from cityops.cases import queries, rows, store
from cityops.cases.calendar import WorkingCalendar
from cityops.cases.events import CaseEscalated, CaseEvent, CaseOverdue, CaseReminded
from cityops.cases.model import CaseState
from cityops.cases.sla import SlaState, sla_state
from cityops.cases.taxonomy import LimitUnit
from cityops.infra.outbox import UnitOfWork
from cityops.infra.settings import Settings
from cityops.kernel.actor import SYSTEM
from cityops.kernel.clock import Clock


def scan_sla(
    uow: UnitOfWork, *, clock: Clock, calendar: WorkingCalendar, settings: Settings
) -> int:
    now = clock.now()
    marks = 0
    for row in queries.scan_candidates(uow.session):
        marks += _scan_one(uow, row, now, calendar, settings)
    return marks


def _unit(state: CaseState) -> LimitUnit:
    limit = state.limits.get(state.stage) if state.stage else None
    return limit.unit if limit else LimitUnit.working_hours


def _scan_one(
    uow: UnitOfWork, row: RowMapping, now: datetime, calendar: WorkingCalendar, settings: Settings
) -> int:
    state = rows.state_from_row(row)
    if state.stage is None or state.stage_deadline is None or state.stage_started_at is None:
        return 0
    deadline = state.stage_deadline
    unit = _unit(state)
    changes: dict[str, Any] = {}
    marks: list[tuple[str, CaseEvent]] = []
    base: dict[str, Any] = {
        "occurred_at": now,
        "actor": SYSTEM.username,
        "actor_role": "system",
        "case_id": row["id"],
        "case_number": row["number"],
        "status": state.status.value,
    }
    stage = state.stage.value
    overdue = state.overdue
    if not overdue and now > deadline:
        overdue = True
        changes.update(overdue=True, overdue_at=now)
        marks.append(("overdue", CaseOverdue(**base, stage=stage, deadline=deadline.isoformat())))
    elif not overdue and state.reminded_at is None:
        colour = sla_state(
            state.stage_started_at,
            deadline,
            now,
            calendar=calendar,
            unit=unit,
            yellow_ratio=settings.sla_yellow_ratio,
        )
        if colour is SlaState.yellow:
            changes["reminded_at"] = now
            marks.append(
                ("remind", CaseReminded(**base, stage=stage, deadline=deadline.isoformat()))
            )
    if overdue and not state.supervised:
        if unit is LimitUnit.calendar_hours:
            late = (now - deadline).total_seconds()
        else:
            late = calendar.working_seconds_between(deadline, now)
        hours = late / 3600.0
        if hours >= settings.escalate_after_overdue_hours:
            changes.update(supervised=True, escalated_at=now)
            marks.append(
                ("escalate", CaseEscalated(**base, stage=stage, overdue_hours=round(hours, 2)))
            )
    if not marks:
        return 0
    seq = store.mark_sla(uow.session, row["id"], state.stage_started_at, changes, len(marks))
    if seq is None:  # the case moved on meanwhile; the next scan looks again
        return 0
    first = seq - len(marks) + 1
    for offset, (action, event) in enumerate(marks):
        store.insert_history(
            uow.session,
            case_id=row["id"],
            seq=first + offset,
            action=action,
            from_status=state.status.value,
            to_status=state.status.value,
            actor_user_id=None,
            actor_name=SYSTEM.display_name or SYSTEM.username,
            actor_role="system",
            at=now,
            note="",
            data={"stage": stage, "deadline": deadline.isoformat()},
        )
        uow.emit(event)
    return len(marks)
