"""The actions that send a case to a department and have it handled: dispatch 派遣, sign 签收,
return 回退, supervise 督办 and finish 办结反馈."""

from __future__ import annotations

import dataclasses
from typing import Any

from pydantic import Field

from cityops.cases import events as ev
from cityops.cases.deadlines import on_time
from cityops.cases.model import OPEN_STATUSES, ActionInput, CaseAction, CaseState
from cityops.cases.model import CaseStatus as S
from cityops.cases.workflow.spec import (
    NOTE,
    REASON,
    RESULT,
    ActionBody,
    ActionSpec,
    Code,
    Done,
    FormField,
    Reading,
    Step,
    single,
)
from cityops.kernel.actor import Role
from cityops.kernel.errors import ValidationFailed
from cityops.worktime.public import Stage


class DispatchBody(ActionBody):
    department_code: Code | None = Field(
        default=None,
        max_length=40,
        description="the department to send the case to (default: the suggested one)",
    )


def _read_dispatch(body: DispatchBody, reading: Reading) -> ActionInput:
    code = body.department_code or reading.suggested_department_code
    if not code:
        return ActionInput()
    found = reading.lookup.department(code)
    if found is None:
        raise ValidationFailed(
            f"unknown department {code!r}", code="unknown_department", department_code=code
        )
    if not found.active:
        raise ValidationFailed(f"department {code!r} is inactive", code="inactive_department")
    return ActionInput(department=found.target)


def _dispatch(step: Step) -> CaseState:
    dept = step.inp.department
    if dept is None:
        raise ValidationFailed(
            "dispatch needs a department_code (this case has no suggested department)",
            code="department_required",
        )
    step.restart(Stage.handle, step.now)
    return dataclasses.replace(
        step.state,
        department_id=dept.id,
        department_code=dept.code,
        department_name=dept.name,
        first_department_id=step.state.first_department_id or dept.id,
        dispatched_at=step.now,
        signed_at=None,
        handled_on_time=None,
    )


def _as_suggested(done: Done[Any]) -> bool:
    dept = done.inp.department
    return dept is not None and dept.id == done.before.suggested_department_id


def _dispatch_data(done: Done[Any]) -> dict[str, Any]:
    dept = done.inp.department
    if dept is None:
        return {}
    return {
        "department_id": dept.id,
        "department_code": dept.code,
        "department_name": dept.name,
        "as_suggested": _as_suggested(done),
    }


def _dispatched(done: Done[Any]) -> list[ev.CaseEvent]:
    dept = done.inp.department
    if dept is None:
        return []
    deadline = done.after.deadlines.get(Stage.handle)
    return [
        ev.CaseDispatched(
            **done.event_fields(),
            department_id=dept.id,
            department_code=dept.code,
            as_suggested=_as_suggested(done),
            handle_deadline=deadline.isoformat() if deadline else None,
        )
    ]


def _return(step: Step) -> CaseState:
    step.restart(Stage.dispatch, step.now)
    return dataclasses.replace(
        step.state,
        department_id=None,
        department_code=None,
        department_name=None,
        signed_at=None,
        return_count=step.state.return_count + 1,
    )


def _finish(step: Step) -> CaseState:
    step.restart(Stage.verify, step.now)
    return dataclasses.replace(
        step.state,
        handled_at=step.now,
        handled_on_time=on_time(step.now, step.deadlines.get(Stage.handle)),
    )


HANDLER = frozenset({Role.handler})

SPECS: tuple[ActionSpec[Any], ...] = (
    ActionSpec(
        name=CaseAction.dispatch,
        title="派遣",
        sources=frozenset({S.registered}),
        target=S.dispatched,
        roles=frozenset({Role.dispatcher}),
        body=DispatchBody,
        read=_read_dispatch,
        effect=_dispatch,
        history=_dispatch_data,
        events=_dispatched,
        form=(FormField("department_code", "department", required=True), NOTE),
    ),
    ActionSpec(
        name=CaseAction.sign,
        title="签收",
        sources=frozenset({S.dispatched}),
        target=S.in_progress,
        roles=HANDLER,
        body=ActionBody,
        effect=lambda step: dataclasses.replace(step.state, signed_at=step.now),
        events=single(
            lambda d: ev.CaseSigned(**d.event_fields(), department_code=d.department_code)
        ),
        department_bound=True,
    ),
    ActionSpec(
        name=CaseAction.return_,
        title="回退",
        sources=frozenset({S.dispatched, S.in_progress}),
        target=S.registered,
        roles=HANDLER,
        body=ActionBody,
        effect=_return,
        history=lambda d: {"department_code": d.before.department_code},
        events=single(
            lambda d: ev.CaseReturned(
                **d.event_fields(), department_code=d.department_code, reason=d.reason
            )
        ),
        department_bound=True,
        needs_reason=True,
        form=(REASON,),
        caution=True,
    ),
    ActionSpec(
        name=CaseAction.supervise,
        title="督办",
        sources=OPEN_STATUSES,
        target=None,
        roles=frozenset({Role.dispatcher, Role.leader}),
        body=ActionBody,
        effect=lambda step: dataclasses.replace(step.state, supervised=True),
        events=single(lambda d: ev.CaseSupervised(**d.event_fields(), note=d.body.note.strip())),
    ),
    ActionSpec(
        name=CaseAction.finish,
        title="办结反馈",
        sources=frozenset({S.in_progress}),
        target=S.handled,
        roles=HANDLER,
        body=ActionBody,
        effect=_finish,
        history=lambda d: {"on_time": d.after.handled_on_time},
        events=single(
            lambda d: ev.CaseHandled(
                **d.event_fields(),
                department_code=d.department_code,
                on_time=bool(d.after.handled_on_time),
            )
        ),
        department_bound=True,
        needs_result=True,
        form=RESULT,
    ),
)
