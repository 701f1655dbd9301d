"""The case lifecycle: the next state of a case after an action (pure). The action's spec (the
workflow registry) checks the transition and computes its own changes; this module then moves
the case to its target status and stage (the stage deadlines are in cases/deadlines.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime

from cityops.cases.deadlines import initial_deadlines, project
from cityops.cases.model import (
    STAGE_OF_STATUS,
    ActionInput,
    CaseState,
    CaseStatus,
    WorkCalendar,
)
from cityops.cases.workflow.registry import WORKFLOW, Workflow
from cityops.cases.workflow.spec import Step
from cityops.worktime.public import Stage

__all__ = ["apply", "enter_stage", "initial_deadlines", "project"]


def enter_stage(
    state: CaseState, status: CaseStatus, now: datetime, deadlines: Mapping[Stage, datetime]
) -> CaseState:
    """The case moved to `status`: a new stage gets a fresh SLA clock (not overdue, not
    reminded); within the same stage the deadline follows the chain, and a deadline moved to
    after `now` (an approved extension, a resume) is judged afresh: the overdue mark and the 催办
    of the old deadline are cleared, so the SLA scan marks and reminds against the new one. The
    history keeps the old marks' lines; 督办 (supervised, escalated_at) stays, and the on-time
    counts are judged at 办结/结案 against the deadline in force then."""
    stage = STAGE_OF_STATUS[status]
    deadline = deadlines.get(stage) if stage is not None else None
    moved = dataclasses.replace(
        state, status=status, deadlines=dict(deadlines), stage_deadline=deadline
    )
    if stage != state.stage:
        return dataclasses.replace(
            moved,
            stage=stage,
            stage_started_at=now if stage is not None else None,
            overdue=False,
            overdue_at=None,
            reminded_at=None,
            escalated_at=None,
        )
    if deadline is not None and deadline != state.stage_deadline and deadline > now:
        return dataclasses.replace(moved, overdue=False, overdue_at=None, reminded_at=None)
    return moved


def apply(
    state: CaseState,
    action: str,
    inp: ActionInput,
    *,
    now: datetime,
    calendar: WorkCalendar,
    workflow: Workflow = WORKFLOW,
) -> CaseState:
    """The case after `action` at `now`. Raises InvalidTransition or ValidationFailed."""
    workflow.check_transition(state, action)
    spec = workflow.spec(action)
    target = spec.target_of(state, inp)
    step = Step(state, inp, now, calendar, dict(state.deadlines))
    changed = spec.effect(step)
    return enter_stage(changed, target, now, step.deadlines)
