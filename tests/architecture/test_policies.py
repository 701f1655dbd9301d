"""Every use case of the case engine that takes an actor checks its policy: called by an actor
without roles, each one refuses (PermissionDenied) before it touches any data. A new public
method that takes an actor must be added to CALLS, or this test fails."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from cityops.app import Platform
from cityops.cases.public import (
    ActionCommand,
    CaseAction,
    CaseFilter,
    CaseService,
    CaseSource,
    NewCase,
)
from cityops.kernel.actor import Actor
from cityops.kernel.errors import NotFound, PermissionDenied

NOBODY = Actor(user_id=999, username="nobody")
NEW = NewCase(
    source=CaseSource.hotline,
    title="t",
    description="d",
    category_code="E9001",
    area_code="330191001001001",
)
Call = Callable[[Platform, Actor], object]
_T = datetime(2026, 1, 1, tzinfo=UTC)


def _in_uow(fn: Callable[[Any], object]) -> Callable[[Platform], object]:
    def run(platform: Platform) -> object:
        with platform.uow() as uow:
            return fn(uow)

    return run


def _read(fn: Callable[[Any], object]) -> Callable[[Platform], object]:
    def run(platform: Platform) -> object:
        with platform.read() as session:
            return fn(session)

    return run


CALLS: dict[str, Call] = {
    "create_case": lambda p, a: _in_uow(lambda u: p.cases.create_case(u, a, NEW))(p),
    "act": lambda p, a: _in_uow(
        lambda u: p.cases.act(u, a, 1, CaseAction.register, ActionCommand(version=1))
    )(p),
    "prepare_case": lambda p, a: _read(lambda s: p.cases.prepare_case(s, a, NEW))(p),
    "prepare_action": lambda p, a: _read(
        lambda s: p.cases.prepare_action(s, a, 1, CaseAction.register, ActionCommand(version=1))
    )(p),
    "get_case": lambda p, a: _read(lambda s: p.cases.get_case(s, a, 1))(p),
    "list_cases": lambda p, a: _read(lambda s: p.cases.list_cases(s, a, CaseFilter(), 1, 10))(p),
    "iter_cases": lambda p, a: _read(lambda s: p.cases.iter_cases(s, a, CaseFilter()))(p),
    "caller_cases": lambda p, a: _read(lambda s: p.cases.caller_cases(s, a, "13812345678"))(p),
    "history": lambda p, a: _read(lambda s: p.cases.history(s, a, 1))(p),
    "first_attachments": lambda p, a: _read(lambda s: p.cases.first_attachments(s, a, [1]))(p),
    "get_cases": lambda p, a: _read(lambda s: p.cases.get_cases(s, a, [1]))(p),
    "indicator_counts": lambda p, a: _read(
        lambda s: p.cases.indicator_counts(s, a, group_by="area", start=_T, end=_T)
    )(p),
}


def _actor_methods() -> set[str]:
    return {
        name
        for name, fn in inspect.getmembers(CaseService, inspect.isfunction)
        if not name.startswith("_") and "actor" in inspect.signature(fn).parameters
    }


def test_every_actor_method_is_covered() -> None:
    assert _actor_methods() == set(CALLS)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_actor_without_roles_is_refused(platform: Platform, name: str) -> None:
    with pytest.raises((PermissionDenied, NotFound)) as err:
        CALLS[name](platform, NOBODY)
    assert isinstance(err.value, PermissionDenied), f"{name} did not check its policy first"


@pytest.mark.parametrize("action", list(CaseAction))
def test_every_action_checks_its_role(platform: Platform, action: CaseAction) -> None:
    with pytest.raises(PermissionDenied), platform.uow() as uow:
        platform.cases.act(uow, NOBODY, 1, action, ActionCommand(version=1))


def test_reads_without_actor_are_aggregates_only(platform: Platform) -> None:
    """The methods without an actor are the scheduler's scan (whole, or
    its reading and writing halves), the
    responsibility-list lookup (reference data: which unit a category goes to at a place), and
    the write half of a prepared intake or step (`store_cases`, `store_actions`, `present`): they
    take what `prepare_case` / `prepare_action` returned, which only a checked actor gets."""
    others = {
        name
        for name, fn in inspect.getmembers(CaseService, inspect.isfunction)
        if not name.startswith("_") and name not in _actor_methods()
    }
    assert others == {
        "scan_sla",
        "plan_sla",
        "write_sla",
        "responsible_department",
        "store_cases",
        "store_actions",
        "present",
    }
    with platform.read() as s:
        assert platform.cases.responsible_department(s, "E9001", area_code="330191001") is None
