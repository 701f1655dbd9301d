"""The per-action parts of a workflow step: reading the command into the workflow's input
(looking up the department, the merge target), the history line's data, and the events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from cityops.cases import events as ev
from cityops.cases import queries
from cityops.cases.model import (
    OPEN_STATUSES,
    ActionInput,
    CaseAction,
    CaseState,
    DepartmentTarget,
)
from cityops.cases.rows import CaseRecord
from cityops.cases.views import ActionCommand
from cityops.kernel.actor import Actor
from cityops.kernel.errors import NotFound, ValidationFailed
from cityops.worktime.public import LimitUnit, Stage, TimeLimit

if TYPE_CHECKING:
    from cityops.cases.service import CaseService

NEEDS_REASON = frozenset(
    {
        CaseAction.reject,
        CaseAction.cancel,
        CaseAction.return_,
        CaseAction.suspend,
        CaseAction.request_extension,
    }
)
# Steps that report what was done (办结反馈, 自行处置): a written result or a photo.
NEEDS_RESULT = frozenset({CaseAction.finish, CaseAction.self_handle})
# The longest answer (直接办结) kept in the history, and the longest article code.
ANSWER_MAX = 4000
ARTICLE_CODE_MAX = 32
# The longest extension one request may ask for.
MAX_EXTENSION_HOURS = 240.0
MAX_EXTENSION_DAYS = 30.0


@dataclass(frozen=True)
class ActionContext:
    inp: ActionInput
    into_case_number: str | None = None


def action_input(
    service: CaseService,
    session: Session,
    actor: Actor,
    case: CaseRecord,
    action: CaseAction,
    cmd: ActionCommand,
) -> ActionContext:
    """Validate the action's fields and resolve what they name. ValidationFailed (422)."""
    if action in NEEDS_REASON and not (cmd.reason or "").strip():
        raise ValidationFailed(f"{action.value} needs a reason", code="reason_required")
    if action in NEEDS_RESULT and not (cmd.note or "").strip() and not _photos(cmd):
        raise ValidationFailed(
            f"{action.value} needs the result: a note saying what was done, or at least one photo",
            code="result_required",
        )
    if action is CaseAction.dispatch:
        code = cmd.department_code or case.suggested_department_code
        if not code:
            return ActionContext(ActionInput())
        try:
            dept = service.org.department_by_code(session, code)
        except NotFound as exc:
            raise ValidationFailed(
                f"unknown department {code!r}", code="unknown_department", department_code=code
            ) from exc
        if not dept.active:
            raise ValidationFailed(f"department {code!r} is inactive", code="inactive_department")
        return ActionContext(
            ActionInput(department=DepartmentTarget(dept.id, dept.code, dept.name))
        )
    if action is CaseAction.request_extension:
        return ActionContext(ActionInput(extension=_extension(cmd)))
    if action is CaseAction.merge:
        return _merge(session, actor, case, cmd)
    if action is CaseAction.answer:
        _check_answer(cmd)
    return ActionContext(
        ActionInput(
            passed=cmd.passed,
            reopen=cmd.reopen,
            satisfaction=cmd.satisfaction,
            contacted=cmd.contacted,
            resolved=cmd.resolved,
        )
    )


def _photos(cmd: ActionCommand) -> list[str]:
    return [p for p in cmd.photos if p.strip()]


def _extension(cmd: ActionCommand) -> TimeLimit:
    if cmd.hours is not None and (cmd.amount is not None or cmd.unit is not None):
        raise ValidationFailed(
            "request_extension takes either hours (working hours) or amount and unit, not both",
            code="extension_ambiguous",
        )
    if cmd.hours is not None:
        limit = TimeLimit(float(cmd.hours), LimitUnit.working_hours)
    elif cmd.amount is not None:
        try:
            unit = LimitUnit(cmd.unit or LimitUnit.working_hours)
        except ValueError as exc:
            raise ValidationFailed(
                f"unit must be one of {', '.join(LimitUnit)}, not {cmd.unit!r}",
                code="invalid_unit",
            ) from exc
        limit = TimeLimit(float(cmd.amount), unit)
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
    return limit


def _check_answer(cmd: ActionCommand) -> None:
    answer = (cmd.answer or "").strip()
    if not answer:
        raise ValidationFailed(
            "answer needs the answer given to the caller", code="answer_required"
        )
    if len(answer) > ANSWER_MAX:
        raise ValidationFailed(
            f"the answer is longer than {ANSWER_MAX} characters", code="answer_too_long"
        )
    if len((cmd.article_code or "").strip()) > ARTICLE_CODE_MAX:
        raise ValidationFailed(
            f"article_code is longer than {ARTICLE_CODE_MAX} characters",
            code="invalid_article_code",
        )


def _merge(session: Session, actor: Actor, case: CaseRecord, cmd: ActionCommand) -> ActionContext:
    if cmd.into_case_id is None:
        raise ValidationFailed("merge needs into_case_id", code="into_case_required")
    if cmd.into_case_id == case.id:
        raise ValidationFailed("a case cannot be merged into itself", code="merge_into_self")
    target = queries.scoped_case(session, actor, cmd.into_case_id)
    if target is None:
        raise ValidationFailed(
            f"case {cmd.into_case_id} to merge into was not found", code="unknown_merge_target"
        )
    if target.status not in OPEN_STATUSES:
        raise ValidationFailed(
            f"case {target.number} is {target.status.value}: merge into an open case "
            "(reported, registered, dispatched, in progress, suspended or handled)",
            code="merge_target_closed",
            into_case_id=target.id,
            status=target.status.value,
        )
    return ActionContext(ActionInput(merge_into_id=target.id), target.number)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def history_data(
    action: CaseAction,
    cmd: ActionCommand,
    before: CaseState,
    after: CaseState,
    ctx: ActionContext,
    extension_id: int | None,
) -> dict[str, Any]:
    """The action's particulars for the history line."""
    data: dict[str, Any] = {}
    if cmd.reason:
        data["reason"] = cmd.reason.strip()
    if action is CaseAction.dispatch and ctx.inp.department is not None:
        data.update(
            department_id=ctx.inp.department.id,
            department_code=ctx.inp.department.code,
            department_name=ctx.inp.department.name,
            as_suggested=ctx.inp.department.id == before.suggested_department_id,
        )
    elif action is CaseAction.return_:
        data["department_code"] = before.department_code
    elif action is CaseAction.merge:
        data.update(into_case_id=ctx.inp.merge_into_id, into_case_number=ctx.into_case_number)
    elif action is CaseAction.request_extension and ctx.inp.extension is not None:
        data.update(ctx.inp.extension.to_json(), extension_id=extension_id)
    elif action in (CaseAction.approve_extension, CaseAction.deny_extension):
        data.update(
            extension_id=extension_id,
            approved=action is CaseAction.approve_extension,
            **(before.pending_extension.to_json() if before.pending_extension else {}),
        )
    elif action is CaseAction.resume:
        data["suspended_seconds"] = after.suspended_seconds - before.suspended_seconds
    elif action is CaseAction.finish:
        data["on_time"] = after.handled_on_time
    elif action is CaseAction.verify:
        data["passed"] = ctx.inp.passed
    elif action is CaseAction.answer:
        data.update(
            answer=(cmd.answer or "").strip(),
            article_code=(cmd.article_code or "").strip() or None,
        )
    elif action is CaseAction.evaluate:
        data.update(
            satisfaction=cmd.satisfaction.value if cmd.satisfaction else None,
            contacted=cmd.contacted,
            resolved=cmd.resolved,
            reopen=cmd.reopen if cmd.contacted else None,  # not asked when nobody answered
        )
    if after.stage_deadline != before.stage_deadline or after.stage != before.stage:
        data["stage"] = after.stage.value if after.stage else None
        data["stage_deadline"] = _iso(after.stage_deadline)
    if after.deadlines.get(Stage.handle) != before.deadlines.get(Stage.handle):
        data["handle_deadline"] = _iso(after.deadlines.get(Stage.handle))
    if before.overdue and not after.overdue and after.stage == before.stage:
        data["overdue_cleared"] = True  # the deadline moved past now (an extension, a resume)
    return data


def action_events(
    action: CaseAction,
    cmd: ActionCommand,
    case: CaseRecord,
    before: CaseState,
    after: CaseState,
    ctx: ActionContext,
    *,
    now: datetime,
    actor: Actor,
    role: str,
    extension_id: int | None,
) -> list[ev.CaseEvent]:
    base: dict[str, Any] = {
        "occurred_at": now,
        "actor": actor.username,
        "actor_role": role,
        "case_id": case.id,
        "case_number": case.number,
        "status": after.status.value,
    }
    reason = (cmd.reason or "").strip()
    handle_deadline = _iso(after.deadlines.get(Stage.handle))
    dept = after.department_code or before.department_code or ""
    out: list[ev.CaseEvent] = []
    if action is CaseAction.register:
        out.append(ev.CaseRegistered(**base))
    elif action is CaseAction.reject:
        out.append(ev.CaseRejected(**base, reason=reason))
    elif action is CaseAction.cancel:
        out.append(ev.CaseCancelled(**base, reason=reason))
    elif action is CaseAction.merge:
        out.append(
            ev.CaseMerged(
                **base,
                into_case_id=ctx.inp.merge_into_id or 0,
                into_case_number=ctx.into_case_number or "",
            )
        )
    elif action is CaseAction.dispatch and ctx.inp.department is not None:
        out.append(
            ev.CaseDispatched(
                **base,
                department_id=ctx.inp.department.id,
                department_code=ctx.inp.department.code,
                as_suggested=ctx.inp.department.id == before.suggested_department_id,
                handle_deadline=handle_deadline,
            )
        )
    elif action is CaseAction.sign:
        out.append(ev.CaseSigned(**base, department_code=dept))
    elif action is CaseAction.return_:
        out.append(ev.CaseReturned(**base, department_code=dept, reason=reason))
    elif action is CaseAction.request_extension and ctx.inp.extension is not None:
        out.append(
            ev.CaseExtensionRequested(
                **base,
                extension_id=extension_id or 0,
                amount=ctx.inp.extension.amount,
                unit=ctx.inp.extension.unit.value,
                reason=reason,
            )
        )
    elif action in (CaseAction.approve_extension, CaseAction.deny_extension):
        out.append(
            ev.CaseExtensionDecided(
                **base,
                extension_id=extension_id or 0,
                approved=action is CaseAction.approve_extension,
                handle_deadline=handle_deadline,
            )
        )
    elif action is CaseAction.suspend:
        out.append(ev.CaseSuspended(**base, reason=reason))
    elif action is CaseAction.resume:
        out.append(
            ev.CaseResumed(
                **base,
                suspended_seconds=after.suspended_seconds - before.suspended_seconds,
                handle_deadline=handle_deadline,
            )
        )
    elif action is CaseAction.supervise:
        out.append(ev.CaseSupervised(**base, note=(cmd.note or "").strip()))
    elif action is CaseAction.finish:
        out.append(
            ev.CaseHandled(**base, department_code=dept, on_time=bool(after.handled_on_time))
        )
    elif action is CaseAction.verify:
        out.append(ev.CaseVerified(**base, passed=bool(ctx.inp.passed)))
        if ctx.inp.passed:
            out.append(ev.CaseClosed(**base, on_time=bool(after.closed_on_time)))
        else:
            out.append(
                ev.CaseReworked(**base, rework_count=after.rework_count, department_code=dept)
            )
    elif action is CaseAction.evaluate:
        out.append(
            ev.CaseEvaluated(
                **base,
                satisfaction=cmd.satisfaction.value if cmd.satisfaction else None,
                contacted=cmd.contacted,
                resolved=cmd.resolved,
                handled_at=before.handled_at,
            )
        )
        if cmd.reopen:
            out.append(
                ev.CaseReopened(**base, reopen_count=after.reopen_count, department_code=dept)
            )
    elif action is CaseAction.self_handle:
        out.append(ev.CaseClosed(**base, on_time=bool(after.closed_on_time), self_handled=True))
    elif action is CaseAction.answer:
        out.append(ev.CaseClosed(**base, on_time=bool(after.closed_on_time), answered=True))
    return out
