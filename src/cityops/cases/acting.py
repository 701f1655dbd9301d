"""Workflow actions in two steps, so the write lock is held only for the writing.

`prepare_action` reads the case in the actor's scope and does every check and computation of
the step: the actor's rule, the version the actor saw, the transition table, the action's fields
and the new state (lifecycle.apply). `store_actions` writes any number of prepared actions: for
each, one `UPDATE … WHERE version = seen AND history_seq = seen RETURNING *`, then the history
lines and events of all of them in one statement each.

The UPDATE's condition is the guard: every change to a case row moves its `history_seq` (a
workflow step also moves its `version`; SLA marks and audit lines move only `history_seq`), so
if the row is as it was read, the prepared state is exactly what the step computes. If it is
not — someone acted in between, the SLA scan marked it — the step is prepared again inside the
write transaction and meets the change: a stale version is a 409, a mark is taken into account.
A merge reads a second case (the target), so it is always prepared again inside the write."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from cityops.cases import policy, queries, rows, store
from cityops.cases.actions import ActionContext, action_events, action_input, history_data
from cityops.cases.events import CaseEvent
from cityops.cases.lifecycle import apply
from cityops.cases.model import TRANSITIONS, CaseAction, CaseState, check_transition
from cityops.cases.rows import CaseRecord
from cityops.cases.views import ActionCommand
from cityops.infra.outbox import UnitOfWork
from cityops.kernel.actor import Actor, Role
from cityops.kernel.errors import DomainError, NotFound, StaleVersion
from cityops.kernel.events import Trace, current_trace, tracing

if TYPE_CHECKING:
    from cityops.cases.service import CaseService

# Actions whose checks read another row than the case's own: prepared again inside the write.
_PREPARED_INSIDE = frozenset({CaseAction.merge})


@dataclass(frozen=True)
class PreparedAction:
    """A checked workflow step on a case as it was read: what to write if it is unchanged."""

    actor: Actor
    case_id: int
    action: CaseAction
    cmd: ActionCommand
    case: CaseRecord  # as read
    before: CaseState
    after: CaseState
    ctx: ActionContext
    values: dict[str, Any]
    now: datetime
    # the request that asked for it: the writer may store it beside other requests' steps
    trace: Trace = field(default_factory=current_trace)


def prepare_action(
    service: CaseService,
    session: Session,
    actor: Actor,
    case_id: int,
    action: CaseAction,
    cmd: ActionCommand,
) -> PreparedAction:
    """Check a workflow step and compute its outcome; raises its errors (403, 404, 409, 422).
    Reads only."""
    policy.check_action(actor, action)
    case = queries.scoped_case(session, actor, case_id)
    if case is None:
        raise NotFound(f"case {case_id} not found", code="case_not_found", case_id=case_id)
    state = rows.state_of(case)
    policy.check_action_on(actor, action, state)
    if case.version != cmd.version:
        raise _stale(case_id, cmd.version, case.version)
    check_transition(state, action)
    ctx = action_input(service, session, actor, case, action, cmd)
    now = service.clock.now()
    after = apply(state, action, ctx.inp, now=now, calendar=service.calendar)
    values = rows.state_values(after)
    values["updated_at"] = now
    return PreparedAction(actor, case_id, action, cmd, case, state, after, ctx, values, now)


def store_actions(
    service: CaseService, uow: UnitOfWork, prepared: Sequence[PreparedAction]
) -> list[CaseRecord | DomainError]:
    """Write prepared steps in order; for each, the case as stored, or the error that
    refused it (nothing of a refused step is written)."""
    session = uow.session
    out: list[CaseRecord | DomainError] = []
    history: list[dict[str, Any]] = []
    events: list[CaseEvent] = []
    assigned: list[tuple[int, int, datetime]] = []
    for p in prepared:
        try:
            step, stored = _write_step(service, session, p)
        except DomainError as exc:
            out.append(exc)
            continue
        if step.action is CaseAction.dispatch and step.after.department_id is not None:
            assigned.append((step.case_id, step.after.department_id, step.now))
        extension_id = _extension_row(session, step)
        role = acting_role(step.actor, step.action)
        history.append(
            store.history_row(
                case_id=step.case_id,
                seq=stored.history_seq,
                action=step.action.value,
                from_status=step.before.status.value,
                to_status=step.after.status.value,
                actor_user_id=step.actor.user_id,
                actor_name=step.actor.display_name or step.actor.username,
                actor_role=role,
                at=step.now,
                note=(step.cmd.note or step.cmd.reason or "").strip(),
                data=history_data(
                    step.action, step.cmd, step.before, step.after, step.ctx, extension_id
                ),
                attachments=step.cmd.photos,
                trace=p.trace,
            )
        )
        with tracing(p.trace):
            events.extend(
                action_events(
                    step.action,
                    step.cmd,
                    step.case,
                    step.before,
                    step.after,
                    step.ctx,
                    now=step.now,
                    actor=step.actor,
                    role=role,
                    extension_id=extension_id,
                )
            )
        out.append(stored)
    store.add_assignments(session, assigned)
    store.insert_history_rows(session, history)
    uow.emit_all(events)
    return out


def _write_step(
    service: CaseService, session: Session, p: PreparedAction
) -> tuple[PreparedAction, CaseRecord]:
    """The guarded UPDATE; if the case changed since it was read, the step is prepared again
    here, inside the write transaction, and written from that."""
    if p.action not in _PREPARED_INSIDE:
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


def _extension_row(session: Session, p: PreparedAction) -> int | None:
    """An extension requested or decided by the step; returns its id."""
    if p.action is CaseAction.request_extension and p.ctx.inp.extension is not None:
        return store.insert_extension(
            session,
            case_id=p.case_id,
            requested_by=p.actor.username,
            at=p.now,
            limit=p.ctx.inp.extension,
            reason=p.cmd.reason or "",
        )
    elif p.action in (CaseAction.approve_extension, CaseAction.deny_extension):
        return store.decide_extension(
            session,
            case_id=p.case_id,
            approved=p.action is CaseAction.approve_extension,
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


def acting_role(actor: Actor, action: CaseAction) -> str:
    """The role under which the actor takes `action` (the first of theirs the table allows)."""
    roles = TRANSITIONS[action].roles
    for role in Role:
        if role in roles and role in actor.roles:
            return role.value
    return actor.primary_role
