"""Every routing use case that takes an actor checks its rule first: an actor without roles is
refused before any data is read, and so is a handler. A new public method of RoutingService
that takes an actor must be added to CALLS, or this test fails."""

from __future__ import annotations

import inspect
from collections.abc import Callable

import pytest

from cityops.app import Platform
from cityops.appeals.routing.public import RoutingService
from cityops.kernel.actor import Actor, Role
from cityops.kernel.errors import PermissionDenied

pytestmark = pytest.mark.parametrize("model_dir", [None])  # rules need no model

NOBODY = Actor(user_id=999, username="nobody")
HANDLER = Actor(user_id=5, username="h", roles=frozenset({Role.handler}))
Call = Callable[[Platform, Actor], object]


def _suggest(p: Platform, a: Actor) -> object:
    with p.read() as s:
        return p.routing.suggest_routes(s, a, "学校乱收费")


def _case_routing(p: Platform, a: Actor) -> object:
    with p.read() as s:
        return p.routing.case_routing(s, a, 1)


def _export(p: Platform, a: Actor) -> object:
    with p.read() as s:
        return p.routing.export_corrections(s, a)


CALLS: dict[str, Call] = {
    "suggest_routes": _suggest,
    "case_routing": _case_routing,
    "export_corrections": _export,
}


def test_every_actor_method_is_covered(model_dir: None) -> None:
    methods = {
        name
        for name, fn in inspect.getmembers(RoutingService, inspect.isfunction)
        if not name.startswith("_") and "actor" in inspect.signature(fn).parameters
    }
    assert methods == set(CALLS)


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("actor", [NOBODY, HANDLER], ids=["no roles", "handler"])
def test_refused_before_anything_is_read(
    platform: Platform, name: str, actor: Actor, model_dir: None
) -> None:
    with pytest.raises(PermissionDenied):
        CALLS[name](platform, actor)
