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
    new_stage = stage != state.stage
    # a new stage's clock, or a deadline of the same stage moved to after now: judged afresh
    fresh = new_stage or (
        deadline is not None and deadline != state.stage_deadline and deadline > now
    )
    started = (now if stage is not None else None) if new_stage else state.stage_started_at
    return dataclasses.replace(
        state,
        status=status,
        deadlines=dict(deadlines),
        stage_deadline=deadline,
        stage=stage,
        stage_started_at=started,
        overdue=False if fresh else state.overdue,
        overdue_at=None if fresh else state.overdue_at,
        reminded_at=None if fresh else state.reminded_at,
        escalated_at=None if new_stage else state.escalated_at,
    )


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
