"""Every org use case checks its policy first: each denies a non-admin before touching storage."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from cityops.infra.settings import Settings
from cityops.kernel.actor import Actor, Role
from cityops.kernel.clock import FixedClock
from cityops.kernel.errors import PermissionDenied
from cityops.org.model import (
    DepartmentKind,
    DepartmentUpdate,
    NewApiToken,
    NewDepartment,
    NewUser,
    UserUpdate,
)
from cityops.org.policy import POLICIES
from cityops.org.service import OrgService


class Untouchable:
    """Stands in for a session or unit of work: any use of it fails the test."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"storage touched ({name}) before the policy was checked")


T = Untouchable()
USE_CASES: dict[str, Callable[[OrgService, Actor], object]] = {
    "create_department": lambda s, a: s.create_department(
        T, a, NewDepartment(code="X", name="x", kind=DepartmentKind.company)
    ),
    "update_department": lambda s, a: s.update_department(T, a, 1, DepartmentUpdate(name="y")),
    "list_users": lambda s, a: s.list_users(T, a),
    "get_user": lambda s, a: s.get_user(T, a, 999),
    "create_user": lambda s, a: s.create_user(
        T, a, NewUser(username="eve", password="p4ssword!", roles=("admin",))
    ),
    "update_user": lambda s, a: s.update_user(T, a, 999, UserUpdate(roles=("admin",))),
    "set_user_roles": lambda s, a: s.set_user_roles(T, a, 999, ("admin",)),
    "deactivate_user": lambda s, a: s.deactivate_user(T, a, 999),
    "list_api_tokens": lambda s, a: s.list_api_tokens(T, a),
    "create_api_token": lambda s, a: s.create_api_token(T, a, NewApiToken(name="bridge")),
    "revoke_api_token": lambda s, a: s.revoke_api_token(T, a, 1),
}

NON_ADMINS = [
    Actor(user_id=1, username=f"{role.value}1", roles=frozenset({role}))
    for role in Role
    if role is not Role.admin
] + [Actor(user_id=1, username="nobody")]


class NoAreas:
    """An area register that is never reached: every call here is refused before it."""

    def get_area(self, session: object, code: str) -> object:
        raise AssertionError("a refused use case looked an area up")


@pytest.fixture(scope="module")
def service() -> OrgService:
    clock = FixedClock(datetime(2026, 11, 23, 1, 0, tzinfo=UTC))
    return OrgService(clock=clock, settings=Settings(env="test"), areas=NoAreas())


def test_every_use_case_has_a_policy_and_a_deny_case() -> None:
    taking_actor = {
        name
        for name, fn in inspect.getmembers(OrgService, inspect.isfunction)
        if not name.startswith("_") and "actor" in inspect.signature(fn).parameters
    }
    assert taking_actor == set(POLICIES) == set(USE_CASES)


@pytest.mark.parametrize("use_case", sorted(USE_CASES))
@pytest.mark.parametrize("actor", NON_ADMINS, ids=lambda a: a.username)
def test_use_case_denies_a_non_admin(service: OrgService, use_case: str, actor: Actor) -> None:
    with pytest.raises(PermissionDenied):
        USE_CASES[use_case](service, actor)


def test_a_user_may_view_only_their_own_account() -> None:
    me = Actor(user_id=5, username="op", roles=frozenset({Role.operator}))
    POLICIES["get_user"](me, 5)
    with pytest.raises(PermissionDenied):
        POLICIES["get_user"](me, 6)
