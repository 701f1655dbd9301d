"""The case lifecycle: stage deadlines and the next state of a case after an action (pure).

Deadlines form a chain: register → dispatch → handle → verify → close, each stage's limit
counted from the end of the one before. When a stage really starts (or its deadline moves by an
extension or a suspension) the chain from there on is projected again, so the close deadline
(结案时限) is always "verify deadline + close limit"."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime

from cityops.cases.model import (
    STAGE_OF_STATUS,
    ActionInput,
    CaseAction,
    CaseState,
    CaseStatus,
    Satisfaction,
    WorkCalendar,
    check_transition,
    next_status,
)
from cityops.kernel.errors import ValidationFailed
from cityops.worktime.public import LimitUnit, Stage, TimeLimit

CHAIN = (Stage.register, Stage.dispatch, Stage.handle, Stage.verify, Stage.close)


def project(
    deadlines: Mapping[Stage, datetime],
    first: Stage,
    start: datetime,
    limits: Mapping[Stage, TimeLimit],
    calendar: WorkCalendar,
) -> dict[Stage, datetime]:
    """`deadlines` with the chain from `first` on recomputed as if `first` started at `start`.
    Without a close limit the close deadline is the verify deadline."""
    out = dict(deadlines)
    for stage in CHAIN[CHAIN.index(first) :]:
        limit = limits.get(stage)
        if limit is None:
            continue
        out[stage] = start = calendar.add(start, limit)
    if Stage.close not in limits and Stage.verify in out:
        out[Stage.close] = out[Stage.verify]
    return out


def initial_deadlines(
    reported_at: datetime, limits: Mapping[Stage, TimeLimit], calendar: WorkCalendar
) -> dict[Stage, datetime]:
    """The projected deadlines of a case reported at `reported_at`."""
    return project({}, Stage.register, reported_at, limits, calendar)


def _enter_stage(
    state: CaseState, status: CaseStatus, now: datetime, deadlines: Mapping[Stage, datetime]
) -> dict[str, object]:
    """Fields that change when the case moves to `status`: a new stage gets a fresh SLA clock
    (not overdue, not reminded); within the same stage the deadline follows the chain, and a
    deadline moved to after `now` (an approved extension, a resume) is judged afresh: the
    overdue mark and the 催办 of the old deadline are cleared, so the SLA scan marks and
    reminds against the new one. The history keeps the old marks' lines; 督办 (supervised,
    escalated_at) stays, and the on-time counts are judged at 办结/结案 against the deadline in
    force then."""
    stage = STAGE_OF_STATUS[status]
    deadline = deadlines.get(stage) if stage is not None else None
    changes: dict[str, object] = {
        "status": status,
        "deadlines": dict(deadlines),
        "stage_deadline": deadline,
    }
    if stage != state.stage:
        changes.update(
            stage=stage,
            stage_started_at=now if stage is not None else None,
            overdue=False,
            overdue_at=None,
            reminded_at=None,
            escalated_at=None,
        )
    elif deadline is not None and deadline != state.stage_deadline and deadline > now:
        changes.update(overdue=False, overdue_at=None, reminded_at=None)
    return changes


def _shift(calendar: WorkCalendar, when: datetime, seconds: float, unit: LimitUnit) -> datetime:
    """`when` moved later by `seconds` of working time (or of elapsed time for calendar hours)."""
    kind = LimitUnit.calendar_hours if unit is LimitUnit.calendar_hours else LimitUnit.working_hours
    return calendar.add(when, TimeLimit(amount=seconds / 3600.0, unit=kind))


def check_visit(inp: ActionInput) -> None:
    """The fields of a 回访 (evaluate): `contacted` always; when the citizen was reached,
    `resolved` and `satisfaction`; when not, none of resolved, satisfaction or reopen (there is
    no answer to record). ValidationFailed (422) naming what is missing or out of place."""
    if inp.contacted is None:
        raise ValidationFailed(
            "evaluate needs contacted: true when the visit reached the citizen, false when not",
            code="contacted_required",
        )
    if not inp.contacted:
        given = [
            name
            for name, value in (
                ("resolved", inp.resolved is not None),
                ("satisfaction", inp.satisfaction is not None),
                ("reopen", inp.reopen),
            )
            if value
        ]
        if given:
            raise ValidationFailed(
                "the visit did not reach the citizen (contacted: false), so there is no "
                f"{' or '.join(given)} to record; leave {', '.join(given)} out",
                code="not_contacted",
                fields=given,
            )
        return
    if inp.resolved is None:
        raise ValidationFailed(
            "evaluate needs resolved: true or false (did the citizen say it is solved?)",
            code="resolved_required",
        )
    if inp.satisfaction is None:
        raise ValidationFailed(
            "evaluate needs satisfaction: satisfied, basically_satisfied or unsatisfied",
            code="satisfaction_required",
        )


def _on_time(now: datetime, deadline: datetime | None) -> bool:
    return deadline is None or now <= deadline


def apply(
    state: CaseState,
    action: CaseAction,
    inp: ActionInput,
    *,
    now: datetime,
    calendar: WorkCalendar,
) -> CaseState:
    """The case after `action` at `now`. Raises InvalidTransition or ValidationFailed."""
    check_transition(state, action)
    target = next_status(state, action, inp)
    limits = state.limits
    deadlines = dict(state.deadlines)
    ch: dict[str, object] = {}

    def restart(first: Stage, start: datetime) -> None:
        nonlocal deadlines
        deadlines = project(deadlines, first, start, limits, calendar)

    if action is CaseAction.register:
        restart(Stage.dispatch, now)
        ch["registered_at"] = now
    elif action is CaseAction.merge:
        if inp.merge_into_id is None:
            raise ValidationFailed("merge needs into_case_id", code="into_case_required")
        ch["merged_into_id"] = inp.merge_into_id
    elif action is CaseAction.dispatch:
        dept = inp.department
        if dept is None:
            raise ValidationFailed(
                "dispatch needs a department_code (this case has no suggested department)",
                code="department_required",
            )
        restart(Stage.handle, now)
        ch.update(
            department_id=dept.id,
            department_code=dept.code,
            department_name=dept.name,
            first_department_id=state.first_department_id or dept.id,
            dispatched_at=now,
            signed_at=None,
            handled_on_time=None,
        )
    elif action is CaseAction.sign:
        ch["signed_at"] = now
    elif action is CaseAction.return_:
        restart(Stage.dispatch, now)
        ch.update(
            department_id=None,
            department_code=None,
            department_name=None,
            signed_at=None,
            return_count=state.return_count + 1,
        )
    elif action is CaseAction.request_extension:
        if inp.extension is None or inp.extension.amount <= 0:
            raise ValidationFailed(
                "request_extension needs a positive amount (hours, or amount and unit)",
                code="extension_amount_required",
            )
        ch["pending_extension"] = inp.extension
    elif action is CaseAction.approve_extension:
        ext = state.pending_extension
        assert ext is not None  # state_allows checked it
        if Stage.handle in deadlines:
            deadlines[Stage.handle] = calendar.add(deadlines[Stage.handle], ext)
            restart(Stage.verify, deadlines[Stage.handle])
        ch.update(pending_extension=None, extension_count=state.extension_count + 1)
    elif action is CaseAction.deny_extension:
        ch["pending_extension"] = None
    elif action is CaseAction.suspend:
        ch["suspended_at"] = now
    elif action is CaseAction.resume:
        assert state.suspended_at is not None
        limit = limits.get(Stage.handle)
        unit = limit.unit if limit is not None else LimitUnit.working_hours
        if unit is LimitUnit.calendar_hours:
            seconds = (now - state.suspended_at).total_seconds()
        else:
            seconds = calendar.working_seconds_between(state.suspended_at, now)
        seconds = max(seconds, 0.0)
        if seconds > 0 and Stage.handle in deadlines:
            deadlines[Stage.handle] = _shift(calendar, deadlines[Stage.handle], seconds, unit)
            restart(Stage.verify, deadlines[Stage.handle])
        ch.update(suspended_at=None, suspended_seconds=state.suspended_seconds + seconds)
    elif action is CaseAction.supervise:
        ch["supervised"] = True
    elif action is CaseAction.finish:
        restart(Stage.verify, now)
        ch.update(handled_at=now, handled_on_time=_on_time(now, deadlines.get(Stage.handle)))
    elif action is CaseAction.verify:
        if inp.passed is None:
            raise ValidationFailed("verify needs passed: true or false", code="passed_required")
        if inp.passed:
            ch.update(closed_at=now, closed_on_time=_on_time(now, deadlines.get(Stage.close)))
        else:  # 返工 rework: back to the same department with a fresh handling period
            restart(Stage.handle, now)
            ch.update(rework_count=state.rework_count + 1, handled_at=None)
    elif action is CaseAction.evaluate:
        check_visit(inp)
        if inp.reopen and inp.satisfaction is not Satisfaction.unsatisfied:
            raise ValidationFailed(
                "only an unsatisfied evaluation may reopen the case", code="reopen_not_allowed"
            )
        if inp.contacted:
            ch.update(satisfaction=inp.satisfaction, evaluated_at=now)
        # else a visit that did not reach the citizen: recorded (history line, CaseEvaluated)
        # and nothing else changes, so the case waits for the next visit or the citizen's rating
        if inp.reopen:  # 重办: the department handles it again, or a dispatcher picks one
            restart(Stage.handle if state.department_id is not None else Stage.dispatch, now)
            ch.update(
                reopen_count=state.reopen_count + 1,
                evaluated_at=None,
                handled_at=None,
                closed_at=None,
                closed_on_time=None,
            )
    elif action is CaseAction.self_handle:
        ch.update(
            registered_at=now,
            closed_at=now,
            closed_on_time=_on_time(now, deadlines.get(Stage.close)),
        )
    elif action is CaseAction.answer:  # 直接办结: registered, answered (办结) and closed at once
        ch.update(
            registered_at=now,
            handled_at=now,
            closed_at=now,
            closed_on_time=_on_time(now, deadlines.get(Stage.close)),
        )
    ch.update(_enter_stage(state, target, now, deadlines))
    return dataclasses.replace(state, **ch)  # type: ignore[arg-type]
