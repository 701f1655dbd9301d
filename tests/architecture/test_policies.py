"""Every use case that takes an actor checks its policy first, in every service on `Platform`.

The services are found from the Platform dataclass (one typed field per domain), so a new domain
or a new method is covered the day it appears. A public method with a parameter annotated
`Actor` is a use case: called by an actor without roles it must refuse (PermissionDenied) before
it reads its session or its arguments — each is called with stand-ins that fail the test when
touched. The few calls that need real arguments are in CALLS; a method that takes an Actor only
as a query scope, with no check by design, is in UNCHECKED with the reason."""

from __future__ import annotations

import dataclasses
import inspect
import shutil
import typing
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cityops.app import Platform, build_platform
from cityops.cases.public import (
    ActionCommand,
    CaseAction,
    CaseService,
    CaseSource,
    NewCase,
)
from cityops.infra.settings import Settings
from cityops.kernel.actor import Actor
from cityops.kernel.clock import FixedClock
from cityops.kernel.errors import PermissionDenied

NOBODY = Actor(user_id=999, username="nobody")
NEW = NewCase(
    source=CaseSource.hotline,
    title="t",
    description="d",
    category_code="E9001",
    area_code="330191001001001",
)
Call = Callable[[Platform, Actor], object]


class Untouchable:
    """Stands in for a session, a unit of work or an argument: any use fails the test."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"touched ({name}) before the policy was checked")

    def __iter__(self) -> Iterator[Any]:
        raise AssertionError("iterated before the policy was checked")

    def __bool__(self) -> bool:
        raise AssertionError("read before the policy was checked")


def _in_uow(platform: Platform, fn: Callable[[Any], object]) -> object:
    with platform.uow() as uow:
        return fn(uow)


def _read(platform: Platform, fn: Callable[[Any], object]) -> object:
    with platform.read() as session:
        return fn(session)


# Calls that need a real session or argument: the use case hands its unit of work's session
# on, or reads which action is asked for, before the check. Every other call is made from the
# method's signature with stand-ins.
CALLS: dict[str, Call] = {
    "cases.create_case": lambda p, a: _in_uow(p, lambda u: p.cases.create_case(u, a, NEW)),
    "cases.act": lambda p, a: _in_uow(
        p, lambda u: p.cases.act(u, a, 1, CaseAction.register, ActionCommand(version=1))
    ),
    "cases.prepare_action": lambda p, a: _read(
        p,
        lambda s: p.cases.prepare_action(s, a, 1, CaseAction.register, ActionCommand(version=1)),
    ),
}

# Methods that take an Actor without checking a policy, by design.
UNCHECKED: dict[str, str] = {
    "followup.report": "the public board's 满意率 for the whole city: counts per department or "
    "street, nothing about one person or case; the Actor only scopes the query (SYSTEM unless "
    "three_rates, which checks its policy, passes the caller)",
}


def _services() -> dict[str, type]:
    """The Platform fields whose type is a class of cityops: the domain services (and the
    infrastructure, which takes no actor)."""
    hints = typing.get_type_hints(Platform)
    return {
        f.name: hints[f.name]
        for f in dataclasses.fields(Platform)
        if inspect.isclass(hints[f.name]) and hints[f.name].__module__.startswith("cityops.")
    }


def _actor_parameters(fn: Callable[..., object]) -> list[str]:
    hints = typing.get_type_hints(fn)
    return [name for name, hint in hints.items() if name != "return" and hint is Actor]


def _use_cases() -> dict[str, Callable[..., object]]:
    """'field.method' → the function, for every public method of every service that has a
    parameter annotated Actor."""
    found = {}
    for field, cls in _services().items():
        for name, fn in inspect.getmembers(cls, inspect.isfunction):
            if name.startswith("_") or not fn.__module__.startswith("cityops."):
                continue
            if _actor_parameters(fn):
                found[f"{field}.{name}"] = fn
    return found


USE_CASES = _use_cases()
CHECKED = sorted(set(USE_CASES) - set(UNCHECKED))


def _call_with_stand_ins(platform: Platform, use_case: str, actor: Actor) -> object:
    """Call the use case with `actor` for each Actor parameter and a stand-in for every other
    parameter without a default."""
    field, name = use_case.split(".")
    fn = USE_CASES[use_case]
    actors = set(_actor_parameters(fn))
    args: list[object] = []
    kwargs: dict[str, object] = {}
    for param in list(inspect.signature(fn).parameters.values())[1:]:  # after self
        if param.name in actors:
            value: object = actor
        elif param.default is param.empty:
            value = Untouchable()
        else:
            continue
        if param.kind is param.KEYWORD_ONLY:
            kwargs[param.name] = value
        else:
            args.append(value)
    result = getattr(getattr(platform, field), name)(*args, **kwargs)
    if inspect.isgenerator(result):  # a generator checks when first asked
        next(result)
    return result


@pytest.fixture(scope="module")
def shared_platform(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[Platform]:
    """One platform for the module: every call here is refused before it reads or writes."""
    work = tmp_path_factory.mktemp("policies")
    shutil.copy(sqlite_template, work / "cityops.db")
    settings = Settings(
        env="test",
        database_url=f"sqlite:///{work / 'cityops.db'}",
        router_model_dir=work / "no-model",
    )
    clock = FixedClock(datetime(2026, 11, 23, 1, tzinfo=UTC))
    p = build_platform(settings, clock=clock, migrate=False)
    yield p
    p.close()


def test_the_services_are_found_on_the_platform() -> None:
    services = _services()
    assert {"cases", "org", "geo", "taxonomy", "insight", "open311", "hotline"} <= set(services)
    assert {name.split(".")[0] for name in USE_CASES} >= {"cases", "org", "knowledge", "routing"}


def test_the_lists_name_only_existing_use_cases() -> None:
    assert set(CALLS) <= set(USE_CASES), set(CALLS) - set(USE_CASES)
    assert set(UNCHECKED) <= set(USE_CASES), set(UNCHECKED) - set(USE_CASES)
    assert not set(CALLS) & set(UNCHECKED)


@pytest.mark.parametrize("use_case", CHECKED)
def test_actor_without_roles_is_refused(shared_platform: Platform, use_case: str) -> None:
    call = CALLS.get(use_case)
    with pytest.raises(PermissionDenied):
        if call is not None:
            call(shared_platform, NOBODY)
        else:
            _call_with_stand_ins(shared_platform, use_case, NOBODY)


@pytest.mark.parametrize("action", list(CaseAction))
def test_every_action_checks_its_role(shared_platform: Platform, action: CaseAction) -> None:
    with pytest.raises(PermissionDenied), shared_platform.uow() as uow:
        shared_platform.cases.act(uow, NOBODY, 1, action, ActionCommand(version=1))


def test_reads_without_actor_are_aggregates_only(shared_platform: Platform) -> None:
    """The case engine's methods without an actor are the scheduler's scan (whole, or
    its reading and writing halves), the
    responsibility-list lookup (reference data: which unit a category goes to at a place), and
    the write half of a prepared intake or step (`store_cases`, `store_actions`, `present`): they
    take what `prepare_case` / `prepare_action` returned, which only a checked actor gets; and
    `expected_by`, calendar arithmetic on a case view its caller has already read."""
    others = {
        name
        for name, fn in inspect.getmembers(CaseService, inspect.isfunction)
        if not name.startswith("_") and f"cases.{name}" not in USE_CASES
    }
    assert others == {
        "scan_sla",
        "plan_sla",
        "write_sla",
        "responsible_department",
        "store_cases",
        "store_actions",
        "present",
        "expected_by",
    }
    with shared_platform.read() as s:
        assert (
            shared_platform.cases.responsible_department(s, "E9001", area_code="330191001") is None
        )
