"""The SLA scan (scheduler job "sla-scan"): marks overdue cases (超期), sends 催办 reminders when a
clock turns yellow, and escalates to 督办 after a case stays overdue too long. Each mark is made
once per stage and recorded in the history, so running the scan again changes nothing."""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from cityops.cases import queries, store
from cityops.cases.events import CaseEscalated, CaseEvent, CaseOverdue, CaseReminded
from cityops.cases.model import CaseStatus
from cityops.cases.queries import SCANNED_STATUSES, ScanCandidate
from cityops.infra.outbox import UnitOfWork
from cityops.infra.settings import Settings
from cityops.kernel.actor import SYSTEM
from cityops.kernel.clock import Clock
from cityops.worktime.public import (
    LimitUnit,
    SlaState,
    Stage,
    TimeLimit,
    WorkingCalendar,
    sla_state,
    yellow_at,
)


@dataclass(frozen=True)
class PlannedMarks:
    """The SLA marks one case needs, computed from the case as it was read."""

    row: ScanCandidate
    changes: dict[str, Any]
    marks: list[tuple[str, CaseEvent]]
    at: datetime


def scan_sla(
    uow: UnitOfWork, *, clock: Clock, calendar: WorkingCalendar, settings: Settings
) -> int:
    """The whole scan in the caller's transaction (tests, the demo's simulated weeks)."""
    planned = plan_marks(uow.session, clock=clock, calendar=calendar, settings=settings)
    return write_marks(uow, planned, calendar=calendar, settings=settings)


class YellowTimes:
    """When each running clock turns yellow, remembered between scans (a clock is keyed by its
    case and stage start and deadline, so any change of stage or deadline is a new key): a scan
    then judges only the clocks whose moment has come, instead of every open case."""

    MAX = 500_000

    def __init__(self) -> None:
        self._at: dict[tuple[int, datetime, datetime, str], datetime] = {}

    def green_until(
        self, case_id: int, clock: _Clock, calendar: WorkingCalendar, ratio: float
    ) -> datetime:
        key = (case_id, clock.started, clock.deadline, clock.unit.value)
        found = self._at.get(key)
        if found is None:
            if len(self._at) >= self.MAX:
                self._at.clear()
            found = yellow_at(
                clock.started,
                clock.deadline,
                calendar=calendar,
                unit=clock.unit,
                yellow_ratio=ratio,
            )
            self._at[key] = found
        return found


# The scan reads in slices and pauses between them: it runs beside the server's event loop,
# which would otherwise wait for the interpreter through the whole scan of a big city.
SLICE_ROWS = 200
SLICE_PAUSE_SECONDS = 0.004


def plan_marks(
    session: Session,
    *,
    clock: Clock,
    calendar: WorkingCalendar,
    settings: Settings,
    yellow: YellowTimes | None = None,
    pause: float = 0.0,
) -> list[PlannedMarks]:
    """Read the open cases and work out their marks (reads only: the scheduler does this on a
    read session, so reading and judging thousands of cases never holds the write lock)."""
    now = clock.now()
    planned = []
    for n, row in enumerate(queries.scan_candidates(session), start=1):
        plan = _plan(row, now, calendar, settings, yellow)
        if plan is not None:
            planned.append(plan)
        if pause and n % SLICE_ROWS == 0:
            time.sleep(pause)
    return planned


def write_marks(
    uow: UnitOfWork,
    planned: Sequence[PlannedMarks],
    *,
    calendar: WorkingCalendar,
    settings: Settings,
) -> int:
    """Write planned marks; a case changed since it was read is read again here (under the
    write lock) and judged afresh. Returns how many marks were made."""
    made = 0
    for first in planned:
        plan: PlannedMarks | None = first
        seq = _mark(uow, first)
        if seq is None:
            row = queries.scan_candidate(uow.session, first.row.id)
            plan = _plan(row, first.at, calendar, settings) if row is not None else None
            seq = _mark(uow, plan) if plan is not None else None
        if plan is not None and seq is not None:  # else the next scan looks again
            made += _record(uow, plan, seq)
    return made


def _mark(uow: UnitOfWork, plan: PlannedMarks) -> int | None:
    """The guarded UPDATE of a planned case; its last history number, None if it changed."""
    row = plan.row
    return store.mark_sla(uow.session, row.id, row.history_seq, plan.changes, len(plan.marks))


@dataclass(frozen=True)
class _Clock:
    """A case's running SLA clock, from the columns the scan reads."""

    status: CaseStatus
    stage: Stage
    started: datetime
    deadline: datetime
    unit: LimitUnit
    overdue: bool
    reminded_at: datetime | None
    supervised: bool


@functools.lru_cache(maxsize=4096)
def _units(limits_json: str) -> dict[Stage, LimitUnit]:
    """The unit of each stage's limit, from a case's limits as stored (JSON text)."""
    return {Stage(k): TimeLimit.parse(v).unit for k, v in json.loads(limits_json).items()}


def _clock_of(row: ScanCandidate) -> _Clock | None:
    if row.stage is None or row.stage_deadline is None or row.stage_started_at is None:
        return None
    status = CaseStatus(row.status)
    if status not in SCANNED_STATUSES:
        return None
    stage = Stage(row.stage)
    return _Clock(
        status=status,
        stage=stage,
        started=row.stage_started_at,
        deadline=row.stage_deadline,
        unit=_units(row.limits or "{}").get(stage, LimitUnit.working_hours),
        overdue=bool(row.overdue),
        reminded_at=row.reminded_at,
        supervised=bool(row.supervised),
    )


def _plan(
    row: ScanCandidate,
    now: datetime,
    calendar: WorkingCalendar,
    settings: Settings,
    yellow: YellowTimes | None = None,
) -> PlannedMarks | None:
    state = _clock_of(row)
    if state is None:
        return None
    deadline = state.deadline
    unit = state.unit
    changes: dict[str, Any] = {}
    marks: list[tuple[str, CaseEvent]] = []
    base: dict[str, Any] = {
        "occurred_at": now,
        "actor": SYSTEM.username,
        "actor_role": "system",
        "case_id": row.id,
        "case_number": row.number,
        "status": state.status.value,
    }
    stage = state.stage.value
    overdue = state.overdue
    if not overdue and now > deadline:
        overdue = True
        changes.update(overdue=True, overdue_at=now)
        marks.append(("overdue", CaseOverdue(**base, stage=stage, deadline=deadline.isoformat())))
    elif (
        not overdue
        and state.reminded_at is None
        and (
            yellow is None
            or now
            >= yellow.green_until(row.id, state, calendar, settings.sla_yellow_ratio)
            - timedelta(seconds=1)
        )
    ):
        colour = sla_state(
            state.started,
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
        return None
    return PlannedMarks(row, changes, marks, now)


def _record(uow: UnitOfWork, plan: PlannedMarks, last_seq: int) -> int:
    """The history lines and events of marks just written (`last_seq`: the last number)."""
    row = plan.row
    status, stage, deadline = row.status, row.stage, row.stage_deadline
    first = last_seq - len(plan.marks) + 1
    for offset, (action, event) in enumerate(plan.marks):
        store.insert_history(
            uow.session,
            case_id=row.id,
            seq=first + offset,
            action=action,
            from_status=status,
            to_status=status,
            actor_user_id=None,
            actor_name=SYSTEM.display_name or SYSTEM.username,
            actor_role="system",
            at=plan.at,
            note="",
            data={"stage": stage, "deadline": deadline.isoformat() if deadline else None},
        )
        uow.emit(event)
    return len(plan.marks)
