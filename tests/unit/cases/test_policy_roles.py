"""Who may take which action: the roles of the issue's table, the handler's department and the
inspector's own report."""

from __future__ import annotations

from datetime import datetime

import pytest

from cityops.cases.model import (
    CaseAction,
    CaseSource,
    CaseState,
    CaseStatus,
)
from cityops.cases.workflow.registry import WORKFLOW
from cityops.kernel.actor import Actor, Role
from cityops.kernel.clock import SHANGHAI

ROADS_ID = 7


def make_state(status: CaseStatus, **kw: object) -> CaseState:
    base: dict[str, object] = {
        "status": status,
        "source": CaseSource.inspector,
        "reported_at": datetime(2026, 11, 23, 9, tzinfo=SHANGHAI),
    }
    base.update(kw)
    return CaseState(**base)  # type: ignore[arg-type]


A, S = CaseAction, CaseStatus
WHO: dict[CaseAction, set[Role]] = {
    A.register: {Role.operator, Role.dispatcher},
    A.reject: {Role.operator, Role.dispatcher},
    A.cancel: {Role.dispatcher},
    A.merge: {Role.dispatcher},
    A.dispatch: {Role.dispatcher},
    A.sign: {Role.handler},
    A.return_: {Role.handler},
    A.request_extension: {Role.handler},
    A.approve_extension: {Role.shift_leader},
    A.deny_extension: {Role.shift_leader},
    A.suspend: {Role.shift_leader},
    A.resume: {Role.shift_leader},
    A.supervise: {Role.dispatcher, Role.leader},
    A.finish: {Role.handler},
    A.verify: {Role.inspector, Role.dispatcher},
    A.evaluate: {Role.operator},
    A.self_handle: {Role.inspector},
    A.answer: {Role.operator},
}


def actor(role: Role | None, *, user_id: int = 1, department_id: int | None = None) -> Actor:
    roles = frozenset({role}) if role else frozenset()
    return Actor(user_id=user_id, username="u", roles=roles, department_id=department_id)


@pytest.mark.parametrize("role", [*Role, None])
@pytest.mark.parametrize("action", list(CaseAction))
def test_roles_per_action(action: CaseAction, role: Role | None) -> None:
    assert WORKFLOW.role_may(actor(role), action) is (role in WHO[action])


@pytest.mark.parametrize("action", [A.sign, A.return_, A.request_extension, A.finish])
def test_handler_actions_need_the_current_department(action: CaseAction) -> None:
    state = make_state(S.in_progress, department_id=ROADS_ID)
    assert WORKFLOW.actor_may(actor(Role.handler, department_id=ROADS_ID), action, state)
    assert not WORKFLOW.actor_may(actor(Role.handler, department_id=999), action, state)
    assert not WORKFLOW.actor_may(actor(Role.handler), action, state)


def test_self_handle_only_on_own_report() -> None:
    state = make_state(S.reported, source=CaseSource.inspector, created_by_user_id=5)
    assert WORKFLOW.actor_may(actor(Role.inspector, user_id=5), A.self_handle, state)
    assert not WORKFLOW.actor_may(actor(Role.inspector, user_id=6), A.self_handle, state)


def test_self_handle_only_in_the_inspectors_areas() -> None:
    state = make_state(
        S.reported, source=CaseSource.inspector, created_by_user_id=5, area_code="330103001002"
    )
    here = Actor(
        user_id=5, username="i", roles=frozenset({Role.inspector}), area_codes=("330103001",)
    )
    moved = Actor(
        user_id=5, username="i", roles=frozenset({Role.inspector}), area_codes=("330103002",)
    )
    assert WORKFLOW.actor_may(here, A.self_handle, state)
    assert not WORKFLOW.actor_may(moved, A.self_handle, state)


def test_allowed_actions_combine_state_and_actor() -> None:
    state = make_state(S.in_progress, department_id=ROADS_ID)
    assert WORKFLOW.allowed_actions(state, actor(Role.handler, department_id=ROADS_ID)) == [
        A.return_,
        A.request_extension,
        A.finish,
    ]
    assert WORKFLOW.allowed_actions(state, actor(Role.shift_leader)) == [A.suspend]
    assert WORKFLOW.allowed_actions(state, actor(Role.leader)) == [A.supervise]
    assert WORKFLOW.allowed_actions(state, actor(None)) == []
