"""Every geo write use case checks a rule, and the rule denies everyone but administrators."""

from __future__ import annotations

import inspect

import pytest

from cityops.geo.policy import POLICIES
from cityops.geo.service import GeoService
from cityops.kernel.actor import SYSTEM, Actor, Role
from cityops.kernel.errors import PermissionDenied

WRITE_USE_CASES = sorted(
    name
    for name, fn in inspect.getmembers(GeoService, inspect.isfunction)
    if not name.startswith("_") and "actor" in inspect.signature(fn).parameters
)


def test_every_write_use_case_has_a_policy() -> None:
    assert WRITE_USE_CASES, "GeoService has write use cases"
    assert set(WRITE_USE_CASES) <= set(POLICIES)


@pytest.mark.parametrize("use_case", sorted(POLICIES))
@pytest.mark.parametrize("role", [r for r in Role if r is not Role.admin])
def test_non_admins_are_denied(use_case: str, role: Role) -> None:
    actor = Actor(user_id=7, username="someone", roles=frozenset({role}))
    with pytest.raises(PermissionDenied) as err:
        POLICIES[use_case](actor)
    assert err.value.code == "admin_only"


@pytest.mark.parametrize("use_case", sorted(POLICIES))
def test_administrators_and_the_system_may(use_case: str) -> None:
    POLICIES[use_case](SYSTEM)
    POLICIES[use_case](Actor(user_id=1, username="root", roles=frozenset({Role.admin})))
