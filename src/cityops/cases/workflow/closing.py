"""The actions that close a case and follow it up: verify 核查 (or 返工 rework) and evaluate
评价/回访 (or 重办 reopen)."""

from __future__ import annotations

import dataclasses
from typing import Any

from pydantic import Field

from cityops.cases import events as ev
from cityops.cases.deadlines import on_time
from cityops.cases.model import ActionInput, CaseAction, CaseState, Satisfaction
from cityops.cases.model import CaseStatus as S
from cityops.cases.workflow.spec import (
    NOTE,
    ActionBody,
    ActionSpec,
    Done,
    FormField,
    Guard,
    Reading,
    Step,
)
from cityops.kernel.actor import Role
from cityops.kernel.errors import ValidationFailed
from cityops.worktime.public import Stage


class VerifyBody(ActionBody):
    passed: bool | None = Field(default=None, description="false: 返工, back to the department")


class EvaluateBody(ActionBody):
    contacted: bool | None = Field(
        default=None,
        description="evaluate (回访), required: did the visit reach the citizen? false records "
        "an unreached visit and takes no resolved, satisfaction or reopen",
    )
    resolved: bool | None = Field(
        default=None, description="required when contacted: is the matter solved?"
    )
    satisfaction: Satisfaction | None = Field(default=None, description="required when contacted")
    reopen: bool = Field(default=False, description="重办 (unsatisfied only)")


def _read_verify(body: VerifyBody, reading: Reading) -> ActionInput:
    return ActionInput(passed=body.passed)


def _verify_target(state: CaseState, inp: ActionInput) -> S:
    return S.in_progress if inp.passed is False else S.closed


def _verify(step: Step) -> CaseState:
    passed = step.inp.passed
    if passed is None:
        raise ValidationFailed("verify needs passed: true or false", code="passed_required")
    if passed:
        return dataclasses.replace(
            step.state,
            closed_at=step.now,
            closed_on_time=on_time(step.now, step.deadlines.get(Stage.close)),
        )
    # 返工 rework: back to the same department with a fresh handling period
    step.restart(Stage.handle, step.now)
    return dataclasses.replace(
        step.state, rework_count=step.state.rework_count + 1, handled_at=None
    )


def _verified(done: Done[Any]) -> list[ev.CaseEvent]:
    base = done.event_fields()
    passed = bool(done.inp.passed)
    then: ev.CaseEvent = (
        ev.CaseClosed(**base, on_time=bool(done.after.closed_on_time))
        if passed
        else ev.CaseReworked(
            **base, rework_count=done.after.rework_count, department_code=done.department_code
        )
    )
    return [ev.CaseVerified(**base, passed=passed), then]


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


def _read_visit(body: EvaluateBody, reading: Reading) -> ActionInput:
    return ActionInput(
        reopen=body.reopen,
        satisfaction=body.satisfaction,
        contacted=body.contacted,
        resolved=body.resolved,
    )


def _evaluate_target(state: CaseState, inp: ActionInput) -> S:
    if not inp.reopen:
        return state.status
    # 重办 goes back to the department that handled it; a case closed without one (answered on
    # the spot, self-handled by its inspector) goes back to dispatch (派遣)
    return S.in_progress if state.department_id is not None else S.registered


def _evaluate(step: Step) -> CaseState:
    inp, state, now = step.inp, step.state, step.now
    check_visit(inp)
    if inp.reopen and inp.satisfaction is not Satisfaction.unsatisfied:
        raise ValidationFailed(
            "only an unsatisfied evaluation may reopen the case", code="reopen_not_allowed"
        )
    if inp.contacted:
        state = dataclasses.replace(state, satisfaction=inp.satisfaction, evaluated_at=now)
    # else a visit that did not reach the citizen: recorded (history line, CaseEvaluated) and
    # nothing else changes, so the case waits for the next visit or the citizen's rating
    if inp.reopen:  # 重办: the department handles it again, or a dispatcher picks one
        step.restart(Stage.handle if state.department_id is not None else Stage.dispatch, now)
        state = dataclasses.replace(
            state,
            reopen_count=state.reopen_count + 1,
            evaluated_at=None,
            handled_at=None,
            closed_at=None,
            closed_on_time=None,
        )
    return state


def _visit_data(done: Done[EvaluateBody]) -> dict[str, Any]:
    body = done.body
    return {
        "satisfaction": body.satisfaction.value if body.satisfaction else None,
        "contacted": body.contacted,
        "resolved": body.resolved,
        "reopen": body.reopen if body.contacted else None,  # not asked when nobody answered
    }


def _evaluated(done: Done[EvaluateBody]) -> list[ev.CaseEvent]:
    body = done.body
    out: list[ev.CaseEvent] = [
        ev.CaseEvaluated(
            **done.event_fields(),
            satisfaction=body.satisfaction.value if body.satisfaction else None,
            contacted=body.contacted,
            resolved=body.resolved,
            handled_at=done.before.handled_at,
            actor_user_id=done.actor_user_id,
        )
    ]
    if body.reopen:
        out.append(
            ev.CaseReopened(
                **done.event_fields(),
                reopen_count=done.after.reopen_count,
                department_code=done.department_code,
            )
        )
    return out


def _yes_no(name: str, *, required: bool = True, when: str | None = None) -> FormField:
    return FormField(name, "yesno", required=required, when=when)


SPECS: tuple[ActionSpec[Any], ...] = (
    ActionSpec(
        name=CaseAction.verify,
        title="核查",
        sources=frozenset({S.handled}),
        target=S.closed,
        alt_target=S.in_progress,
        choose_target=_verify_target,
        roles=frozenset({Role.inspector, Role.dispatcher}),
        body=VerifyBody,
        read=_read_verify,
        effect=_verify,
        history=lambda d: {"passed": d.inp.passed},
        events=_verified,
        form=(_yes_no("passed"), NOTE),
    ),
    ActionSpec(
        name=CaseAction.evaluate,
        title="评价/回访",
        sources=frozenset({S.closed}),
        target=None,
        alt_target=S.in_progress,
        choose_target=_evaluate_target,
        roles=frozenset({Role.operator}),
        body=EvaluateBody,
        read=_read_visit,
        effect=_evaluate,
        history=_visit_data,
        events=_evaluated,
        guard=Guard(
            allows=lambda state: state.evaluated_at is None,
            code="already_evaluated",
            refusal=lambda state: "this closure has been evaluated already",
        ),
        form=(
            _yes_no("contacted"),
            _yes_no("resolved", when="contacted"),
            FormField(
                "satisfaction",
                "choice",
                required=True,
                when="contacted",
                choices=tuple(Satisfaction),
            ),
            _yes_no("reopen", required=False, when="contacted"),
            NOTE,
        ),
    ),
)
