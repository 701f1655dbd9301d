"""The workflow engine: runs any action of the workflow registry in two phases, so the write
lock is held only for the writing. What each action checks and does is its spec
(cases/workflow/), taken from the workflow of the case's type (the service's `case_types`);
this module reads the case, hands the spec what it needs, and writes.

`prepare_action` reads the case in the actor's scope and does every check and computation of
the step: the actor's rule, the version the actor saw, the transition, the action's fields and
the new state (lifecycle.apply). `store_actions` writes any number of prepared actions: for
each, one `UPDATE … WHERE version = seen AND history_seq = seen RETURNING *`, then the history
lines and events of all of them in one statement each.

The UPDATE's condition is the guard: every change to a case row moves its `history_seq` (a
workflow step also moves its `version`; SLA marks and audit lines move only `history_seq`), so
if the row is as it was read, the prepared state is exactly what the step computes. If it is
not — someone acted in between, the SLA scan marked it — the step is prepared again inside the
write transaction and meets the change: a stale version is a 409, a mark is taken into account.
An action that reads other cases (a merge reads its target) is always prepared again inside the
write."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from cityops.cases import policy, queries, request_keys, rows, store
from cityops.cases.dtos import ActionCommand
from cityops.cases.events import CaseEvent
from cityops.cases.lifecycle import apply
from cityops.cases.model import ActionInput, CaseState, DepartmentTarget
from cityops.cases.rows import CaseRecord
from cityops.cases.workflow.spec import (
    ActionBody,
    ActionSpec,
    CaseBrief,
    Done,
    ExtensionRecord,
    FoundDepartment,
    Reading,
)
from cityops.infra.outbox import UnitOfWork
from cityops.kernel.actor import Actor
from cityops.kernel.errors import DomainError, NotFound, StaleVersion
from cityops.kernel.events import Trace, current_trace, tracing
from cityops.kernel.request_keys import RequestKey
from cityops.worktime.public import Stage

if TYPE_CHECKING:
    from cityops.cases.service import CaseService


@dataclass(frozen=True)
class PreparedAction:
    """A checked workflow step on a case as it was read: what to write if it is unchanged."""

    actor: Actor
    case_id: int
    action: str
    cmd: ActionCommand | ActionBody
    case: CaseRecord  # as read
    before: CaseState
    after: CaseState
    body: ActionBody  # the action's own body, read from the command
    inp: ActionInput  # what the body names, resolved
    values: dict[str, Any]
    now: datetime
    # the request that asked for it: the writer may store it beside other requests' steps
    trace: Trace = field(default_factory=current_trace)
    # the client's Idempotency-Key: a second request with it writes nothing (request_keys.py)
    request_key: RequestKey | None = None


class _StoreLookup:
    """What reading an action's input looks up (workflow.spec.Lookup), in the actor's scope."""

    def __init__(self, service: CaseService, session: Session, actor: Actor) -> None:
        self._service, self._session, self._actor = service, session, actor

    def department(self, code: str) -> FoundDepartment | None:
        try:
            dept = self._service.org.department_by_code(self._session, code)
        except NotFound:
            return None
        return FoundDepartment(DepartmentTarget(dept.id, dept.code, dept.name), dept.active)

    def case_in_scope(self, case_id: int) -> CaseBrief | None:
        case = queries.scoped_case(self._session, self._actor, case_id)
        return CaseBrief(case.id, case.number, case.status) if case is not None else None


def prepare_action(
    service: CaseService,
    session: Session,
    actor: Actor,
    case_id: int,
    action: str,
    cmd: ActionCommand | ActionBody,
) -> PreparedAction:
    """Check a workflow step and compute its outcome; raises its errors (403, 404, 409, 422).
    Reads only. `cmd` is the action's own body, or a command its body is read from. An action
    the case's type does not offer is refused as an unknown one (404 unknown_action)."""
    types = service.case_types
    policy.check_action(actor, action, types.actions)  # 404 for a name no type offers
    case = queries.scoped_case(session, actor, case_id)
    if case is None:
        raise NotFound(f"case {case_id} not found", code="case_not_found", case_id=case_id)
    state = rows.state_of(case)
    workflow = types.workflow_for(state)
    spec = workflow.spec(action)
    policy.check_action_on(actor, action, state, workflow)
    if case.version != cmd.version:
        raise _stale(case_id, cmd.version, case.version)
    workflow.check_transition(state, action)
    body = cmd if isinstance(cmd, spec.body) else spec.body.of_command(_command(cmd))
    reading = Reading(
        case_id, state, case.suggested_department_code, _StoreLookup(service, session, actor)
    )
    inp = workflow.read_input(action, body, reading)
    now = service.clock.now()
    after = apply(state, action, inp, now=now, calendar=service.calendar, workflow=workflow)
    values = rows.state_values(after)
    values["updated_at"] = now
    return PreparedAction(actor, case_id, action, cmd, case, state, after, body, inp, values, now)


def _command(cmd: ActionCommand | ActionBody) -> ActionCommand:
    if isinstance(cmd, ActionBody):  # the body of another action
        return cmd.to_command()
    return cmd


def store_actions(
    service: CaseService,
    uow: UnitOfWork,
    prepared: Sequence[PreparedAction],
) -> list[CaseRecord | DomainError]:
    """Write prepared steps in order; for each, the case as stored, or the error that
    refused it (nothing of a refused step is written)."""
    session = uow.session
    out: list[CaseRecord | DomainError] = []
    history: list[dict[str, Any]] = []
    events: list[CaseEvent] = []
    assigned: list[tuple[int, int, datetime]] = []
    keys: list[tuple[str, RequestKey, int]] = []
    for p in prepared:
        try:
            replayed = _replayed(session, p, keys)
            if replayed is not None:
                out.append(replayed)
                continue
            step, stored = _write_step(service, session, p)
        except DomainError as exc:
            out.append(exc)
            continue
        if p.request_key is not None:
            keys.append((p.actor.username, p.request_key, p.case_id))
        workflow = service.case_types.workflow_for(step.before)
        spec = workflow.spec(step.action)
        dept = step.after.department_id
        if dept is not None and dept != step.before.department_id:
            assigned.append((step.case_id, dept, step.now))
        done = Done(
            body=step.body,
            inp=step.inp,
            before=step.before,
            after=step.after,
            case_id=step.case_id,
            case_number=step.case.number,
            now=step.now,
            actor=step.actor.username,
            role=workflow.acting_role(step.actor, step.action),
            extension_id=_extension_row(session, spec, step),
            actor_user_id=step.actor.user_id,
        )
        history.append(
            store.history_row(
                case_id=step.case_id,
                seq=stored.history_seq,
                action=step.action,
                from_status=step.before.status.value,
                to_status=step.after.status.value,
                actor_user_id=step.actor.user_id,
                actor_name=step.actor.display_name or step.actor.username,
                actor_role=done.role,
                at=step.now,
                note=(step.body.note or step.body.reason or "").strip(),
                data=history_data(spec, done),
                attachments=step.body.photos,
                trace=p.trace,
            )
        )
        with tracing(p.trace):
            events.extend(spec.events(done))
        out.append(stored)
    store.add_assignments(session, assigned)
    store.insert_history_rows(session, history)
    request_keys.insert_keys(session, keys, service.clock.now())
    uow.emit_all(events)
    return out


def _replayed(
    session: Session, p: PreparedAction, written: Sequence[tuple[str, RequestKey, int]]
) -> CaseRecord | None:
    """The case as it is now if the step's request key wrote already (committed, or earlier
    in this batch); None for a step to write."""
    key = p.request_key
    if key is None:
        return None
    stored = request_keys.find(session, p.actor.username, key.key)
    if stored is None:
        for owner, earlier, case_id in written:
            if owner == p.actor.username and earlier.key == key.key:
                stored = request_keys.StoredKey(earlier.scope, earlier.fingerprint, case_id)
    if stored is None:
        return None
    case_id = request_keys.replay_of(stored, key)
    record = queries.scoped_case(session, p.actor, case_id)
    if record is None:
        raise NotFound(f"case {case_id} not found", code="case_not_found", case_id=case_id)
    return record


def history_data(spec: ActionSpec[Any], done: Done[Any]) -> dict[str, Any]:
    """The step's particulars for the history line: the reason, the action's own data, and
    the stage and deadlines when they moved."""
    before, after = done.before, done.after
    data: dict[str, Any] = {}
    if done.body.reason:
        data["reason"] = done.body.reason.strip()
    data.update(spec.history(done))
    if after.stage_deadline != before.stage_deadline or after.stage != before.stage:
        data["stage"] = after.stage.value if after.stage else None
        data["stage_deadline"] = _iso(after.stage_deadline)
    if after.deadlines.get(Stage.handle) != before.deadlines.get(Stage.handle):
        data["handle_deadline"] = _iso(after.deadlines.get(Stage.handle))
    if before.overdue and not after.overdue and after.stage == before.stage:
        data["overdue_cleared"] = True  # the deadline moved past now (an extension, a resume)
    return data


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _write_step(
    service: CaseService, session: Session, p: PreparedAction
) -> tuple[PreparedAction, CaseRecord]:
    """The guarded UPDATE; if the case changed since it was read, the step is prepared again
    here, inside the write transaction, and written from that."""
    if not service.case_types.actions.spec(p.action).reads_other_cases:
        stored = store.update_if_unchanged(
            session, p.case_id, p.cmd.version, p.case.history_seq, p.values
        )
        if stored is not None:
            return p, stored
    again = prepare_action(service, session, p.actor, p.case_id, p.action, p.cmd)
    stored = store.update_if_unchanged(
        session, again.case_id, again.cmd.version, again.case.history_seq, again.values
    )
    if stored is None:  # on PostgreSQL another transaction may commit in between
        raise _stale(p.case_id, p.cmd.version, None)
    return again, stored


def _extension_row(session: Session, spec: ActionSpec[Any], p: PreparedAction) -> int | None:
    """The extension request the step writes or decides; returns its id."""
    if spec.extension is ExtensionRecord.request and p.inp.extension is not None:
        return store.insert_extension(
            session,
            case_id=p.case_id,
            requested_by=p.actor.username,
            at=p.now,
            limit=p.inp.extension,
            reason=p.body.reason or "",
        )
    if spec.extension in (ExtensionRecord.approve, ExtensionRecord.deny):
        return store.decide_extension(
            session,
            case_id=p.case_id,
            approved=spec.extension is ExtensionRecord.approve,
            decided_by=p.actor.username,
            at=p.now,
        )
    return None


def _stale(case_id: int, sent: int, current: int | None) -> StaleVersion:
    now = f"the current version is {current}" if current is not None else "it has changed since"
    return StaleVersion(
        f"case {case_id} was changed by someone else: you sent version {sent}, {now}; "
        "reload it and try again",
        case_id=case_id,
        expected_version=sent,
        current_version=current,
    )
