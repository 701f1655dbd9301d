"""Every NGSI-LD use case refuses an actor who may not view sensing data before it touches its
session or its arguments (the service is not a Platform field, so tests/architecture/
test_policies.py does not see it: this test finds its use cases the same way)."""

from __future__ import annotations

import inspect
import typing
from datetime import UTC, datetime
from typing import Any

import pytest

from cityops.kernel.actor import Actor, Role
from cityops.kernel.clock import FixedClock
from cityops.kernel.errors import PermissionDenied
from cityops.sensing.ngsi_ld.service import NgsiLdService
from cityops.sensing.policy import SENSING_VIEWERS


class Untouchable:
    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"touched ({name}) before the policy was checked")


def _use_cases() -> list[str]:
    found = []
    for name, fn in inspect.getmembers(NgsiLdService, inspect.isfunction):
        hints = typing.get_type_hints(fn)
        if not name.startswith("_") and Actor in hints.values():
            found.append(name)
    return found


def test_the_use_cases_are_found() -> None:
    assert set(_use_cases()) == {
        "query_entities",
        "retrieve_entity",
        "temporal_entity",
        "temporal_query",
    }


@pytest.mark.parametrize("name", _use_cases())
@pytest.mark.parametrize(
    "roles", [frozenset()] + [frozenset({role}) for role in sorted(set(Role) - SENSING_VIEWERS)]
)
def test_refused_before_anything_is_read(name: str, roles: frozenset[Role]) -> None:
    service = NgsiLdService(FixedClock(datetime(2026, 11, 23, tzinfo=UTC)))
    method = getattr(service, name)
    params = list(inspect.signature(method).parameters.values())
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for param in params:
        if param.name == "actor":
            value: Any = Actor(user_id=9, username="x", roles=roles)
        else:
            value = Untouchable()
        if param.kind is inspect.Parameter.KEYWORD_ONLY:
            kwargs[param.name] = value
        else:
            args.append(value)
    with pytest.raises(PermissionDenied):
        method(*args, **kwargs)
