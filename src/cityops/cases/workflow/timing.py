"""The actions that move the handling deadline: request_extension 延期申请, approve_extension
延期批准, deny_extension 延期驳回, suspend 挂账 and resume 恢复."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, Literal

from pydantic import Field

from cityops.cases import events as ev
from cityops.cases.deadlines import shift
from cityops.cases.model import ActionInput, CaseAction, CaseState
from cityops.cases.model import CaseStatus as S
from cityops.cases.workflow.spec import (
    REASON,
    ActionBody,
    ActionSpec,
    Done,
    ExtensionRecord,
    FormField,
    Guard,
    Reading,
    Step,
    single,
)
from cityops.kernel.actor import Role
from cityops.kernel.errors import ValidationFailed
from cityops.worktime.public import LimitUnit, Stage, TimeLimit

# The longest extension one request may ask for.
MAX_EXTENSION_HOURS = 240.0
MAX_EXTENSION_DAYS = 30.0


class ExtensionRequestBody(ActionBody):
    hours: float | None = Field(default=None, gt=0, description="working hours")
    amount: float | None = Field(default=None, gt=0, description="with unit, instead of hours")
    unit: Literal["working_hours", "working_days", "calendar_hours"] | None = None


def _read_extension(body: ExtensionRequestBody, reading: Reading) -> ActionInput:
    if body.hours is not None and (body.amount is not None or body.unit is not None):
        raise ValidationFailed(
            "request_extension takes either hours (working hours) or amount and unit, not both",
            code="extension_ambiguous",
        )
    if body.hours is not None:
        limit = TimeLimit(float(body.hours), LimitUnit.working_hours)
    elif body.amount is not None:
        limit = TimeLimit(float(body.amount), LimitUnit(body.unit or LimitUnit.working_hours))
    else:
        raise ValidationFailed(
            "request_extension needs hours, or amount and unit", code="extension_amount_required"
        )
    cap = MAX_EXTENSION_DAYS if limit.unit is LimitUnit.working_days else MAX_EXTENSION_HOURS
    if not 0 < limit.amount <= cap:
        raise ValidationFailed(
            f"an extension must be more than 0 and at most {cap:g} {limit.unit.value}",
            code="invalid_extension",
        )
    return ActionInput(extension=limit)


def _request(step: Step) -> CaseState:
    ext = step.inp.extension
    if ext is None or ext.amount <= 0:
        raise ValidationFailed(
            "request_extension needs a positive amount (hours, or amount and unit)",
            code="extension_amount_required",
        )
    return dataclasses.replace(step.state, pending_extension=ext)


def _requested(done: Done[Any]) -> list[ev.CaseEvent]:
    ext = done.inp.extension
    if ext is None:
        return []
    return [
        ev.CaseExtensionRequested(
            **done.event_fields(),
            extension_id=done.extension_id or 0,
            amount=ext.amount,
            unit=ext.unit.value,
            reason=done.reason,
        )
    ]


def _request_data(done: Done[Any]) -> dict[str, Any]:
    ext = done.inp.extension
    return {**ext.to_json(), "extension_id": done.extension_id} if ext is not None else {}


def _approve(step: Step) -> CaseState:
    ext = step.state.pending_extension
    assert ext is not None  # the guard checked it
    if Stage.handle in step.deadlines:
        moved = step.calendar.add(step.deadlines[Stage.handle], ext)
        step.deadlines[Stage.handle] = moved
        step.restart(Stage.verify, moved)
    return dataclasses.replace(
        step.state, pending_extension=None, extension_count=step.state.extension_count + 1
    )


def _decision_data(approved: bool) -> Callable[[Done[Any]], dict[str, Any]]:
    def data(done: Done[Any]) -> dict[str, Any]:
        pending = done.before.pending_extension
        return {
            "extension_id": done.extension_id,
            "approved": approved,
            **(pending.to_json() if pending else {}),
        }

    return data


def _decided(approved: bool) -> Callable[[Done[Any]], list[ev.CaseEvent]]:
    def events(done: Done[Any]) -> list[ev.CaseEvent]:
        deadline = done.after.deadlines.get(Stage.handle)
        return [
            ev.CaseExtensionDecided(
                **done.event_fields(),
                extension_id=done.extension_id or 0,
                approved=approved,
                handle_deadline=deadline.isoformat() if deadline else None,
            )
        ]

    return events


def _resume(step: Step) -> CaseState:
    state = step.state
    assert state.suspended_at is not None
    limit = state.limits.get(Stage.handle)
    unit = limit.unit if limit is not None else LimitUnit.working_hours
    if unit is LimitUnit.calendar_hours:
        seconds = (step.now - state.suspended_at).total_seconds()
    else:
        seconds = step.calendar.working_seconds_between(state.suspended_at, step.now)
    seconds = max(seconds, 0.0)
    if seconds > 0 and Stage.handle in step.deadlines:
        moved = shift(step.calendar, step.deadlines[Stage.handle], seconds, unit)
        step.deadlines[Stage.handle] = moved
        step.restart(Stage.verify, moved)
    return dataclasses.replace(
        state, suspended_at=None, suspended_seconds=state.suspended_seconds + seconds
    )


def _suspended_for(done: Done[Any]) -> float:
    return done.after.suspended_seconds - done.before.suspended_seconds


def _resumed(done: Done[Any]) -> ev.CaseEvent:
    deadline = done.after.deadlines.get(Stage.handle)
    return ev.CaseResumed(
        **done.event_fields(),
        suspended_seconds=_suspended_for(done),
        handle_deadline=deadline.isoformat() if deadline else None,
    )


def _pending_refusal(state: CaseState) -> str:
    pending = state.pending_extension
    assert pending is not None
    return (
        f"an extension request ({pending.amount:g} {pending.unit.value}) is already pending: "
        "wait for the shift leader's decision"
    )


NO_PENDING = Guard(
    allows=lambda state: state.pending_extension is None,
    code="extension_pending",
    refusal=_pending_refusal,
)


def _pending(verb: str) -> Guard:
    return Guard(
        allows=lambda state: state.pending_extension is not None,
        code="no_pending_extension",
        refusal=lambda state: f"no extension request is pending to {verb}",
    )


IN_PROGRESS = frozenset({S.in_progress})
LEADER = frozenset({Role.shift_leader})

SPECS: tuple[ActionSpec[Any], ...] = (
    ActionSpec(
        name=CaseAction.request_extension,
        title="延期申请",
        sources=IN_PROGRESS,
        target=None,
        roles=frozenset({Role.handler}),
        body=ExtensionRequestBody,
        read=_read_extension,
        effect=_request,
        history=_request_data,
        events=_requested,
        guard=NO_PENDING,
        department_bound=True,
        needs_reason=True,
        extension=ExtensionRecord.request,
        form=(FormField("hours", "number", required=True, min=1), REASON),
    ),
    ActionSpec(
        name=CaseAction.approve_extension,
        title="延期批准",
        sources=IN_PROGRESS,
        target=None,
        roles=LEADER,
        body=ActionBody,
        effect=_approve,
        history=_decision_data(True),
        events=_decided(True),
        guard=_pending("approve"),
        extension=ExtensionRecord.approve,
    ),
    ActionSpec(
        name=CaseAction.deny_extension,
        title="延期驳回",
        sources=IN_PROGRESS,
        target=None,
        roles=LEADER,
        body=ActionBody,
        effect=lambda step: dataclasses.replace(step.state, pending_extension=None),
        history=_decision_data(False),
        events=_decided(False),
        guard=_pending("deny"),
        extension=ExtensionRecord.deny,
        caution=True,
    ),
    ActionSpec(
        name=CaseAction.suspend,
        title="挂账",
        sources=IN_PROGRESS,
        target=S.suspended,
        roles=LEADER,
        body=ActionBody,
        effect=lambda step: dataclasses.replace(step.state, suspended_at=step.now),
        events=single(lambda d: ev.CaseSuspended(**d.event_fields(), reason=d.reason)),
        needs_reason=True,
        form=(REASON,),
        caution=True,
    ),
    ActionSpec(
        name=CaseAction.resume,
        title="恢复",
        sources=frozenset({S.suspended}),
        target=S.in_progress,
        roles=LEADER,
        body=ActionBody,
        effect=_resume,
        history=lambda d: {"suspended_seconds": _suspended_for(d)},
        events=single(_resumed),
    ),
)
